"""A place that survives a sleeping tab: a page that went to the background cleanly keeps
its place for the longer background grace, and one called meanwhile may come back to the
front of the queue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from buergerbuero.calls.actions import end_room, touch_participant
from buergerbuero.calls.models import Role, Room
from buergerbuero.waiting import actions, queue
from buergerbuero.waiting.errors import NotWaiting
from buergerbuero.waiting.models import EntryState, QueueEntry


@pytest.fixture
def graces(settings):
    settings.QUEUE_GRACE_SECONDS = 120
    settings.QUEUE_BACKGROUND_GRACE_SECONDS = 600
    settings.CALL_NO_SHOW_SECONDS = 90
    return settings


def test_backgrounded_marks_once_and_foregrounded_clears(
    open_department, django_capture_on_commit_callbacks
):
    entry = actions.knock(open_department, "Ada")
    with django_capture_on_commit_callbacks() as first:
        actions.backgrounded(entry.pk)
    marked = QueueEntry.objects.get(pk=entry.pk).backgrounded_at
    with django_capture_on_commit_callbacks() as again:
        actions.backgrounded(entry.pk)
    with django_capture_on_commit_callbacks() as back:
        actions.foregrounded(entry.pk)
    entry.refresh_from_db()
    # The consoles hear each change of the mark, not a repeated "hidden".
    assert (marked is not None, entry.backgrounded_at, len(first), len(again), len(back)) == (
        True,
        None,
        1,
        0,
        1,
    )


def test_backgrounded_leaves_a_resolved_entry_alone(open_department, clerk):
    entry = actions.knock(open_department, "Ada")
    actions.decline(entry.pk, clerk)
    actions.backgrounded(entry.pk)
    assert QueueEntry.objects.get(pk=entry.pk).backgrounded_at is None


def test_backgrounded_marks_an_admission_still_waiting_for_its_citizen(open_department, clerk):
    # A hidden page holds its admission until it is shown: whether it is still there
    # decides what an unanswered admission becomes.
    entry = actions.knock(open_department, "Ada")
    actions.admit(entry.pk, clerk)
    actions.backgrounded(entry.pk)
    assert QueueEntry.objects.get(pk=entry.pk).backgrounded_at is not None


def test_expire_stale_keeps_a_backgrounded_place_for_the_longer_grace(open_department, graces):
    now = timezone.now()
    shown = actions.knock(open_department, "Shown")
    asleep = actions.knock(open_department, "Asleep")
    edge = actions.knock(open_department, "Edge")
    overslept = actions.knock(open_department, "Overslept")
    QueueEntry.objects.filter(pk__in=[asleep.pk, edge.pk, overslept.pk]).update(backgrounded_at=now)
    QueueEntry.objects.filter(pk__in=[shown.pk, asleep.pk]).update(
        seen_at=now - timedelta(seconds=121)
    )
    QueueEntry.objects.filter(pk=edge.pk).update(seen_at=now - timedelta(seconds=600))
    QueueEntry.objects.filter(pk=overslept.pk).update(seen_at=now - timedelta(seconds=601))

    assert actions.expire_stale(now) == 2

    assert dict(QueueEntry.objects.values_list("display_name", "state")) == {
        "Shown": "expired",
        "Asleep": "waiting",
        "Edge": "waiting",
        "Overslept": "expired",
    }


def test_expire_stale_without_background_leaves_backgrounded_places(open_department, graces):
    now = timezone.now()
    asleep = actions.knock(open_department, "Asleep")
    QueueEntry.objects.filter(pk=asleep.pk).update(
        backgrounded_at=now, seen_at=now - timedelta(hours=1)
    )
    assert (actions.expire_stale(now, background=False), actions.expire_stale(now)) == (0, 1)


def test_background_grace_is_never_shorter_than_the_normal_one(open_department, graces):
    graces.QUEUE_BACKGROUND_GRACE_SECONDS = 30
    now = timezone.now()
    asleep = actions.knock(open_department, "Asleep")
    QueueEntry.objects.filter(pk=asleep.pk).update(
        backgrounded_at=now, seen_at=now - timedelta(seconds=100)
    )
    assert actions.expire_stale(now) == 0


def missed(department, clerk, name="Ada"):
    """A citizen admitted while their page slept, whose call the staff member then ended
    before they came (an admission nobody answers puts them back by itself:
    test_unanswered_admissions)."""
    entry = actions.knock(department, name)
    actions.backgrounded(entry.pk)
    room = actions.admit(entry.pk, clerk)
    end_room(room.pk, room.participants.get(role=Role.STAFF))
    return entry, room


def test_rejoin_after_a_missed_call_waits_at_the_front(
    open_department, clerk, graces, django_capture_on_commit_callbacks
):
    actions.knock(open_department, "Before")
    booked = actions.knock(open_department, "Booked")
    QueueEntry.objects.filter(pk=booked.pk).update(booked_for=timezone.now())
    entry, room = missed(open_department, clerk)

    with django_capture_on_commit_callbacks() as callbacks:
        actions.rejoin_at_front(entry.pk)

    entry.refresh_from_db()
    order = queue.queue_order(list(queue.waiting_entries(open_department.pk)))
    assert (entry.state, entry.missed_call_at, entry.backgrounded_at, entry.resolved_by) == (
        EntryState.WAITING,
        room.created_at,
        None,
        None,
    )
    assert [e.display_name for e in order] == ["Ada", "Booked", "Before"]
    assert (queue.position_of(entry), len(callbacks)) == (1, 1)
    # The missed room keeps its record, and the citizen can be admitted to a new one.
    new_room = actions.admit(entry.pk, clerk)
    assert (Room.objects.get(pk=room.pk).queue_entry_id, new_room.queue_entry_id) == (
        None,
        entry.pk,
    )


def test_two_called_back_wait_in_the_order_they_were_called(open_department, clerk, graces):
    first, _ = missed(open_department, clerk, "First")
    second, _ = missed(open_department, clerk, "Second")
    actions.rejoin_at_front(second.pk)
    actions.rejoin_at_front(first.pk)
    order = queue.queue_order(list(queue.waiting_entries(open_department.pk)))
    assert [e.display_name for e in order] == ["First", "Second"]


def test_rejoin_twice_raises_not_waiting(open_department, clerk, graces):
    entry, _ = missed(open_department, clerk)
    actions.rejoin_at_front(entry.pk)
    with pytest.raises(NotWaiting):
        actions.rejoin_at_front(entry.pk)


def test_no_rejoin_for_a_citizen_called_while_shown(open_department, clerk, graces):
    entry = actions.knock(open_department, "Ada")
    room = actions.admit(entry.pk, clerk)
    end_room(room.pk, room.participants.get(role=Role.STAFF))
    entry.refresh_from_db()
    assert actions.missed_call(entry) is None
    with pytest.raises(NotWaiting):
        actions.rejoin_at_front(entry.pk)


def test_no_rejoin_for_a_citizen_who_came_to_the_call(open_department, clerk, graces):
    entry = actions.knock(open_department, "Ada")
    actions.backgrounded(entry.pk)
    room = actions.admit(entry.pk, clerk)
    touch_participant(room.participants.get(role=Role.CITIZEN))
    Room.objects.filter(pk=room.pk).update(ended_at=timezone.now())
    entry.refresh_from_db()
    assert actions.missed_call(entry) is None


def test_no_rejoin_once_the_background_grace_is_over(open_department, clerk, graces):
    entry, _ = missed(open_department, clerk)
    QueueEntry.objects.filter(pk=entry.pk).update(seen_at=timezone.now() - timedelta(seconds=601))
    with pytest.raises(NotWaiting):
        actions.rejoin_at_front(entry.pk)
