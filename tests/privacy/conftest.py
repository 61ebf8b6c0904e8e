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


@pytest.fixture
def make_kind(make_department):
    """An appointment kind bookable right now: no notice, no buffer, one seat."""
    from buergerbuero.bookings.models import AppointmentKind, BookingSettings

    def make(department=None, minutes=30):
        department = department or make_department()
        BookingSettings.objects.update_or_create(
            department=department, defaults={"buffer_minutes": 0, "min_notice_minutes": 0}
        )
        return AppointmentKind.objects.create(
            department=department, name="Beratung", duration_minutes=minutes
        )

    return make
