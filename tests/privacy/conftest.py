import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def known_retention(settings):
    """The documented defaults, whatever the environment of the test run says."""
    settings.RETENTION_DAYS = {
        "queue_entries": 1,
        "rooms": 1,
        "invitations": 1,
        "bookings": 30,
        "cancelled_bookings": 7,
        "mails": 7,
        "failed_mails": 7,
    }


@pytest.fixture
def english():
    """A browser that asks for English: assertions on text stay put when German changes."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")
