import pytest

from buergerbuero.bookings.models import AppointmentKind, BookingSettings


@pytest.fixture
def make_kind(make_department):
    def make(
        department=None,
        minutes=30,
        mode="video",
        buffer=0,
        parallel=1,
        notice=0,
        horizon=28,
        subdivision="NW",
        hours=None,
        **department_fields,
    ):
        department = department or make_department(hours=hours, **department_fields)
        BookingSettings.objects.update_or_create(
            department=department,
            defaults={
                "buffer_minutes": buffer,
                "parallel_staff": parallel,
                "min_notice_minutes": notice,
                "horizon_days": horizon,
                "holiday_subdivision": subdivision,
            },
        )
        return AppointmentKind.objects.create(
            department=department,
            name=f"Kind {minutes}",
            mode=mode,
            duration_minutes=minutes,
            location="Kreishaus, Zimmer 1" if mode == "in_person" else "",
        )

    return make


@pytest.fixture
def client():
    """A browser that prefers English, so assertions read the source texts."""
    from django.test import Client

    return Client(headers={"accept-language": "en"})
