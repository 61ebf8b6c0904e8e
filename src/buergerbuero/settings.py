"""One settings module, configured from the environment.

Defaults give a working office on SQLite with the in-memory channel layer;
production sets DATABASE_URL, REDIS_URL, SECRET_KEY and the ICE/TURN values
(docs/deploy.md lists every variable).
"""

import ipaddress
import json
import os
import socket
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

from buergerbuero.directory.settings import directory_settings

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("BB_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)


def installation_secret_key() -> str:
    """Without SECRET_KEY, a random key is made once and kept in the var directory, so no
    installation ever runs with a key that is published in the source."""
    import secrets
    import time

    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        try:
            with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
                handle.write(secrets.token_urlsafe(50))
        except FileExistsError:
            pass  # another process of this installation is writing it right now
    for _attempt in range(50):
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.1)
    raise RuntimeError(f"{path} is empty: delete it or set SECRET_KEY")


SECRET_KEY = os.environ.get("SECRET_KEY") or installation_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "channels",
    # Before our apps: staff/admin.py replaces the TOTP device admin django-otp registers.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "buergerbuero.departments",
    "buergerbuero.staff",
    "buergerbuero.waiting",
    "buergerbuero.calls",
    "buergerbuero.bookings",
    "buergerbuero.live",
    "buergerbuero.public",
    "buergerbuero.console",
    "buergerbuero.administration",
    "buergerbuero.policy",
    "buergerbuero.privacy",
    "buergerbuero.statistics",
    "buergerbuero.audit",
    "buergerbuero.directory",
    "buergerbuero.operations",
    "buergerbuero.api",
]

