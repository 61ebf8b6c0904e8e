from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from buergerbuero.staff.models import Role


class Source(models.TextChoices):
    LDAP = "ldap", _("LDAP / Active Directory")
    OIDC = "oidc", _("OpenID Connect")


class GroupMapping(models.Model):
    """A directory group that makes its members staff or lead of a department, or
    administrators. Edited by administrators at /konsole/verzeichnis/; read at every
    directory sign-in (sync.apply_groups)."""

    source = models.CharField(_("directory"), max_length=8, choices=Source.choices)
    group = models.CharField(
        _("group"),
        max_length=500,
        help_text=_(
            "LDAP: the group's distinguished name (cn=…,ou=…,dc=…). "
            "OpenID Connect: the value in the groups claim."
        ),
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="group_mappings",
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.STAFF)
    administrator = models.BooleanField(
        _("administrator"),
        default=False,
        help_text=_("Members of this group administer the whole office."),
    )

    class Meta:
        verbose_name = _("group mapping")
        verbose_name_plural = _("group mappings")
        ordering = ["source", "group", "department__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "group", "department"], name="one_mapping_per_department"
            ),
            models.CheckConstraint(
                condition=models.Q(department__isnull=False) | models.Q(administrator=True),
                name="mapping_grants_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.group}"


class DirectoryAccount(models.Model):
    """That a user account belongs to the directory: it signs in there and has no
    password of its own here. Its roles come from the directory groups at every sign-in,
    unless an administrator or lead added it in the staff area (`roles_here`): then the
    roles given there hold, and its groups need not be mapped."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="directory_account"
    )
    source = models.CharField(max_length=8, choices=Source.choices)
    # The directory's name for the person: the LDAP DN or the OpenID Connect `sub`.
    subject = models.CharField(max_length=500)
    signed_in_at = models.DateTimeField(null=True, blank=True)
    # Added in the staff area before the first sign-in: `subject` is then what was typed
    # (LDAP: the user name; OIDC: the subject, user name or e-mail) until that sign-in.
    roles_here = models.BooleanField(
        _("roles given in the staff area"),
        default=False,
        help_text=_("Not replaced by the directory groups at sign-in."),
    )

    class Meta:
        verbose_name = _("directory account")
        verbose_name_plural = _("directory accounts")
        constraints = [
            models.UniqueConstraint(fields=["source", "subject"], name="one_account_per_subject")
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.subject}"
