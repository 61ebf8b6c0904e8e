"""Privacy pages that list things run a fixed number of queries, however many rows."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buergerbuero.bookings.models import AppointmentKind, Booking, OutgoingMail
from buergerbuero.calls.models import Participant, Role, Room
from buergerbuero.privacy.models import DailyStatistic, RetentionPolicy
from buergerbuero.waiting.models import EntryState, QueueEntry

pytestmark = pytest.mark.django_db

SIZES = [1, 6]
# admin_client is pytest-django's: a superuser without an authenticator app, so the
# second-factor check lets the session through.


def consulted_booking(department, count):
    """A booking that took place: checked in, admitted, `count` mails and `count` citizen
    seats in the call (a citizen who rejoined), beside a staff member's and a guest's."""
    kind = AppointmentKind.objects.create(department=department, name="Beratung")
    now = timezone.now()
    entry = QueueEntry.objects.create(
        department=department,
        display_name="Ada",
        state=EntryState.ADMITTED,
        seen_at=now,
        resolved_at=now,
        booked_for=now,
    )
    booking = Booking.objects.create(
        department=department,
        kind=kind,
        starts_at=now,
        ends_at=now + timedelta(minutes=30),
        display_name="Ada",
        email="ada@example.org",
        status="waiting",
        queue_entry=entry,
    )
    room = Room.objects.create(department=department, queue_entry=entry)
    Participant.objects.create(room=room, role=Role.STAFF, display_name="Sam")
    Participant.objects.create(room=room, role=Role.GUEST, display_name="Interpreter")
    for n in range(count):
        Participant.objects.create(room=room, role=Role.CITIZEN, display_name=f"Ada {n}")
        OutgoingMail.objects.create(
            booking=booking,
            kind="reminder",
            to="ada@example.org",
            subject=f"Mail {n}",
            body="",
            send_after=now,
        )
    return booking


@pytest.mark.parametrize("count", SIZES)
def test_my_data_query_count_is_constant(make_department, django_assert_num_queries, count):
    booking = consulted_booking(make_department(), count)
    # The booking with department, kind, queue entry and room; the citizen's seats; mails.
    with django_assert_num_queries(3):
        response = Client().get(reverse("privacy:my_data", args=[booking.token]))
    assert response.status_code == 200
    held = response.context["held"]
    assert (len(held.mails), len(held.participations)) == (count, count)


def departments_with_policies(make_department, count):
    """`count` active departments, every other one with its own retention policy."""
    for n in range(count):
        department = make_department()
        if n % 2 == 0:
            RetentionPolicy.objects.create(
                department=department, special_categories=True, bookings_days=10
            )
    make_department(is_active=False)


@pytest.mark.parametrize("count", SIZES)
def test_privacy_notice_query_count_is_constant(make_department, django_assert_num_queries, count):
    departments_with_policies(make_department, count)
    # The departments with their policies.
    with django_assert_num_queries(1):
        response = Client().get(reverse("privacy:notice"))
    assert response.status_code == 200
    assert len(response.context["departments"]) == count


@pytest.fixture
def record_reader(make_department):
    """A staff account allowed to read the record of processing activities (not a
    superuser, so the permission is looked up)."""
    user = get_user_model().objects.create_user("dpo", password="pw-for-tests-123")
    user.user_permissions.add(Permission.objects.get(codename="view_processing_record"))
    client = Client()
    client.force_login(user)
    return client


# Session, user, the user's authenticator app (StaffSessionMiddleware), the user's and
# their groups' permissions, the departments with their policies; the session saved at the
# end (the idle clock starts): savepoint, UPDATE, release.
@pytest.mark.parametrize("count", SIZES)
@pytest.mark.parametrize("name", ["privacy:processing_record", "privacy:processing_record_json"])
def test_processing_record_query_count_is_constant(
    make_department, record_reader, django_assert_num_queries, name, count
):
    departments_with_policies(make_department, count)
    with django_assert_num_queries(9):
        response = record_reader.get(reverse(name))
    assert response.status_code == 200
    record = response.json() if name.endswith("_json") else response.context["record"]
    assert len(record["departments"]) == count


@pytest.mark.parametrize("count", SIZES)
def test_retention_policy_changelist_query_count_is_constant(
    make_department, admin_client, django_assert_num_queries, count
):
    departments_with_policies(make_department, 2 * count)
    # Session, user, authenticator app; rows counted twice, the rows with their
    # departments; the session saved: savepoint, UPDATE, release.
    with django_assert_num_queries(9):
        response = admin_client.get(reverse("admin:privacy_retentionpolicy_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == count


@pytest.mark.parametrize("count", SIZES)
def test_daily_statistic_changelist_query_count_is_constant(
    make_department, admin_client, django_assert_num_queries, count
):
    DailyStatistic.objects.bulk_create(
        DailyStatistic(department=make_department(), day=date(2026, 3, 1) + timedelta(days=n))
        for n in range(count)
    )
    # Session, user, authenticator app; the departments to filter by; rows counted twice,
    # the rows with their departments; the date hierarchy: first and last day, then the
    # days (all in one month); the session saved: savepoint, UPDATE, release.
    with django_assert_num_queries(12):
        response = admin_client.get(reverse("admin:privacy_dailystatistic_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == count
