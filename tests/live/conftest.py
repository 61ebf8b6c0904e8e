"""Socket test fixtures: real sessions from Django's test client, the real routing (origin
check, session and auth middleware), and the configured channel layer (in memory, or Redis
when REDIS_URL is set)."""

import pytest

from .support import knock_through_page, logged_in_staff


@pytest.fixture(autouse=True)
def live_settings(socket_settings):
    """Every test here talks to sockets, or knocks through the page they watch."""


@pytest.fixture
def knock():
    """knock(department, name, topic): a citizen knocks through the real page."""
    return knock_through_page


@pytest.fixture
def login():
    """login(user): a staff member's browser session."""
    return logged_in_staff
