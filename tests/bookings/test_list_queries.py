"""Booking pages that list things run a fixed number of queries, however many rows."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buergerbuero.bookings import actions
from buergerbuero.bookings.availability import available_slots
from buergerbuero.bookings.models import (
    AppointmentKind,
    Booking,
    BookingSettings,
    Closure,
    OutgoingMail,
)

pytestmark = pytest.mark.django_db

SIZES = [1, 6]
# admin_client is pytest-django's: a superuser without an authenticator app, so the
# second-factor check lets the session through.


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def busy_kind(make_kind, count):
    """A kind with `count` sister kinds, bookings (with mails) and future closures."""
    kind = make_kind()
    department = kind.department
    for n in range(count - 1):
        AppointmentKind.objects.create(department=department, name=f"Other {n}")
    for start, _seat in available_slots(kind)[:count]:
        actions.book(kind, start, "Ada", email="ada@example.org")
    soon = timezone.now() + timedelta(days=3)
    Closure.objects.bulk_create(
        Closure(
            department=department,
            starts_at=soon + timedelta(days=n),
            ends_at=soon + timedelta(days=n, hours=2),
        )
        for n in range(count)
    )
    return kind


@pytest.mark.parametrize("count", SIZES)
def test_choose_page_query_count_is_constant(make_kind, django_assert_num_queries, count):
    kind = busy_kind(make_kind, count)
    moving = Booking.objects.first()
    url = reverse("bookings:choose", args=[kind.department.slug])
    # Department, kinds, the booking being moved; for the chosen kind's slots: booking
    # settings, hours, closures, occupied cells.
    with django_assert_num_queries(7):
        response = Client().get(url, {"art": kind.pk, "verschieben": moving.token})
    assert response.status_code == 200
    assert len(response.context["kinds"]) == count
    assert response.context["moving"] == moving


@pytest.mark.parametrize("count", SIZES)
def test_manage_page_query_count_is_constant(make_kind, django_assert_num_queries, count):
    busy_kind(make_kind, count)
    booking = Booking.objects.first()
    OutgoingMail.objects.bulk_create(
        OutgoingMail(
            booking=booking,
            kind="reminder",
            to="ada@example.org",
            subject="Reminder",
            body="",
            send_after=timezone.now(),
        )
        for _ in range(count)
    )
    # The booking with its department and kind.
    with django_assert_num_queries(1):
        response = Client().get(reverse("bookings:manage", args=[booking.token]))
    assert response.status_code == 200
    assert response.context["booking"] == booking


# --- The admin's changelists --------------------------------------------------------------


def busy_departments(make_kind, count):
    """`count` departments, each with its own kind, settings, closure, booking and mail."""
    for _ in range(count):
        kind = make_kind()
        soon = timezone.now() + timedelta(days=3)
        Closure.objects.create(
            department=kind.department, starts_at=soon, ends_at=soon + timedelta(hours=1)
        )
        actions.book(kind, available_slots(kind)[0][0], "Ada", email="ada@example.org")


# Per changelist: session, user, the user's authenticator app (StaffSessionMiddleware);
# the rows counted twice (page and full count), the rows; the session saved at the end
# (the idle clock starts): savepoint, UPDATE, release.
@pytest.mark.parametrize("count", SIZES)
@pytest.mark.parametrize(
    ("model", "queries"),
    [
        # With a department filter: one more, the departments to filter by.
        (Booking, 10),
        (AppointmentKind, 10),
        (Closure, 10),
        (BookingSettings, 9),
        (OutgoingMail, 9),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_admin_changelist_query_count_is_constant(
    make_kind, admin_client, django_assert_num_queries, model, queries, count
):
    busy_departments(make_kind, count)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    with django_assert_num_queries(queries):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == count
