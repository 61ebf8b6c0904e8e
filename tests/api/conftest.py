from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from buergerbuero.api.tokens import issue_token


@pytest.fixture
def api():
    """An integration's HTTP client that prefers English."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def make_token(db):
    def make(*departments, scopes=("appointments:read",), days=30):
        return issue_token(
            "Call centre", scopes, departments, expires_at=timezone.now() + timedelta(days=days)
        )

    return make
