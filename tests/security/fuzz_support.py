"""Fixtures and helpers of the fuzzing and authorization tests (test_fuzz_*.py,
test_authorization_matrix.py). Kept out of conftest.py, which belongs to the other security
tests; a test module imports what it uses from here."""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buergerbuero.bookings.availability import available_slots
from buergerbuero.live.sessions import ENTRIES_KEY

from ..live.support import Citizen, Staff, session_cookie, socket_test_settings


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
    """A citizen knocks through the real page; their browser's session holds the entry."""
    client = english_client()
    response = client.post(
        reverse("public:knock", args=[department.slug]), {"display_name": name, "topic": topic}
    )
    assert response.status_code == 302, response.content
    return Citizen(client.session[ENTRIES_KEY][-1], session_cookie(client), client)


def logged_in(user) -> tuple[Client, Staff]:
    client = english_client()
    client.force_login(user)
    return client, Staff(user, session_cookie(client))


def free_slot(kind, after_hours=2) -> datetime:
    """A free start at least `after_hours` from now (the department is open around the clock)."""
    after = timezone.now() + timedelta(hours=after_hours)
    return next(start for start, _seat in available_slots(kind) if start >= after)
