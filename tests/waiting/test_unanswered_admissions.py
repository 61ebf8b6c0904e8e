"""An admission nobody answers ends the call for staff instead of leaving them in an empty
one; a citizen whose page is still heard waits again at the front of the queue, one who
is gone is not put back. Both audited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from buergerbuero import notify
from buergerbuero.audit.models import AuditEvent
from buergerbuero.calls.actions import touch_participant
from buergerbuero.calls.models import Role, Room
from buergerbuero.waiting import actions, queue
from buergerbuero.waiting.models import EntryState, QueueEntry

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def times(settings):
    settings.CALL_NO_SHOW_SECONDS = 90
    settings.QUEUE_GRACE_SECONDS = 120
    settings.QUEUE_BACKGROUND_GRACE_SECONDS = 600


@pytest.fixture
def heard():
    events: list = []
    notify.listen(events.append)
    yield events
    notify.unlisten(events.append)


@pytest.fixture
def department(make_department):
    return make_department()


@pytest.fixture
def clerk(make_staff, department):
    return make_staff(department)


def later(seconds):
    return timezone.now() + timedelta(seconds=seconds)


def test_nothing_ends_before_the_time(department, clerk):
    actions.admit(actions.knock(department, "Ada").pk, clerk)
    assert actions.end_unanswered_admissions(now=later(60)) == 0


def test_a_hidden_citizen_who_does_not_answer_waits_again_at_the_front(department, clerk, heard):
    first = actions.knock(department, "First")
    entry = actions.knock(department, "Ada")
    actions.backgrounded(entry.pk)
    room = actions.admit(entry.pk, clerk)
    staff = room.participants.get(role=Role.STAFF)
    # Three minutes on, past the normal grace: a page in the background keeps its longer one.
    assert actions.end_unanswered_admissions(now=later(180)) == 1

    entry.refresh_from_db()
    room.refresh_from_db()
    assert (entry.state, entry.missed_call_at, entry.resolved_by) == (
        EntryState.WAITING,
        room.created_at,
        None,
    )
    # The marks of the page stay: still in the background, grace counting on.
    assert entry.backgrounded_at is not None
    assert room.ended_at is not None and room.queue_entry_id is None
    order = queue.queue_order(list(queue.waiting_entries(department.pk)))
    assert [e.display_name for e in order] == ["Ada", "First"]
    assert first.pk != entry.pk
    assert notify.RoomEnded(room.pk, department.pk, staff.pk, "unanswered", entry.pk) in heard
    assert notify.QueueChanged(department.pk) in heard
    audits = AuditEvent.objects.filter(action__in=["return_to_queue", "end_call"]).order_by("id")
    assert [(a.action, a.actor_id, a.object_id, a.detail) for a in audits] == [
        ("return_to_queue", None, entry.pk, f"unanswered, room {room.pk}"),
        ("end_call", None, room.pk, "unanswered"),
    ]
    # Admitted again later, to a new room.
    assert actions.admit(entry.pk, clerk).pk != room.pk


def test_a_shown_page_heard_within_the_grace_is_put_back_too(department, clerk):
    entry = actions.knock(department, "Ada")
    actions.admit(entry.pk, clerk)
    # The page closed its waiting socket (entering the call in place) and never reached
    # the call: a connection that dropped, still within the grace.
    actions.disconnected(entry.pk)
    assert actions.end_unanswered_admissions(now=later(91)) == 1
    entry.refresh_from_db()
    assert (entry.state, entry.disconnected_at is not None) == (EntryState.WAITING, True)
    # ... and it expires like any lost connection once the grace is over.
    assert actions.expire_stale(now=later(125)) == 1


def test_a_citizen_gone_for_longer_than_the_grace_is_not_put_back(department, clerk, heard):
    entry = actions.knock(department, "Ada")
    room = actions.admit(entry.pk, clerk)
    staff = room.participants.get(role=Role.STAFF)
    QueueEntry.objects.filter(pk=entry.pk).update(seen_at=timezone.now() - timedelta(seconds=200))
    assert actions.end_unanswered_admissions(now=later(91)) == 1
    entry.refresh_from_db()
    assert entry.state == EntryState.ADMITTED
    assert Room.objects.get(pk=room.pk).queue_entry_id == entry.pk
    assert [e for e in heard if isinstance(e, notify.RoomEnded)] == [
        notify.RoomEnded(room.pk, department.pk, staff.pk, "citizen-absent")
    ]
    audit = AuditEvent.objects.get(object_id=room.pk)
    assert (audit.action, audit.actor_id, audit.detail) == ("end_call", None, "citizen-absent")
    assert not AuditEvent.objects.filter(action="return_to_queue").exists()


def test_a_call_whose_citizen_arrived_goes_on(department, clerk):
    room = actions.admit(actions.knock(department, "Ada").pk, clerk)
    touch_participant(room.participants.get(role=Role.CITIZEN))
    assert actions.end_unanswered_admissions(now=later(600)) == 0


def test_pings_of_a_page_holding_its_admission_keep_it_heard(department, clerk):
    entry = actions.knock(department, "Ada")
    actions.admit(entry.pk, clerk)
    QueueEntry.objects.filter(pk=entry.pk).update(seen_at=timezone.now() - timedelta(seconds=200))
    actions.reconnected(entry.pk)  # a ping from the waiting room, still open
    assert actions.end_unanswered_admissions(now=later(91)) == 1
    assert QueueEntry.objects.get(pk=entry.pk).state == EntryState.WAITING
