"""Fixtures every test folder shares; the test data itself comes from tests/factories.py."""

import secrets

import pytest
from channels.layers import get_channel_layer
from django.test import Client
from django.utils import translation

from buergerbuero import ratelimit
from buergerbuero.live import announce, protocol

from . import factories
from .live.support import Sockets, socket_test_settings
from .server import free_port


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases, dropped at the end as before; on PostgreSQL first
    without the sessions a thread of Channels' may still hold (asgiref's thread for
    `database_sync_to_async` keeps its own connection): DROP DATABASE refused with "being
    accessed by other users" at the end of a worker otherwise, once in a while."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        connection.close()


@pytest.fixture(autouse=True)
def own_cache(settings):
    """Every test gets a cache of its own, so rate-limit and throttle counters of one
    test never leak into the next (and no shared Redis is flushed)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{secrets.token_hex(6)}",
        }
    }


@pytest.fixture(autouse=True)
def office_language():
    """Every test starts in the office's default language (German), whatever an earlier
    test in the same thread activated: a sentence's language never depends on test order."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def outages_forgotten():
    """Each process logs an outage of Redis once (buergerbuero.outage); a test that saw
    one must not keep the next from seeing its own."""
    yield
    for outage in (ratelimit._outage, protocol.layer_outage, announce._outage):
        outage.down = False


@pytest.fixture
def redis_down(settings, monkeypatch):
    """Django's cache is a Redis nobody answers on (a free port): what a request meets
    while Redis is down. The per-process fallback starts empty and is emptied again."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    monkeypatch.setattr(ratelimit, "_retry_at", 0.0)
    ratelimit._local.clear()
    yield
    ratelimit._local.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """make_staff creates users; the production hasher would cost ~0.3 s per user.
    tests/security/test_passwords.py puts Argon2 back where Argon2 itself is checked."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_department(db):
    """factories.make_department, for tests that take their data from fixtures."""
    return factories.make_department


@pytest.fixture
def make_staff(db):
    """factories.make_staff, for tests that take their data from fixtures."""
    return factories.make_staff


@pytest.fixture
def make_kind(db):
    """factories.make_kind, in a department of its own unless one is given:
    make_kind(minutes=60, hours=[...]) or make_kind(department, mode="in_person")."""

    def make(department=None, *, hours=None, **kind_fields):
        department = department or factories.make_department(hours=hours)
        return factories.make_kind(department, **kind_fields)

    return make


@pytest.fixture
def english():
    """A browser that asks for English: assertions on text stay put when German changes."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def department(make_department):
    """The Wohngeld department, open around the clock. Nobody is on duty unless the test
    also asks for `clerk`."""
    return make_department(slug="wohngeld", name="Wohngeld")


@pytest.fixture
def clerk(department, make_staff):
    """An available staff member of `department` who logs in with factories.PASSWORD, under
    a user name no earlier run has counted login attempts for."""
    return make_staff(
        department, username=f"clerk-{secrets.token_hex(4)}", password=factories.PASSWORD
    )


@pytest.fixture
def office_with_clerk(department, clerk):
    """`department` with `clerk` available, so knocks are taken; returns (department, clerk)."""
    return department, clerk


@pytest.fixture
def socket_settings(settings):
    """No ICE servers, and channel names of this test's own on a shared Redis."""
    socket_test_settings(settings)


@pytest.fixture
async def sockets(transactional_db, socket_settings):
    """Sockets through the real router (origin check, session, auth, staff-session guard)
    on the run's channel layer: in memory, or Redis when REDIS_URL is set."""
    opened = Sockets()
    yield opened
    # Before the database goes: disconnect handlers still write (queue grace period).
    await opened.close_all()
    await get_channel_layer().flush()


def pytest_collection_modifyitems(config, items):
    """Browser tests last: fast feedback first, and Playwright's sync API keeps an event
    loop running for the session, which async tests collected after it cannot share.
    Every test under tests/e2e carries the e2e mark (a conftest's pytestmark would not)."""
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)
    items.sort(key=lambda item: "/e2e/" in str(item.path))
