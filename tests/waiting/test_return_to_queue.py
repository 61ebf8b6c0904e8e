"""Staff take an admitted citizen back to the waiting room: the call ends for everyone in
it, the citizen stands at the front, the step is audited, and only staff may do it."""

import pytest

from buergerbuero import notify
from buergerbuero.audit.models import Action, AuditEvent
from buergerbuero.calls.errors import NotAllowed
from buergerbuero.calls.models import Role, Room
from buergerbuero.waiting import actions, queue
from buergerbuero.waiting.errors import NotWaiting
from buergerbuero.waiting.models import EntryState, QueueEntry


def _admitted(department, clerk, name="Ada"):
    entry = actions.knock(department, name)
    room = actions.admit(entry.pk, clerk)
    return entry, room


def test_back_to_the_waiting_room_at_the_front(
    open_department, clerk, django_capture_on_commit_callbacks, monkeypatch
):
    actions.knock(open_department, "Before")
    entry, room = _admitted(open_department, clerk)
    staff = room.participants.get(role=Role.STAFF)
    heard = []
    monkeypatch.setattr(notify, "announce", heard.append)

    with django_capture_on_commit_callbacks(execute=True):
        returned = actions.return_to_queue(room.pk, staff)

    room.refresh_from_db()
    assert (returned.pk, returned.state, returned.missed_call_at) == (
        entry.pk,
        EntryState.WAITING,
        room.created_at,
    )
    assert room.ended_at is not None and room.queue_entry_id is None
    order = queue.queue_order(list(queue.waiting_entries(open_department.pk)))
    assert [e.display_name for e in order] == ["Ada", "Before"]
    event = AuditEvent.objects.get(action=Action.RETURN_TO_QUEUE)
    assert (event.actor, event.object_id, event.detail) == (clerk, entry.pk, f"room {room.pk}")
    # Everyone in the call hears why it ended, and where the citizen's place is.
    ended = [e for e in heard if isinstance(e, notify.RoomEnded)]
    assert [(e.room_id, e.reason, e.entry_id) for e in ended] == [(room.pk, "returned", entry.pk)]
    # Admitted again later, into a new room.
    assert actions.admit(entry.pk, clerk).queue_entry_id == entry.pk


def test_only_staff_take_a_citizen_back(open_department, clerk):
    _entry, room = _admitted(open_department, clerk)
    citizen = room.participants.get(role=Role.CITIZEN)
    with pytest.raises(NotAllowed):
        actions.return_to_queue(room.pk, citizen)
    assert Room.objects.get(pk=room.pk).ended_at is None


def test_an_ended_call_or_a_second_click_changes_nothing(open_department, clerk):
    entry, room = _admitted(open_department, clerk)
    staff = room.participants.get(role=Role.STAFF)
    actions.return_to_queue(room.pk, staff)
    with pytest.raises(NotWaiting):
        actions.return_to_queue(room.pk, staff)
    assert QueueEntry.objects.get(pk=entry.pk).state == EntryState.WAITING
    assert AuditEvent.objects.filter(action=Action.RETURN_TO_QUEUE).count() == 1
