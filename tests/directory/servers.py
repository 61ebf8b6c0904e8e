"""Real directory servers for the tests: OpenLDAP's slapd with a configuration and a small
county directory of its own, and the certified `oidc-provider` (node) with a test client
and users with group claims. Each on a free port, stopped by the fixture that started it.
A missing slapd or node fails the test (`make browser` installs node's packages)."""

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from ..server import ChildProcess, free_port

SLAPD = os.environ.get("SLAPD", "/usr/sbin/slapd")
SLAPADD = os.environ.get("SLAPADD", "/usr/sbin/slapadd")
SLAPPASSWD = os.environ.get("SLAPPASSWD", "/usr/sbin/slappasswd")
SCHEMA = Path("/etc/ldap/schema")
OIDC_DIR = Path(__file__).resolve().parent / "oidc"

BASE = "dc=kreis,dc=test"
SERVICE_DN = f"cn=buergerbuero,ou=services,{BASE}"
SERVICE_PASSWORD = "service-pw-123"
PASSWORD = "Verzeichnis-pw-456"
PEOPLE = f"ou=people,{BASE}"
GROUPS = f"ou=groups,{BASE}"


def group_dn(name: str) -> str:
    return f"cn={name},{GROUPS}"


def user_dn(uid: str) -> str:
    return f"uid={uid},{PEOPLE}"


# uid: (given name, surname, groups, userAccountControl)
USERS = {
    "anna": ("Anna", "Leitner", ["wohngeld-leitung"], 512),
    "bernd": ("Bernd", "Berater", ["wohngeld-team", "kfz-team"], 512),
    "carla": ("Carla", "Gesperrt", ["wohngeld-team"], 514),  # AD: ACCOUNTDISABLE
    "dora": ("Dora", "Kantine", ["kantine"], 512),
    "erik": ("Erik", "Technik", ["it-admins"], 512),
}

# Active Directory's userAccountControl, for a directory that is not one: slapd checks it
# as AD's schema would, and the office reads it as it would from AD.
AD_SCHEMA = """\
attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl'
    EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.99999.1.1 NAME 'bbAccountControl' SUP top AUXILIARY
    MAY userAccountControl )
"""


def _require(path: str) -> None:
    if not Path(path).exists():
        raise RuntimeError(f"{path} not found: apt-get install slapd ldap-utils (make browser)")


def directory_ldif(password_hash: str, service_hash: str) -> str:
    entries = [
        f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: kreis\no: Kreis",
        f"dn: ou=services,{BASE}\nobjectClass: organizationalUnit\nou: services",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups",
        f"dn: {SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
        f"cn: buergerbuero\nuserPassword: {service_hash}",
    ]
    members: dict[str, list[str]] = {}
    for uid, (given, sn, groups, control) in USERS.items():
        entries.append(
            f"dn: {user_dn(uid)}\nobjectClass: inetOrgPerson\nobjectClass: bbAccountControl\n"
            f"uid: {uid}\ncn: {given} {sn}\ngivenName: {given}\nsn: {sn}\n"
            f"mail: {uid}@kreis.test\nuserAccountControl: {control}\n"
            f"userPassword: {password_hash}"
        )
        for group in groups:
            members.setdefault(group, []).append(user_dn(uid))
    for group, dns in members.items():
        lines = "\n".join(f"member: {dn}" for dn in dns)
        entries.append(f"dn: {group_dn(group)}\nobjectClass: groupOfNames\ncn: {group}\n{lines}")
    return "\n\n".join(entries) + "\n"


