"""Socket test fixtures: real sessions from Django's test client, the real routing (origin
check, session and auth middleware), and the configured channel layer (in memory, or Redis
when REDIS_URL is set)."""

import pytest
from django.test import Client
from django.urls import reverse

from buergerbuero.live.sessions import ENTRIES_KEY

from .support import Citizen, Staff, session_cookie


@pytest.fixture(autouse=True)
def live_settings(socket_settings):
    """Every test here talks to sockets, or knocks through the page they watch."""


@pytest.fixture
def knock():
    """A citizen knocks through the real page; their browser's session holds the entry."""

    def make(department, name="Ada", topic="") -> Citizen:
        client = Client()
        response = client.post(
            reverse("public:knock", args=[department.slug]), {"display_name": name, "topic": topic}
        )
        assert response.status_code == 302, response.content
        return Citizen(client.session[ENTRIES_KEY][-1], session_cookie(client), client)

    return make


@pytest.fixture
def login():
    def make(user) -> Staff:
        client = Client()
        client.force_login(user)
        return Staff(user, session_cookie(client))

    return make
