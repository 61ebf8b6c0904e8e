"""purge_expired: each kind of personal data goes exactly when its period has ended, per
department, and nothing else changes."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from buergerbuero.bookings.models import Booking, BookingStatus, MailKind, OutgoingMail
from buergerbuero.calls.models import Invitation, Participant, Role, Room
from buergerbuero.privacy import purge
from buergerbuero.privacy.models import RetentionPolicy
from buergerbuero.privacy.purge import purge_expired, purge_if_due
from buergerbuero.waiting.models import EntryState, QueueEntry

from ..factories import make_booking, make_queue_entry, make_room

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)
NOTHING = {
    "queue_entries": 0,
    "participants": 0,
    "invitations": 0,
    "bookings": 0,
    "mails": 0,
    "sessions": 0,
    "callback_requests": 0,
    "audit_events": 0,
}


def counts(**changed) -> dict[str, int]:
    return {**NOTHING, **changed}


def entry(department, state=EntryState.ADMITTED, resolved_at=None, name="Ada") -> QueueEntry:
    return make_queue_entry(
        department,
        created_at=(resolved_at or NOW) - timedelta(minutes=10),  # a visit begins before it ends
        display_name=name,
        topic="Wohngeld",
        language="de",
        decline_message="Bitte morgen" if state == EntryState.DECLINED else "",
        state=state,
        seen_at=NOW - 2 * DAY,
        resolved_at=resolved_at,
    )


def entry_rows():
    return list(
        QueueEntry.objects.order_by("display_name", "resolved_at").values_list(
            "display_name", "topic", "language", "decline_message", "state"
        )
    )


def room(department, ended_at) -> Room:
    room = make_room(
        department, created_at=(ended_at or NOW) - timedelta(minutes=20), ended_at=ended_at
    )
    Participant.objects.create(room=room, role=Role.STAFF, display_name="Sam Staff")
    Participant.objects.create(room=room, role=Role.CITIZEN, display_name="Ada")
    return room


def booking(kind, starts_at, **fields) -> Booking:
    return make_booking(
        kind,
        starts_at,
        display_name=fields.pop("display_name", "Ada"),
        email="ada@example.org",
        phone="0170 123",
        topic="Wohngeld",
        language="de",
        **fields,
    )


def booking_rows():
    return list(
        Booking.objects.order_by("starts_at").values_list(
            "display_name", "email", "phone", "topic", "language", "cancel_message", "status"
        )
    )


def mail(booking, **fields) -> OutgoingMail:
    return OutgoingMail.objects.create(
        booking=booking,
        kind=fields.pop("kind", MailKind.CONFIRMATION),
        to=booking.email,
        subject="Ihr Termin",
        body="Guten Tag Ada",
        send_after=fields.pop("send_after", NOW - 30 * DAY),
        **fields,
    )


def test_queue_entries_are_anonymised_a_day_after_they_were_resolved(make_department):
    department = make_department()
    entry(department, EntryState.ADMITTED, NOW - DAY - SECOND, name="Alt")
    entry(department, EntryState.DECLINED, NOW - DAY - SECOND, name="Alt abgelehnt")
    entry(department, EntryState.LEFT, NOW - DAY + SECOND, name="Frisch")
    entry(department, EntryState.WAITING, None, name="Wartend")

    assert purge_expired(NOW) == counts(queue_entries=2)
    assert entry_rows() == [
        ("", "", "", "", EntryState.ADMITTED),
        ("", "", "", "", EntryState.DECLINED),
        ("Frisch", "Wohngeld", "de", "", EntryState.LEFT),
        ("Wartend", "Wohngeld", "de", "", EntryState.WAITING),
    ]


def test_participants_are_anonymised_a_day_after_the_call_ended(make_department):
    department = make_department()
    old = room(department, ended_at=NOW - DAY - SECOND)
    recent = room(department, ended_at=NOW - DAY + SECOND)
    running = room(department, ended_at=None)

    assert purge_expired(NOW) == counts(participants=2)
    names = {
        r.pk: sorted(r.participants.values_list("display_name", flat=True))
        for r in (old, recent, running)
    }
    assert names == {
        old.pk: ["", ""],
        recent.pk: ["Ada", "Sam Staff"],
        running.pk: ["Ada", "Sam Staff"],
    }
    assert Room.objects.count() == 3


def test_invitations_are_deleted_a_day_after_they_expired(make_department):
    department = make_department()
    ended = room(department, ended_at=NOW - 2 * DAY)
    old = Invitation.objects.create(
        room=ended, label="Dolmetscherin", expires_at=NOW - DAY - SECOND
    )
    fresh = Invitation.objects.create(room=ended, label="Betreuer", expires_at=NOW - DAY + SECOND)

    assert purge_expired(NOW) == counts(participants=2, invitations=1)
    assert list(Invitation.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert old.pk != fresh.pk


def test_bookings_are_anonymised_after_the_appointment_and_cancelled_ones_sooner(make_kind):
    kind = make_kind()
    past = booking(kind, NOW - 30 * DAY - timedelta(minutes=30) - SECOND)
    booking(kind, NOW - 29 * DAY, status=BookingStatus.NO_SHOW)
    booking(
        kind,
        NOW + 10 * DAY,
        status=BookingStatus.CANCELLED,
        cancelled_at=NOW - 7 * DAY - SECOND,
        cancel_message="Fällt aus",
    )
    booking(
        kind,
        NOW + 11 * DAY,
        status=BookingStatus.CANCELLED,
        cancelled_at=NOW - 6 * DAY,
        cancel_message="Fällt aus",
    )
    booking(kind, NOW + 12 * DAY)
    # Unsent and recently sent: a booking's mails go with its contact data.
    mail(past, sent_at=NOW - DAY)
    mail(past, kind=MailKind.REMINDER, send_after=NOW + DAY)

    assert purge_expired(NOW) == counts(bookings=2, mails=2)
    assert booking_rows() == [
        ("", "", "", "", "", "", BookingStatus.BOOKED),
        ("Ada", "ada@example.org", "0170 123", "Wohngeld", "de", "", BookingStatus.NO_SHOW),
        ("", "", "", "", "", "", BookingStatus.CANCELLED),
        (
            "Ada",
            "ada@example.org",
            "0170 123",
            "Wohngeld",
            "de",
            "Fällt aus",
            BookingStatus.CANCELLED,
        ),
        ("Ada", "ada@example.org", "0170 123", "Wohngeld", "de", "", BookingStatus.BOOKED),
    ]


def test_mails_are_deleted_after_sending_and_after_the_last_failed_attempt(make_kind, settings):
    kind = make_kind()
    upcoming = booking(kind, NOW + 20 * DAY)
    gone = [
        mail(upcoming, sent_at=NOW - 7 * DAY - SECOND),
        mail(upcoming, attempts=settings.MAIL_MAX_ATTEMPTS, send_after=NOW - 7 * DAY - SECOND),
    ]
    kept = [
        mail(upcoming, sent_at=NOW - 7 * DAY + SECOND),
        mail(upcoming, attempts=settings.MAIL_MAX_ATTEMPTS, send_after=NOW - 6 * DAY),
        # Still being retried, however old: it may yet go out.
        mail(upcoming, attempts=settings.MAIL_MAX_ATTEMPTS - 1, send_after=NOW - 30 * DAY),
        mail(upcoming, kind=MailKind.REMINDER, send_after=NOW + 19 * DAY),
    ]

    assert purge_expired(NOW) == counts(mails=2)
    assert sorted(OutgoingMail.objects.values_list("pk", flat=True)) == [m.pk for m in kept]
    assert not OutgoingMail.objects.filter(pk__in=[m.pk for m in gone]).exists()


def test_a_department_policy_overrides_the_defaults_and_empty_fields_keep_them(make_department):
    strict = make_department(slug="streng")
    lenient = make_department(slug="grosszuegig")
    default = make_department(slug="standard")
    RetentionPolicy.objects.create(department=strict, queue_entries_days=0)
    RetentionPolicy.objects.create(department=lenient, queue_entries_days=3, rooms_days=None)
    for department in (strict, lenient, default):
        entry(department, resolved_at=NOW - timedelta(minutes=1), name=f"{department.slug} neu")
        entry(department, resolved_at=NOW - 2 * DAY, name=f"{department.slug} alt")
        room(department, ended_at=NOW - 2 * DAY)

    assert purge_expired(NOW) == counts(queue_entries=3, participants=6)
    left = sorted(
        QueueEntry.objects.exclude(display_name="").values_list("display_name", flat=True)
    )
    assert left == ["grosszuegig alt", "grosszuegig neu", "standard neu"]


def test_inactive_departments_are_purged_too(make_department):
    department = make_department(is_active=False)
    entry(department, resolved_at=NOW - 2 * DAY)
    assert purge_expired(NOW) == counts(queue_entries=1)


def test_expired_sessions_are_deleted(db):
    live = SessionStore()
    live["bb_queue_entries"] = ["a"]
    live.create()
    dead = SessionStore()
    dead.create()
    Session.objects.filter(pk=dead.session_key).update(expire_date=timezone.now() - SECOND)

    assert purge_expired(timezone.now()) == counts(sessions=1)
    assert list(Session.objects.values_list("pk", flat=True)) == [live.session_key]


def test_admin_history_loses_the_name_with_the_booking(make_kind, make_staff):
    kind = make_kind()
    old = booking(kind, NOW - 40 * DAY, display_name="Ada Lovelace")
    admin = make_staff(kind.department)
    LogEntry.objects.log_actions(
        admin.pk, Booking.objects.filter(pk=old.pk), CHANGE, "[]", single_object=True
    )
    assert LogEntry.objects.get().object_repr.endswith("Ada Lovelace")

    purge_expired(NOW)

    assert LogEntry.objects.get().object_repr == "(anonymised)"


def test_a_second_purge_changes_nothing(make_kind):
    kind = make_kind()
    entry(kind.department, resolved_at=NOW - 2 * DAY)
    room(kind.department, ended_at=NOW - 2 * DAY)
    booking(kind, NOW - 40 * DAY)

    assert purge_expired(NOW) == counts(queue_entries=1, participants=2, bookings=1)
    assert purge_expired(NOW) == NOTHING


def test_command_dry_run_reports_and_changes_nothing_then_purges(make_department):
    department = make_department()
    entry(department, resolved_at=timezone.now() - 2 * DAY)
    room(department, ended_at=timezone.now() - 2 * DAY)

    out = StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "queue_entries: 1 would be purged",
        "participants: 2 would be purged",
        "invitations: 0 would be purged",
        "bookings: 0 would be purged",
        "mails: 0 would be purged",
        "sessions: 0 would be purged",
        "callback_requests: 0 would be purged",
        "audit_events: 0 would be purged",
    ]
    assert QueueEntry.objects.get().display_name == "Ada"

    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    assert out.getvalue().splitlines()[:2] == ["queue_entries: 1 purged", "participants: 2 purged"]
    assert QueueEntry.objects.get().display_name == ""


def test_purge_if_due_runs_at_most_once_an_hour_per_process(make_department, monkeypatch):
    monkeypatch.setattr(purge, "_last_purge", None)
    department = make_department()
    clock = iter([1000.0, 1000.0 + 3599, 1000.0 + 3600])

    assert purge_if_due(lambda: next(clock)) == NOTHING
    entry(department, resolved_at=timezone.now() - 2 * DAY)
    assert purge_if_due(lambda: next(clock)) is None
    assert purge_if_due(lambda: next(clock)) == counts(queue_entries=1)


def test_purge_expired_deletes_audit_events_after_their_retention(settings):
    from buergerbuero.audit.models import AuditEvent

    settings.AUDIT_RETENTION_DAYS = 365
    now = timezone.now()
    AuditEvent.objects.create(
        at=now - timedelta(days=366), action="admit", object_type="queue_entry", object_id="old"
    )
    AuditEvent.objects.create(
        at=now - timedelta(days=364), action="admit", object_type="queue_entry", object_id="kept"
    )
    assert purge_expired(now)["audit_events"] == 1
    assert list(AuditEvent.objects.values_list("object_id", flat=True)) == ["kept"]