MIDDLEWARE = [
    # /healthz and /readyz, answered before anything else (docs/operations.md).
    "buergerbuero.operations.middleware.ProbeMiddleware",
    # Counts and times the rest (docs/operations.md, Metrics).
    "buergerbuero.operations.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "buergerbuero.permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Turns a database that is away or out of connections into "try again" (503).
    "buergerbuero.operations.busy.DatabaseBusyMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "buergerbuero.staff.middleware.StaffSessionMiddleware",
    # A role that requires an authenticator app is led to set it up first.
    "buergerbuero.policy.middleware.SecondFactorRequired",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "buergerbuero.urls"
ASGI_APPLICATION = "buergerbuero.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "buergerbuero.administration.context.may_administer",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the live status reads run beside a write; the timeout rides out short locks
    # when the ASGI server's worker threads write at the same moment. secure_delete: what
    # the purge anonymises or deletes is overwritten with zeros in the file, not left in
    # free space (docs/privacy.md, "Deleted rows on disk").
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA secure_delete=ON;",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A bounded pool per process (psycopg_pool, Django's OPTIONS "pool"): a crowd waits up
    # to DB_POOL_TIMEOUT seconds for one of DB_POOL_MAX_SIZE connections instead of each
    # request thread opening its own until PostgreSQL refuses ("too many clients");
    # whoever still gets none is told to try again in a moment (503, operations/busy.py).
    # Size it so that processes times DB_POOL_MAX_SIZE stays below max_connections
    # (docs/deploy.md).
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DB_POOL_MIN_SIZE", "2")),
        "max_size": int(os.environ.get("DB_POOL_MAX_SIZE", "20")),
        "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "5")),
    }
    # Each process's connections are named in pg_stat_activity (for the database's
    # administrators, and for `manage.py restore`, which refuses while others are open).
    DATABASES["default"]["OPTIONS"]["application_name"] = (
        f"buergerbuero {socket.gethostname()}:{os.getpid()}"[:63]
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# channels-redis's layer with receiving of our own (live/channel_layer.py); tests that
# build a Redis layer of their own use this name too.
REDIS_CHANNEL_LAYER = "buergerbuero.live.channel_layer.RedisChannelLayer"
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": REDIS_CHANNEL_LAYER,
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": os.environ.get("REDIS_PREFIX", "bb"),
                # channels-redis keeps the events of every socket of one process in one
                # Redis key, and its capacity (default 100) counts them all together: a
                # knock burst while the process is busy for a moment overflowed it, and
                # the events dropped were lost alerts (docs/benchmarks.md, "Knock to
                # staff alert"). Events are small and expire after a minute.
                "capacity": int(os.environ.get("CHANNEL_LAYER_CAPACITY", "10000")),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# The public status board does not use the channel layer: one pub/sub channel per
# process (docs/architecture.md, "Status board").
STATUS_PUBSUB_CHANNEL = os.environ.get("STATUS_PUBSUB_CHANNEL", "bb:status")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Argon2 for every new or changed password; the others stay so that an older hash still
# verifies once and is then rehashed with Argon2 (Django does that at login).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Staff login (docs/security.md): attempts per user name and client address per window,
# after which even the right password is refused until the window ends.
LOGIN_ATTEMPT_LIMIT = int(os.environ.get("LOGIN_ATTEMPT_LIMIT", "5"))
LOGIN_ATTEMPT_WINDOW_SECONDS = int(os.environ.get("LOGIN_ATTEMPT_WINDOW_SECONDS", "900"))
# A staff session ends after this long without a request or a message on a staff socket.
STAFF_SESSION_IDLE_SECONDS = int(os.environ.get("STAFF_SESSION_IDLE_SECONDS", str(30 * 60)))
# The name an authenticator app shows beside the staff member's user name.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Bürgerbüro")
# The TOTP secret is never shown again in the admin once a device exists.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "console:login"


# --- Sign-in through the county's directory (docs/administration-directory.md) ----
# Local accounts first (ModelBackend, never for a directory account): they sign in even
# while the directory is down.
AUTHENTICATION_BACKENDS = ["buergerbuero.directory.local_backend.LocalAccountBackend"]
# Without OIDC_RP_CLIENT_ID there is no button; these are then never read.
OIDC_RP_CLIENT_ID = ""
OIDC_RP_CLIENT_SECRET = ""
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_GROUPS_CLAIM = "groups"
OIDC_USERNAME_CLAIM = "preferred_username"
OIDC_TIMEOUT = 5.0
OIDC_OP_ORIGIN = ""
globals().update(directory_settings(os.environ))

LANGUAGE_CODE = "de"
# The citizens' languages (issue 5). Arabic is written right to left: base.html sets dir
# from Django's LANGUAGES_BIDI, and site.css uses logical properties throughout.
LANGUAGES = [
    ("de", _("German")),
    ("en", _("English")),
    ("tr", _("Turkish")),
    ("ar", _("Arabic")),
    ("uk", _("Ukrainian")),
    ("ru", _("Russian")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# The language the office writes its own content in: department names and descriptions,
# appointment kinds, staff messages. Pages in another language mark that content with it
# (lang="de"), so a screen reader reads "Wirtschaftsförderung" in German (WCAG 3.1.2).
OFFICE_CONTENT_LANGUAGE = os.environ.get("OFFICE_CONTENT_LANGUAGE", LANGUAGE_CODE)
# Weekday in every date, 24-hour clock in every language (see formats/__init__.py).
FORMAT_MODULE_PATH = ["buergerbuero.formats"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Berlin")
USE_TZ = True

STATIC_URL = "/static/"
# Set STATIC_ROOT for `collectstatic` in production; unset, assets come from the package.
STATIC_ROOT = Path(os.environ["STATIC_ROOT"]) if os.environ.get("STATIC_ROOT") else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Our own assets straight from the package, so a single command runs the office;
# production may run collectstatic and put a web server in front (docs/deploy.md).
WHITENOISE_USE_FINDERS = True
# Captions of the sign-language video: browsers expect WebVTT as text/vtt.
WHITENOISE_MIMETYPES = {".vtt": "text/vtt; charset=utf-8"}
# WhiteNoise serves through sync iterators, which Django's ASGI handler wraps (and warns
# about). Our assets are a few small files; a large site puts nginx in front for
# /static/ (docs/deploy.md).
warnings.filterwarnings(
    "ignore",
    message="StreamingHttpResponse must consume synchronous iterators",
    module="django.core.handlers.asgi",
)
STATICFILES_DIRS: list = [PACKAGE_DIR / "static"]

# Sessions hold which queue entry and which call participant belong to this browser.
# Database sessions, one query less for a new one (sessions.py).
SESSION_ENGINE = "buergerbuero.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# No script of ours reads the CSRF cookie: forms carry the token in a hidden field.
CSRF_COOKIE_HTTPONLY = True
# The office's page, in the visitor's language, instead of Django's English-only one.
CSRF_FAILURE_VIEW = "buergerbuero.operations.error_views.csrf_failure"
# The chosen language is remembered for a year in a cookie holding only its code (de,
# tr, ...): a preference the person set, not an identifier; nothing is set without a
# choice, and then the browser's Accept-Language decides (LocaleMiddleware).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG and env_bool("HTTPS", False))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_AGE = 12 * 60 * 60
# Notices after a redirect ride in the session, not in a cookie of their own: the office
# sets only sessionid, csrftoken and django_language (docs/privacy.md, "Cookies").
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("HTTPS", False):
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    # The office runs on a host of its own (e.g. termine.kreis.de): its subdomains are ours.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading commits the county's whole registrable domain to HTTPS in every
        # browser, and only the apex domain can be submitted: the county's decision, not
        # a default of this application (SECURE_HSTS_PRELOAD=1 turns it on).
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Every asset is ours: the policy allows nothing from another host.
EMBED_ALLOWED_ORIGINS = env_list("EMBED_ALLOWED_ORIGINS")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if OIDC_OP_ORIGIN:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(OIDC_OP_ORIGIN)

# --- The office -----------------------------------------------------------
# How long a waiting citizen whose browser went away keeps the place in the queue.
QUEUE_GRACE_SECONDS = int(os.environ.get("QUEUE_GRACE_SECONDS", "120"))
# How long one whose page went to the background cleanly (a phone switched to another app
# suspends the tab, which then cannot ping) keeps the place; never shorter than the above.
QUEUE_BACKGROUND_GRACE_SECONDS = int(os.environ.get("QUEUE_BACKGROUND_GRACE_SECONDS", "600"))
# How long a staff member's "available" counts without a live console.
STAFF_PRESENCE_TIMEOUT_SECONDS = int(os.environ.get("STAFF_PRESENCE_TIMEOUT_SECONDS", "90"))
# How long after a member's last console socket closed they are set offline, unless
# another console (a reload, the call page's) has opened meanwhile. 0: at once.
CONSOLE_RELEASE_SECONDS = float(os.environ.get("CONSOLE_RELEASE_SECONDS", "4"))
# A console socket is asked every CONSOLE_PING_SECONDS whether it is still there; one not
# heard for CONSOLE_SILENCE_SECONDS (a network gone without a close, a laptop lid shut) is
# closed and its member set offline, unless another console of theirs is open.
CONSOLE_PING_SECONDS = float(os.environ.get("CONSOLE_PING_SECONDS", "5"))
CONSOLE_SILENCE_SECONDS = float(os.environ.get("CONSOLE_SILENCE_SECONDS", "15"))
# Default consultation length for the wait estimate until there is history.
DEFAULT_CONSULTATION_MINUTES = int(os.environ.get("DEFAULT_CONSULTATION_MINUTES", "10"))
# A consultation whose staff side has been gone this long (closed tab, crash) is ended.
ROOM_ABANDON_SECONDS = int(os.environ.get("ROOM_ABANDON_SECONDS", "120"))
# An admitted citizen who has not joined the call within this time: the call ends itself
# and staff are told so, instead of waiting at "connecting" forever.
CALL_NO_SHOW_SECONDS = int(os.environ.get("CALL_NO_SHOW_SECONDS", "90"))
INVITATION_TTL_SECONDS = int(os.environ.get("INVITATION_TTL_SECONDS", str(30 * 60)))
MAX_WAITING_PER_DEPARTMENT = int(os.environ.get("MAX_WAITING_PER_DEPARTMENT", "50"))

# --- Appointments ---------------------------------------------------------
# A booked citizen may enter the waiting room this long before and after the start.
BOOKING_EARLY_MINUTES = int(os.environ.get("BOOKING_EARLY_MINUTES", "10"))
BOOKING_LATE_MINUTES = int(os.environ.get("BOOKING_LATE_MINUTES", "15"))
# Mail: console backend by default; SMTP via EMAIL_HOST etc. (docs/deploy.md).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# The ticker sends mails; a hanging mail server must not hold it up for long.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "buergerbuero@localhost")
# With EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (tests, audits).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
# Absolute links in mails and calendar files.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The pages that may open a personal socket (waiting room, console, call): scheme, host
# and port exactly (live/origins.py). The office's own address, the CSRF-trusted origins,
# and any more listed (a second public name, a test server).
WEBSOCKET_ALLOWED_ORIGINS = [
    "{0.scheme}://{0.netloc}".format(urlsplit(SITE_URL)),
    *CSRF_TRUSTED_ORIGINS,
    *env_list("WEBSOCKET_ALLOWED_ORIGINS"),
]
MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "8"))

# Behind a reverse proxy that sets X-Forwarded-For (docs/deploy.md).
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
# Rate limits (per client address): count per window in seconds.
RATE_LIMITS = {
    "book": (int(os.environ.get("RATE_BOOK", "10")), 3600),
    "cancel": (int(os.environ.get("RATE_CANCEL", "20")), 3600),
    "code": (int(os.environ.get("RATE_CODE", "20")), 3600),
    # Knocks: a family or a shared library PC knocks a few times; a script does not.
    "knock": (int(os.environ.get("RATE_KNOCK", "10")), 3600),
    # Every request to an invitation link, valid or not: guessing tokens stays hopeless.
    "invitation": (int(os.environ.get("RATE_INVITATION", "30")), 3600),
    # A waiting citizen's answers to the office, per place in the queue.
    "reply": (int(os.environ.get("RATE_REPLY", "10")), 300),
    # Callback requests from a closed or unstaffed department's page.
    "callback": (int(os.environ.get("RATE_CALLBACK", "5")), 3600),
    # "Forgot password" on the staff login page.
    "password_reset": (int(os.environ.get("RATE_PASSWORD_RESET", "5")), 3600),
}
CACHES = (
    {
        "default": {
            "BACKEND": "buergerbuero.shared_cache.SharedPoolRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("REDIS_PREFIX", "bb"),
            # A Redis that stops answering must not hold a request: after a second the
            # rate limits count in the process instead (ratelimit.py).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    if REDIS_URL
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)

# --- Privacy (docs/privacy.md) -------------------------------------------
# Days each kind of personal data is kept once no longer needed; a department may set
# its own (privacy.RetentionPolicy). 0: at the next hourly purge.
# Staff accountability (who admitted, declined, invited: ids only, no citizen data);
# installation-wide, not per department.
# Callback requests left open are deleted this many days after the end of the window the
# citizen chose (one done is deleted at once).
CALLBACK_RETENTION_DAYS = int(os.environ.get("RETENTION_CALLBACK_REQUESTS_DAYS", "3"))
AUDIT_RETENTION_DAYS = int(os.environ.get("RETENTION_AUDIT_EVENTS_DAYS", "365"))
RETENTION_DAYS = {
    "queue_entries": int(os.environ.get("RETENTION_QUEUE_ENTRIES_DAYS", "1")),
    "rooms": int(os.environ.get("RETENTION_ROOMS_DAYS", "1")),
    "invitations": int(os.environ.get("RETENTION_INVITATIONS_DAYS", "1")),
    "bookings": int(os.environ.get("RETENTION_BOOKINGS_DAYS", "30")),
    "cancelled_bookings": int(os.environ.get("RETENTION_CANCELLED_BOOKINGS_DAYS", "7")),
    "mails": int(os.environ.get("RETENTION_MAILS_DAYS", "7")),
    "failed_mails": int(os.environ.get("RETENTION_FAILED_MAILS_DAYS", "7")),
}
# Named in the privacy notice (/datenschutz/) and the record of processing activities.
PRIVACY_CONTROLLER_NAME = os.environ.get("PRIVACY_CONTROLLER_NAME", "")
PRIVACY_CONTROLLER_ADDRESS = os.environ.get("PRIVACY_CONTROLLER_ADDRESS", "")
PRIVACY_CONTROLLER_EMAIL = os.environ.get("PRIVACY_CONTROLLER_EMAIL", "")
PRIVACY_DPO_NAME = os.environ.get("PRIVACY_DPO_NAME", "")
PRIVACY_DPO_EMAIL = os.environ.get("PRIVACY_DPO_EMAIL", "")
PRIVACY_SUPERVISORY_AUTHORITY = os.environ.get("PRIVACY_SUPERVISORY_AUTHORITY", "")
# Days the web server keeps access logs with IP addresses; 0 (the documented set-up):
# none are written. Only what the notice says; the server configuration must match.
PRIVACY_ACCESS_LOG_DAYS = int(os.environ.get("PRIVACY_ACCESS_LOG_DAYS", "0"))

# Accessibility statement (BITV 2.0 § 7, /barrierefreiheit/): who takes feedback about
# barriers, and the state's enforcement body citizens may turn to when nobody answers.
# The default body is North Rhine-Westphalia's, like the default holiday region.
ACCESSIBILITY_CONTACT_NAME = os.environ.get("ACCESSIBILITY_CONTACT_NAME", "")
ACCESSIBILITY_CONTACT_EMAIL = os.environ.get("ACCESSIBILITY_CONTACT_EMAIL", "")
ACCESSIBILITY_CONTACT_PHONE = os.environ.get("ACCESSIBILITY_CONTACT_PHONE", "")
ACCESSIBILITY_CONTACT_ADDRESS = os.environ.get("ACCESSIBILITY_CONTACT_ADDRESS", "")
ACCESSIBILITY_STATEMENT_DATE = os.environ.get("ACCESSIBILITY_STATEMENT_DATE", "2026-11-24")
ACCESSIBILITY_ENFORCEMENT_NAME = os.environ.get(
    "ACCESSIBILITY_ENFORCEMENT_NAME",
    "Ombudsstelle für barrierefreie Informationstechnik des Landes Nordrhein-Westfalen",
)
# Its web address changes with state reorganisations: the installing county sets it.
ACCESSIBILITY_ENFORCEMENT_URL = os.environ.get("ACCESSIBILITY_ENFORCEMENT_URL", "")

# German Sign Language (BITV 2.0 § 4, /gebaerdensprache/): the operator's own video with
# captions (WebVTT) and an optional poster picture. Each is a file name in DGS_MEDIA_DIR
# (served by the office under /static/dgs/) or a path on this site starting with "/" that
# the web server in front serves. Never another site's address: the Content-Security-
# Policy allows media from this site only, and a page of the office loads nothing from
# third parties (docs/accessibility.md).
DGS_MEDIA_DIR = Path(os.environ["DGS_MEDIA_DIR"]) if os.environ.get("DGS_MEDIA_DIR") else None
DGS_VIDEO_URL = os.environ.get("DGS_VIDEO_URL", "")
DGS_CAPTIONS_URL = os.environ.get("DGS_CAPTIONS_URL", "")
DGS_POSTER_URL = os.environ.get("DGS_POSTER_URL", "")
# The language of the captions (the video's spoken-German equivalent).
DGS_CAPTIONS_LANGUAGE = os.environ.get("DGS_CAPTIONS_LANGUAGE", "de")
if DGS_MEDIA_DIR:
    STATICFILES_DIRS.append(("dgs", DGS_MEDIA_DIR))

# --- WebRTC ---------------------------------------------------------------
# ICE_SERVERS: JSON list of RTCIceServer dicts without credentials (e.g. your own STUN).
ICE_SERVERS = json.loads(os.environ.get("ICE_SERVERS", "[]"))
# TURN in the coturn REST-API scheme (use-auth-secret / static-auth-secret).
TURN_URLS = env_list("TURN_URLS")
TURN_SECRET = os.environ.get("TURN_SECRET", "")
TURN_CREDENTIAL_TTL_SECONDS = int(os.environ.get("TURN_CREDENTIAL_TTL_SECONDS", str(4 * 60 * 60)))
ICE_TRANSPORT_POLICY = os.environ.get("ICE_TRANSPORT_POLICY", "all")

# Secret path segments are redacted on the loggers of Django and uvicorn that write
# paths (logs.py, installed by LiveConfig.ready: dictConfig here would replace uvicorn's
# own handlers).
# LOG_FORMAT: one JSON object per line (the default without DEBUG) or text (`make run`).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "").strip().lower() or ("text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ValueError(f"LOG_FORMAT is {LOG_FORMAT!r}: use json or text (docs/deploy.md)")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "buergerbuero.logs.RequestId"}},
    "formatters": {
        "json": {"()": "buergerbuero.logs.json_formatter"},
        "text": {"()": "buergerbuero.logs.text_formatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Metrics (docs/operations.md) -----------------------------------------------------
# Who may read /metrics: these networks (CIDR, comma-separated) and, when METRICS_TOKEN is
# set, only with "Authorization: Bearer <token>". Everyone else gets a 404.
METRICS_ALLOWED_NETWORKS = [
    ipaddress.ip_network(item, strict=False)
    for item in env_list("METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")
]
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# bench/pages.py only: mounts /bench/trivial/, a view that does nothing, as the yardstick
# the pages are measured against (docs/benchmarks.md). Never set in production.
BENCH_TRIVIAL_VIEW = env_bool("BENCH_TRIVIAL_VIEW", False)
