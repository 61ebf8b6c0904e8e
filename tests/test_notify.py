"""The domain announces each change as a typed event through `buergerbuero.notify`, with
no socket layer involved: a listener sees exactly the events, after the commit."""

import pytest

from buergerbuero import notify
from buergerbuero.calls import actions as calls
from buergerbuero.calls.models import Participant, Role
from buergerbuero.staff.presence import set_presence
from buergerbuero.waiting import actions as queue


@pytest.fixture
def heard():
    events: list[notify.Event] = []
    notify.listen(events.append)
    yield events
    notify.unlisten(events.append)


def test_queue_actions_announce_typed_events_after_commit(
    make_department, make_staff, heard, django_capture_on_commit_callbacks
):
    office = make_department()
    clerk = make_staff(office)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        entry = queue.knock(office, "Ada")
    assert heard == []  # nothing before the commit
    for callback in pending:
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        second = queue.knock(office, "Bob")
        room = queue.admit(entry.pk, clerk)
        queue.decline(second.pk, clerk, "Bitte morgen")
    queue.message_waiting(office.pk, "Gleich geht es weiter")
    assert heard == [
        # A knock: last in line, with the count taken under its lock.
        notify.QueueChanged(office.pk, joined=entry.pk, waiting=1, last_in_line=True),
        notify.QueueChanged(office.pk, joined=second.pk, waiting=2, last_in_line=True),
        notify.EntryAdmitted(entry.pk, office.pk, room.pk),
        notify.StaffingChanged((office.pk,)),
        notify.EntryDeclined(second.pk, office.pk, "Bitte morgen"),
        notify.StaffMessageSent(office.pk, None, "Gleich geht es weiter"),
    ]


def test_staffing_and_room_events(
    make_department, make_staff, heard, django_capture_on_commit_callbacks
):
    office = make_department()
    clerk = make_staff(office, presence="offline")
    with django_capture_on_commit_callbacks(execute=True):
        set_presence(clerk.staff_profile, "available")
        entry = queue.knock(office, "Ada")
        room = queue.admit(entry.pk, clerk)
    staff = Participant.objects.get(room=room, role=Role.STAFF)
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        calls.end_room(room.pk, staff)
    assert heard == [notify.RoomEnded(room.pk, office.pk, staff.pk)]


def test_a_failing_listener_neither_stops_the_others_nor_the_action(
    make_department, make_staff, heard, django_capture_on_commit_callbacks, caplog
):
    def broken(event):
        raise RuntimeError("transport down")

    notify.listen(broken)
    try:
        office = make_department()
        make_staff(office)
        with django_capture_on_commit_callbacks(execute=True):
            entry = queue.knock(office, "Ada")
    finally:
        notify.unlisten(broken)
    assert entry.pk and heard == [
        notify.QueueChanged(office.pk, joined=entry.pk, waiting=1, last_in_line=True)
    ]
    assert "transport down" in caplog.text


def test_held_announcements_wait_for_their_release_in_order(
    make_department, make_staff, heard, django_capture_on_commit_callbacks
):
    office = make_department()
    clerk = make_staff(office)
    with django_capture_on_commit_callbacks(execute=True):
        entry = queue.knock(office, "Ada")
    heard.clear()
    with notify.held() as held, django_capture_on_commit_callbacks(execute=True):
        room = queue.admit(entry.pk, clerk)
    assert heard == []
    assert held == [
        notify.EntryAdmitted(entry.pk, office.pk, room.pk),
        notify.StaffingChanged((office.pk,)),
    ]
    notify.release(held)
    assert heard == held
    # Outside the block, announcements go out at once again.
    queue.message_waiting(office.pk, "Gleich geht es weiter")
    assert heard[-1] == notify.StaffMessageSent(office.pk, None, "Gleich geht es weiter")
