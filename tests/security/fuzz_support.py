"""Fixtures and helpers of the fuzzing and authorization tests (test_fuzz_*.py,
test_authorization_matrix.py). Kept out of conftest.py, which belongs to the other security
tests; a test module imports what it uses from here."""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from buergerbuero.bookings.availability import available_slots

from ..live.support import Citizen, Staff, knock_through_page, logged_in_staff, socket_test_settings


@pytest.fixture
def live_env(settings):
    """What a socket test needs besides the shared `sockets`: no ICE servers,
    a status channel of our own, and rate limits out of the way (the fuzzers knock and book
    far more often than one client may; the limits have tests of their own)."""
    socket_test_settings(settings)
    # Hypothesis knocks more often than one department's queue holds.
    settings.MAX_WAITING_PER_DEPARTMENT = 10_000
    settings.RATE_LIMITS = {
        action: (1_000_000, window) for action, (_limit, window) in settings.RATE_LIMITS.items()
    }


def english_client() -> Client:
    return Client(headers={"accept-language": "en"})


def knock_as(department, name="Ada", topic="") -> Citizen:
    """A citizen knocks through the real page, in a browser that asks for English."""
    return knock_through_page(department, name, topic, client=english_client())


def logged_in(user) -> tuple[Client, Staff]:
    client = english_client()
    return client, logged_in_staff(user, client)


def free_slot(kind, after_hours=2) -> datetime:
    """A free start at least `after_hours` from now (the department is open around the clock)."""
    after = timezone.now() + timedelta(hours=after_hours)
    return next(start for start, _seat in available_slots(kind) if start >= after)
