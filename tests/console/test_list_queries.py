"""Staff pages that list things run a fixed number of queries, however many rows."""

from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buergerbuero.bookings.models import AppointmentKind, Booking, BookingSettings, Closure
from buergerbuero.calls.models import Room
from buergerbuero.waiting.models import EntryState, QueueEntry

pytestmark = pytest.mark.django_db

SIZES = [1, 6]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # make_staff creates users; the production hasher would cost ~0.3 s per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bookable(department, kinds=1):
    BookingSettings.objects.create(department=department, buffer_minutes=0, min_notice_minutes=0)
    return [
        AppointmentKind.objects.create(department=department, name=f"Kind {n}")
        for n in range(kinds)
    ]


@pytest.mark.parametrize("count", SIZES)
def test_console_home_query_count_is_constant(
    make_department, make_staff, django_assert_num_queries, count
):
    departments = [make_department() for _ in range(count)]
    for department in departments:
        bookable(department)
    clerk = make_staff(*departments, make_department(is_active=False))
    client = logged_in(clerk)
    # Session, user, the user's authenticator app (StaffSessionMiddleware); the staff
    # profile, its active departments' ids, the departments; the departments it leads (the
    # link to the statistics); the session saved at the end (the idle clock starts):
    # savepoint, UPDATE, release; the departments the member leads (the header's link to
    # the administration); every active department (where to pass a citizen on); the open
    # callback requests of its departments.
    with django_assert_num_queries(13):
        response = client.get(reverse("console:home"))
    assert response.status_code == 200
    assert response.context["departments"] == departments


def day_of(department):
    """Today in the department's zone, and its local midnight."""
    day = timezone.now().astimezone(department.zone).date()
    return day, datetime.combine(day, time(0), tzinfo=department.zone)


def fill_day(department, kind, count):
    """`count` times every kind of row the day view shows: a booking still to come, one
    checked in and waiting, one in a consultation, one done, one cancelled; a walk-in."""
    day, begin = day_of(department)
    now = timezone.now()
    for n in range(count):
        for i, (status, entry_state, ended) in enumerate(
            [
                ("booked", None, None),
                ("waiting", EntryState.WAITING, None),
                ("waiting", EntryState.ADMITTED, None),
                ("waiting", EntryState.ADMITTED, now),
                ("cancelled", None, None),
            ]
        ):
            starts_at = begin + timedelta(minutes=(5 * n + i) * 30)
            entry = None
            if entry_state is not None:
                entry = QueueEntry.objects.create(
                    department=department,
                    display_name=f"Booked {n}.{i}",
                    state=entry_state,
                    seen_at=now,
                    booked_for=starts_at,
                )
            if entry_state == EntryState.ADMITTED:
                Room.objects.create(department=department, queue_entry=entry, ended_at=ended)
            Booking.objects.create(
                department=department,
                kind=kind,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=30),
                display_name=f"Citizen {n}.{i}",
                email="citizen@example.org",
                phone="0170 123",
                language="en",
                status=status,
                queue_entry=entry,
            )
        QueueEntry.objects.create(department=department, display_name=f"Walk-in {n}", seen_at=now)
    return day


# Session, user, the user's authenticator app (StaffSessionMiddleware); the department;
# the staff profile and its active departments' ids (may serve?); the audit event (who
# looked at the day); the bookings with kind, queue entry and room; the waiting citizens;
# the active kinds; for the one kind its free times: booking settings, hours, closures,
# occupied cells; the user's and their groups' permissions (the settings link); the
# session saved at the end (the idle clock starts): savepoint, UPDATE, release.
DAY_VIEW_QUERIES = 19


@pytest.mark.parametrize("count", SIZES)
def test_day_view_query_count_is_constant(
    make_department, make_staff, django_assert_num_queries, count
):
    department = make_department()
    [kind] = bookable(department)
    day = fill_day(department, kind, count)
    client = logged_in(make_staff(department))
    with django_assert_num_queries(DAY_VIEW_QUERIES):
        response = client.get(reverse("console:day", args=[department.slug]), {"tag": day})
    assert response.status_code == 200
    assert [row["progress"] for row in response.context["rows"]] == [
        "booked",
        "waiting",
        "in_consultation",
        "done",
        "cancelled",
    ] * count
    assert (len(response.context["booked_waiting"]), len(response.context["walk_ins"])) == (
        count,
        count,
    )


@pytest.fixture
def team_lead(make_staff):
    def make(department):
        user = make_staff(department, role="lead")
        return logged_in(user)

    return make


@pytest.mark.parametrize("count", SIZES)
def test_booking_settings_query_count_is_constant(
    make_department, team_lead, django_assert_num_queries, count
):
    department = make_department()
    bookable(department, kinds=count)
    AppointmentKind.objects.create(department=make_department(), name="Elsewhere")
    soon = timezone.now() + timedelta(days=2)
    Closure.objects.bulk_create(
        Closure(
            department=department,
            starts_at=soon + timedelta(days=n),
            ends_at=soon + timedelta(days=n, hours=3),
            reason=f"Training {n}",
        )
        for n in range(count)
    )
    Closure.objects.create(
        department=department,
        starts_at=soon - timedelta(days=5),
        ends_at=soon - timedelta(days=4),
    )
    client = team_lead(department)
    # Session, user, the user's authenticator app (StaffSessionMiddleware); the
    # department; the staff profile (administrator?) and the departments it leads (may
    # lead?); booking settings; the kinds; the coming
    # closures; the session saved at the end (the idle clock starts): savepoint, UPDATE,
    # release.
    with django_assert_num_queries(12):
        response = client.get(reverse("console:booking_settings", args=[department.slug]))
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == count + 1
    assert len(response.context["closures"]) == count


@pytest.mark.parametrize("count", SIZES)
def test_day_view_query_count_does_not_grow_with_appointment_kinds(
    make_department, make_staff, django_assert_num_queries, count
):
    """The phone-booking form offers every kind's free times; reading the calendar once
    for the department, not once per kind, keeps the count at that of a single kind."""
    department = make_department()
    kinds = bookable(department, kinds=count)
    day = fill_day(department, kinds[0], 1)
    client = logged_in(make_staff(department))
    with django_assert_num_queries(DAY_VIEW_QUERIES):
        response = client.get(reverse("console:day", args=[department.slug]), {"tag": day})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 5
