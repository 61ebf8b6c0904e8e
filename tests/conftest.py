"""Shared fixtures: factories for departments, staff and queue entries."""

import itertools
import secrets

import pytest
from django.contrib.auth import get_user_model

from buergerbuero.departments.models import Department, OpeningHours
from buergerbuero.staff.models import StaffProfile

_counter = itertools.count()


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
def fast_password_hashing(settings):
    """make_staff creates users; the production hasher would cost ~0.3 s per user.
    tests/security/test_passwords.py puts Argon2 back where Argon2 itself is checked."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_department(db):
    def make(slug=None, hours=None, time_zone="Europe/Berlin", **fields):
        """hours: list of (weekday, opens_minute, closes_minute); default: always open."""
        n = next(_counter)
        department = Department.objects.create(
            slug=slug or f"dept-{n}",
            name=fields.pop("name", f"Department {n}"),
            time_zone=time_zone,
            **fields,
        )
        if hours is None:
            hours = [(day, 0, 1440) for day in range(7)]
        OpeningHours.objects.bulk_create(
            OpeningHours(department=department, weekday=d, opens_minute=o, closes_minute=c)
            for d, o, c in hours
        )
        return department

    return make


@pytest.fixture
def make_staff(db):
    def make(*departments, username=None, presence="available", password="pw-for-tests-123"):
        from django.utils import timezone

        n = next(_counter)
        user = get_user_model().objects.create_user(
            username=username or f"staff{n}",
            password=password,
            first_name="Sam",
            last_name=f"Staff{n}",
        )
        profile = StaffProfile.objects.create(user=user, presence=presence, seen_at=timezone.now())
        profile.departments.set(departments)
        return user

    return make


def pytest_collection_modifyitems(config, items):
    """Browser tests last: fast feedback first, and Playwright's sync API keeps an event
    loop running for the session, which async tests collected after it cannot share."""
    items.sort(key=lambda item: "/e2e/" in str(item.path))
