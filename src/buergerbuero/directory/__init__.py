"""Staff sign-in through the county's directory (LDAP / Active Directory, OpenID Connect):
which directory groups make whom staff, lead or administrator (`GroupMapping`), and the
one function that turns a directory user's groups into roles at sign-in (`sync`).
Details: docs/administration-directory.md."""
