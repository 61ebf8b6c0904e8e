import pytest


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
