"""The audit log: one event per staff action that touches a citizen's record, with ids
only (no names, topics, messages or contact data), and no way to change or remove one."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buergerbuero.audit.actions import purge_before, record
from buergerbuero.audit.models import AuditEvent
from buergerbuero.bookings import actions as bookings
from buergerbuero.bookings import configuration
from buergerbuero.bookings.availability import available_slots
from buergerbuero.bookings.models import AppointmentKind, Closure
from buergerbuero.calls import actions as calls
from buergerbuero.calls.models import Role
from buergerbuero.privacy.actions import erase_booking
from buergerbuero.waiting import actions as queue

from ..factories import make_department, make_kind
from ..live.support import receive_until, run, send, session_cookie

pytestmark = pytest.mark.django_db

FIELDS = ("action", "actor_id", "actor_name", "department_id", "object_type", "object_id", "detail")


def events() -> list[tuple]:
    return list(AuditEvent.objects.order_by("id").values_list(*FIELDS))


@pytest.fixture
def kind(department):
    return make_kind(department, name="Beratung", buffer=5, horizon=7)


@pytest.fixture
def staff_browser(clerk):
    browser = Client(headers={"accept-language": "en"})
    browser.force_login(clerk)
    return browser


def test_admit_is_recorded(department, clerk):
    entry = queue.knock(department, "Ada Lovelace", "Wohngeld für Ada")
    room = queue.admit(entry.pk, clerk)
    assert events() == [
        (
            "admit",
            clerk.pk,
            clerk.username,
            department.pk,
            "queue_entry",
            entry.pk,
            f"room {room.pk}",
        )
    ]


def test_decline_is_recorded_without_the_message(department, clerk):
    first = queue.knock(department, "Ada")
    second = queue.knock(department, "Bob")
    queue.decline(first.pk, clerk, "Frau Ada, bitte kommen Sie morgen")
    queue.decline(second.pk, clerk)
    assert events() == [
        (
            "decline",
            clerk.pk,
            clerk.username,
            department.pk,
            "queue_entry",
            first.pk,
            "with message",
        ),
        ("decline", clerk.pk, clerk.username, department.pk, "queue_entry", second.pk, ""),
    ]


def test_messages_to_one_citizen_and_to_the_queue_are_recorded(department, clerk):
    entry = queue.knock(department, "Ada")
    queue.knock(department, "Bob")
    queue.message_waiting(department.pk, "Ada, einen Moment bitte", entry.pk, clerk)
    queue.message_waiting(department.pk, "Heute länger Wartezeit", user=clerk)
    assert events() == [
        (
            "message",
            clerk.pk,
            clerk.username,
            department.pk,
            "queue_entry",
            entry.pk,
            "recipients: 1",
        ),
        (
            "message",
            clerk.pk,
            clerk.username,
            department.pk,
            "department",
            str(department.pk),
            "recipients: 2",
        ),
    ]


@pytest.mark.django_db(transaction=True)
async def test_message_from_the_console_socket_names_its_sender(department, clerk, sockets):
    entry = await run(queue.knock)(department, "Ada")
    browser = Client()
    await run(browser.force_login)(clerk)
    console = await sockets.connect("/ws/konsole/", session_cookie(browser))
    await send(
        console,
        {"type": "message", "department": department.pk, "entry": entry.pk, "text": "Gleich"},
    )
    assert await receive_until(console, "message-sent") == {"type": "message-sent", "recipients": 1}
    assert await run(events)() == [
        (
            "message",
            clerk.pk,
            clerk.username,
            department.pk,
            "queue_entry",
            entry.pk,
            "recipients: 1",
        )
    ]


def test_invitation_and_ending_a_call_are_recorded(department, clerk):
    room = queue.admit(queue.knock(department, "Ada").pk, clerk)
    staff = room.participants.get(role=Role.STAFF)
    invitation = calls.issue_invitation(room.pk, staff, "Dolmetscherin Frau Yilmaz")
    calls.end_room(room.pk, staff)
    calls.end_room(room.pk, staff)  # already ended: nothing more to record
    assert events()[1:] == [
        ("invite", clerk.pk, clerk.username, department.pk, "room", room.pk, ""),
        ("end_call", clerk.pk, clerk.username, department.pk, "room", room.pk, ""),
    ]
    # The invitation's token opens the call: it is not in the log.
    assert AuditEvent.objects.filter(detail__contains=invitation.token).exists() is False


def test_call_ended_by_the_sweeper_is_recorded_without_an_actor(department, clerk, settings):
    settings.ROOM_ABANDON_SECONDS = 60
    room = queue.admit(queue.knock(department, "Ada").pk, clerk)
    assert calls.end_abandoned_rooms(now=timezone.now() + timedelta(minutes=5)) == 1
    assert events()[1:] == [("end_call", None, "", department.pk, "room", room.pk, "abandoned")]


def test_viewing_the_day_of_appointments_is_recorded(department, kind, staff_browser, clerk):
    url = reverse("console:day", args=[department.slug]) + "?tag=2026-03-02"
    assert staff_browser.get(url).status_code == 200
    assert events() == [
        (
            "view_day",
            clerk.pk,
            clerk.username,
            department.pk,
            "department",
            str(department.pk),
            "2026-03-02",
        )
    ]


def test_booking_for_a_caller_is_recorded(department, kind, staff_browser, clerk):
    start = available_slots(kind, ignore_notice=True)[0][0]
    day = start.astimezone(department.zone).date().isoformat()
    response = staff_browser.post(
        reverse("console:book_for_caller", args=[department.slug]) + f"?tag={day}",
        {"slot": f"{kind.pk}|{start.isoformat()}", "display_name": "Ada", "phone": "0211 1"},
    )
    booking = kind.bookings.get()
    assert response.status_code == 302
    assert events() == [
        (
            "book_for_caller",
            clerk.pk,
            clerk.username,
            department.pk,
            "booking",
            booking.pk,
            start.isoformat(),
        )
    ]


ACTION_URLS = {"absagen": "console:cancel_booking", "nicht-erschienen": "console:mark_no_show"}


def test_cancelling_and_no_show_are_recorded(department, kind, staff_browser, clerk):
    # One after the other: a booking's buffer may take the next time on the list.
    first, second, third = (
        bookings.book(kind, available_slots(kind)[0][0], name) for name in ["Ada", "Bob", "Cem"]
    )

    def act(booking, action, **data):
        url = reverse(ACTION_URLS[action], args=[department.slug, booking.pk])
        assert staff_browser.post(url, data).status_code == 302

    act(first, "absagen", message="Liebe Ada, leider krank")
    act(second, "absagen")
    act(third, "nicht-erschienen")
    act(third, "nicht-erschienen")  # no longer active: refused, not recorded
    assert events() == [
        (
            "cancel_booking",
            clerk.pk,
            clerk.username,
            department.pk,
            "booking",
            first.pk,
            "with message",
        ),
        ("cancel_booking", clerk.pk, clerk.username, department.pk, "booking", second.pk, ""),
        ("no_show", clerk.pk, clerk.username, department.pk, "booking", third.pk, ""),
    ]


RULES = {
    "parallel_staff": 2,
    "buffer_minutes": 10,
    "horizon_days": 14,
    "min_notice_minutes": 60,
    "slot_rhythm_minutes": 15,
}
KIND = {
    "name": "Vor Ort",
    "mode": "in_person",
    "duration_minutes": 15,
    "slot_rhythm_minutes": None,
    "location": "Kreishaus",
    "is_active": True,
}


def test_configuring_rules_kinds_and_closures_is_recorded_by_the_action(department, kind, clerk):
    # Through the domain actions, so every way in (settings page, API, command) is covered.
    configuration.configure(
        department, RULES, [(kind, {**KIND, "name": "Neu"}), (None, KIND)], clerk
    )
    new_kind = AppointmentKind.objects.get(name="Vor Ort")
    starts = timezone.now() + timedelta(days=1)
    closure = configuration.add_closure(department, starts, starts + timedelta(hours=2), "", clerk)
    assert configuration.remove_closure(department, closure.pk, clerk) is True
    assert configuration.remove_closure(department, closure.pk, clerk) is False  # gone: no event
    who = (clerk.pk, clerk.username, department.pk)
    assert events() == [
        ("change_booking_rules", *who, "booking_settings", str(department.pk), ""),
        ("save_appointment_kind", *who, "appointment_kind", str(kind.pk), ""),
        ("save_appointment_kind", *who, "appointment_kind", str(new_kind.pk), ""),
        (
            "add_closure",
            *who,
            "closure",
            str(closure.pk),
            f"{starts.isoformat()} – {(starts + timedelta(hours=2)).isoformat()}",
        ),
        ("remove_closure", *who, "closure", str(closure.pk), ""),
    ]
    assert not Closure.objects.exists()


def test_a_failed_configuration_saves_nothing_and_records_nothing(department, kind, clerk):
    other_department_kind = make_kind(make_department(), name="Fremd")
    with pytest.raises(AppointmentKind.DoesNotExist):
        configuration.configure(
            department, RULES, [(other_department_kind, {**KIND, "name": "Gekapert"})], clerk
        )
    assert events() == []
    assert AppointmentKind.objects.filter(name="Gekapert").exists() is False


def test_erasure_is_recorded_without_an_actor_and_without_the_person(department, kind):
    booking = bookings.book(kind, available_slots(kind)[0][0], "Ada", email="ada@example.org")
    erase_booking(booking)
    assert events() == [
        ("erase_booking", None, "", department.pk, "booking", booking.pk, ""),
    ]


def test_events_outlive_the_account_that_caused_them(department, clerk):
    queue.admit(queue.knock(department, "Ada").pk, clerk)
    user_id, username = clerk.pk, clerk.username
    clerk.delete()
    event = AuditEvent.objects.get()
    assert (event.actor_id, event.actor_name) == (user_id, username)


@pytest.fixture
def admin_browser(department, make_staff, clerk):
    admin = make_staff(department, username=f"{clerk.username}-admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    browser = Client()
    browser.force_login(admin)
    return browser


def test_admin_shows_events_but_cannot_add_change_or_delete(department, clerk, admin_browser):
    queue.admit(queue.knock(department, "Ada").pk, clerk)
    event = AuditEvent.objects.get()
    before = events()
    assert admin_browser.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    change = reverse("admin:audit_auditevent_change", args=[event.pk])
    assert admin_browser.get(change).status_code == 200  # read-only view
    admin_browser.post(change, {"detail": "nothing happened", "action": "decline"})
    assert admin_browser.get(reverse("admin:audit_auditevent_add")).status_code == 403
    delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert admin_browser.post(delete, {"post": "yes"}).status_code == 403
    bulk = admin_browser.post(
        reverse("admin:audit_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert bulk.status_code == 200  # no such action offered: nothing happens
    assert events() == before


def test_nobody_can_be_granted_change_or_delete():
    codenames = AuditEvent._meta.default_permissions
    assert codenames == ("view",)


def test_database_refuses_to_change_an_event(department, clerk):
    event = record("admit", actor=clerk, object_type="queue_entry", object_id="x")
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(detail="rewritten")
    assert "audit events are append-only" in str(error.value)
    assert AuditEvent.objects.get().detail == ""


def test_database_refuses_to_delete_an_event_outside_the_purge(department, clerk):
    """PostgreSQL refuses; SQLite cannot tell Django's test flush from a delete, so there
    the trigger guards UPDATE only (docs/security.md) — pinned here, not skipped."""
    record("admit", actor=clerk, object_type="queue_entry", object_id="x")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError) as error, transaction.atomic():
            AuditEvent.objects.all().delete()
        assert "audit events are append-only" in str(error.value)
        assert AuditEvent.objects.count() == 1
    else:
        AuditEvent.objects.all().delete()
        assert AuditEvent.objects.count() == 0


def test_purge_removes_only_events_older_than_the_cutoff(clerk):
    now = timezone.now()
    for age, object_id in ((timedelta(days=400), "old"), (timedelta(0), "new")):
        AuditEvent.objects.create(
            at=now - age,
            action="admit",
            actor=clerk,
            object_type="queue_entry",
            object_id=object_id,
        )
    assert purge_before(now - timedelta(days=365)) == 1
    assert list(AuditEvent.objects.values_list("object_id", flat=True)) == ["new"]