class Slapd(ChildProcess):
    """slapd -f with a generated slapd.conf and an mdb database filled by slapadd."""

    def __init__(self, tmp_path: Path):
        for tool in (SLAPD, SLAPADD, SLAPPASSWD):
            _require(tool)
        self.dir = tmp_path
        self.port = free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self._log = None
        data = tmp_path / "data"
        data.mkdir(parents=True)
        (tmp_path / "ad.schema").write_text(AD_SCHEMA)
        self.conf = tmp_path / "slapd.conf"
        self.conf.write_text(
            "\n".join(
                [
                    *(f"include {SCHEMA / name}.schema" for name in ("core", "cosine")),
                    f"include {SCHEMA / 'inetorgperson.schema'}",
                    f"include {tmp_path / 'ad.schema'}",
                    f"pidfile {tmp_path / 'slapd.pid'}",
                    "modulepath /usr/lib/ldap",
                    "moduleload back_mdb",
                    "database mdb",
                    f'suffix "{BASE}"',
                    f'rootdn "cn=admin,{BASE}"',
                    f"directory {data}",
                    "maxsize 10485760",
                    "access to attrs=userPassword by anonymous auth by * none",
                    f'access to * by dn.exact="{SERVICE_DN}" read by self read by * none',
                    "",
                ]
            )
        )
        hashed = self._hash(PASSWORD)
        ldif = tmp_path / "directory.ldif"
        ldif.write_text(directory_ldif(hashed, self._hash(SERVICE_PASSWORD)))
        subprocess.run(
            [SLAPADD, "-f", str(self.conf), "-l", str(ldif)],
            check=True,
            capture_output=True,
        )

    @staticmethod
    def _hash(password: str) -> str:
        return subprocess.run(
            [SLAPPASSWD, "-s", password], check=True, capture_output=True, text=True
        ).stdout.strip()

    def start(self, timeout: float = 15) -> None:
        self._log = open(self.dir / "slapd.log", "a")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [SLAPD, "-f", str(self.conf), "-h", f"{self.uri}/", "-d", "0"],
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        "slapd did not start:\n" + (self.dir / "slapd.log").read_text()
                    ) from None
                time.sleep(0.1)

    def env(self) -> dict[str, str]:
        """The office's environment for this directory (docs/administration-directory.md)."""
        return {
            "LDAP_SERVER_URI": self.uri,
            "LDAP_BIND_DN": SERVICE_DN,
            "LDAP_BIND_PASSWORD": SERVICE_PASSWORD,
            "LDAP_USER_SEARCH_BASE": PEOPLE,
            "LDAP_USER_FILTER": "(uid=%(user)s)",
            "LDAP_GROUP_SEARCH_BASE": GROUPS,
            "LDAP_GROUP_TYPE": "groupOfNames",
            "LDAP_TIMEOUT": "2",
        }


# The provider's users: login: (password, claims)
OIDC_USERS = {
    "olga": {
        "given_name": "Olga",
        "family_name": "Oberhaupt",
        "email": "olga@kreis.test",
        "groups": ["/wohngeld-leitung"],
    },
    "paul": {
        "given_name": "Paul",
        "family_name": "Poststelle",
        "email": "paul@kreis.test",
        "groups": ["/kantine"],
    },
}
OIDC_CLIENT_ID = "buergerbuero"
OIDC_CLIENT_SECRET = "client-secret-for-tests-0123456789abcdef"


class OidcProvider(ChildProcess):
    """node tests/directory/oidc/provider.mjs: oidc-provider with one confidential client
    (PKCE required), the users above and their `groups` claim."""

    def __init__(self, log_path: Path, redirect_uris: list[str], logout_uris: list[str]):
        node = shutil.which("node")
        if node is None or not (OIDC_DIR / "node_modules" / "oidc-provider").exists():
            raise RuntimeError(
                "node or oidc-provider missing: run `make browser` "
                "(npm ci --prefix tests/directory/oidc)"
            )
        self.node = node
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.config = {
            "port": self.port,
            "client": {
                "client_id": OIDC_CLIENT_ID,
                "client_secret": OIDC_CLIENT_SECRET,
                "redirect_uris": redirect_uris,
                "post_logout_redirect_uris": logout_uris,
            },
            "users": OIDC_USERS,
        }
        self.process: subprocess.Popen | None = None
        self._log = None

    def start(self, timeout: float = 20) -> None:
        self._log = open(self.log_path, "a")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [self.node, str(OIDC_DIR / "provider.mjs")],
            env={**os.environ, "OIDC_TEST_CONFIG": json.dumps(self.config)},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=OIDC_DIR,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        "oidc-provider did not start:\n" + self.log_path.read_text()
                    ) from None
                time.sleep(0.1)

    def env(self) -> dict[str, str]:
        return {
            "OIDC_RP_CLIENT_ID": OIDC_CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": OIDC_CLIENT_SECRET,
            "OIDC_OP_DISCOVERY_URL": f"{self.issuer}/.well-known/openid-configuration",
            "OIDC_RP_SCOPES": "openid email profile groups",
            "OIDC_GROUPS_CLAIM": "groups",
            "OIDC_USERNAME_CLAIM": "preferred_username",
        }
