"""Knock, leave, admit, decline, message and expire: every change to the queue."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from buergerbuero.calls.models import Participant, Room
from buergerbuero.errors import NameRequired, TextRequired
from buergerbuero.waiting import actions
from buergerbuero.waiting.errors import AlreadyHandled, NotWaiting, OfficeClosed, QueueFull
from buergerbuero.waiting.models import EntryState, QueueEntry


def test_knock_creates_waiting_entry(open_department, django_capture_on_commit_callbacks):
    before = timezone.now()
    with django_capture_on_commit_callbacks() as callbacks:
        entry = actions.knock(
            open_department, "  Ada   Lovelace ", "Antrag\tElterngeld", "de-DE-x-verylongtag"
        )
    entry.refresh_from_db()
    assert (entry.department, entry.display_name, entry.topic, entry.language, entry.state) == (
        open_department,
        "Ada Lovelace",
        "Antrag Elterngeld",
        "de-DE-x-very",
        EntryState.WAITING,
    )
    assert entry.seen_at >= before
    assert len(callbacks) == 1  # the queue is told after the commit


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "\x00\x07\x1b", "\u200b\u2028"])
def test_knock_blank_or_control_only_name_raises(open_department, name):
    with pytest.raises(NameRequired):
        actions.knock(open_department, name)
    assert QueueEntry.objects.count() == 0


def test_knock_control_characters_become_spaces(open_department):
    entry = actions.knock(open_department, "Ada\x00Lovelace\x1b[31m", "a\r\nb")
    assert (entry.display_name, entry.topic) == ("Ada Lovelace [31m", "a b")


def test_knock_long_texts_are_cut_to_their_limits(open_department):
    entry = actions.knock(open_department, "x" * 100, "y" * 300)
    assert (len(entry.display_name), len(entry.topic)) == (60, 200)


def test_knock_closed_by_schedule_raises_office_closed(make_department, make_staff):
    department = make_department(hours=[])
    make_staff(department)
    with (
        translation.override("en"),
        pytest.raises(OfficeClosed, match=r"This office is closed right now\."),
    ):
        actions.knock(department, "Ada")
    assert QueueEntry.objects.count() == 0


def test_knock_without_available_staff_raises_office_closed(make_department, make_staff):
    department = make_department()
    make_staff(department, presence="paused")
    with pytest.raises(OfficeClosed):
        actions.knock(department, "Ada")


def test_knock_busy_office_still_takes_knocks(make_department, make_staff):
    # The only available staff member is in a call: the office is busy, and citizens may queue.
    department = make_department()
    clerk = make_staff(department)
    actions.admit(actions.knock(department, "First").pk, clerk)
    assert actions.knock(department, "Second").state == EntryState.WAITING


def test_knock_full_queue_raises_queue_full(open_department, settings):
    settings.MAX_WAITING_PER_DEPARTMENT = 2
    actions.knock(open_department, "One")
    actions.knock(open_department, "Two")
    with pytest.raises(QueueFull) as raised:
        actions.knock(open_department, "Three")
    with translation.override("en"):
        assert (raised.value.code, str(raised.value)) == (
            "queue_full",
            "Too many people are waiting right now. Please try again in a few minutes.",
        )
    with translation.override("de"):
        assert str(raised.value) == (
            "Gerade warten sehr viele Personen. Bitte versuchen Sie es in ein paar Minuten noch einmal."
        )
    assert QueueEntry.objects.filter(state=EntryState.WAITING).count() == 2


def test_knock_cap_counts_only_waiting_entries_of_this_department(
    open_department, make_department, make_staff, settings
):
    settings.MAX_WAITING_PER_DEPARTMENT = 1
    other = make_department()
    make_staff(other)
    actions.knock(other, "Elsewhere")
    actions.leave(actions.knock(open_department, "Gone").pk)
    assert actions.knock(open_department, "Welcome").state == EntryState.WAITING


def test_admit_opens_room_with_staff_and_citizen(open_department, clerk):
    entry = actions.knock(open_department, "Ada")
    room = actions.admit(entry.pk, clerk)
    entry.refresh_from_db()
    assert (entry.state, entry.resolved_by, entry.resolved_at is not None) == (
        EntryState.ADMITTED,
        clerk,
        True,
    )
    assert (room.department, room.queue_entry, room.ended_at) == (open_department, entry, None)
    assert [(p.role, p.display_name, p.user) for p in room.participants.order_by("role")] == [
        ("citizen", "Ada", None),
        ("staff", clerk.get_full_name(), clerk),
    ]


def test_admit_twice_raises_already_handled(open_department, clerk, make_staff):
    entry = actions.knock(open_department, "Ada")
    actions.admit(entry.pk, clerk)
    with (
        translation.override("en"),
        pytest.raises(AlreadyHandled, match=r"Someone else has already handled this knock\."),
    ):
        actions.admit(entry.pk, make_staff(open_department))
    assert (Room.objects.count(), Participant.objects.count()) == (1, 2)


def test_admit_after_leave_raises_not_waiting(open_department, clerk):
    # The citizen left: nobody "handled" it, it is just no longer waiting.
    entry = actions.knock(open_department, "Ada")
    actions.leave(entry.pk)
    with pytest.raises(NotWaiting):
        actions.admit(entry.pk, clerk)
    assert Room.objects.count() == 0


def test_decline_stores_cleaned_message(open_department, clerk):
    entry = actions.knock(open_department, "Ada")
    declined = actions.decline(entry.pk, clerk, "Bitte\x00 kommen Sie\n\nmorgen wieder.")
    assert (declined.state, declined.decline_message, declined.resolved_by) == (
        EntryState.DECLINED,
        "Bitte kommen Sie morgen wieder.",
        clerk,
    )


@pytest.mark.parametrize(
    ("message", "language", "stored"),
    [
        ("Please come back tomorrow.", "en", "en"),
        ("Bitte kommen Sie morgen wieder.", "de", ""),  # the office's own: empty
        ("Please come back tomorrow.", "xx", ""),  # not one of LANGUAGES
        ("", "en", ""),  # no message, no language
    ],
)
def test_decline_stores_the_language_of_the_message(
    open_department, clerk, message, language, stored
):
    entry = actions.knock(open_department, "Ada")
    declined = actions.decline(entry.pk, clerk, message, language)
    assert declined.decline_language == stored


def test_decline_admitted_entry_raises_already_handled(open_department, clerk):
    entry = actions.knock(open_department, "Ada")
    actions.admit(entry.pk, clerk)
    with pytest.raises(AlreadyHandled):
        actions.decline(entry.pk, clerk, "zu spät")
    entry.refresh_from_db()
    assert (entry.state, entry.decline_message) == (EntryState.ADMITTED, "")


def test_leave_twice_raises_not_waiting(open_department):
    entry = actions.knock(open_department, "Ada")
    assert actions.leave(entry.pk).state == EntryState.LEFT
    with (
        translation.override("en"),
        pytest.raises(NotWaiting, match=r"This place in the queue is no longer active\."),
    ):
        actions.leave(entry.pk)


def test_touch_refreshes_only_waiting_entries(open_department, clerk):
    waiting = actions.knock(open_department, "Waiting")
    admitted = actions.knock(open_department, "Admitted")
    actions.admit(admitted.pk, clerk)
    old = timezone.now() - timedelta(minutes=5)
    QueueEntry.objects.update(seen_at=old)
    actions.touch(waiting.pk)
    actions.touch(admitted.pk)
    waiting.refresh_from_db()
    admitted.refresh_from_db()
    assert (waiting.seen_at > old, admitted.seen_at) == (True, old)


def test_message_waiting_to_whole_queue_counts_recipients(open_department):
    actions.knock(open_department, "One")
    actions.knock(open_department, "Two")
    actions.leave(actions.knock(open_department, "Gone").pk)
    assert actions.message_waiting(open_department.pk, "Kurze Pause, gleich geht es weiter.") == 2


def test_message_waiting_to_one_entry(open_department):
    entry = actions.knock(open_department, "One")
    actions.knock(open_department, "Two")
    assert actions.message_waiting(open_department.pk, "Gleich sind Sie dran.", entry.pk) == 1


def test_message_waiting_to_entry_of_other_department_raises_not_waiting(
    open_department, make_department, make_staff
):
    other = make_department()
    make_staff(other)
    entry = actions.knock(other, "Elsewhere")
    with pytest.raises(NotWaiting):
        actions.message_waiting(open_department.pk, "Hallo", entry.pk)


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01"])
def test_message_waiting_empty_text_raises(open_department, text):
    with pytest.raises(TextRequired):
        actions.message_waiting(open_department.pk, text)


def test_expire_stale_respects_grace_period(open_department, clerk, settings):
    settings.QUEUE_GRACE_SECONDS = 120
    now = timezone.now()
    stale = actions.knock(open_department, "Stale")
    edge = actions.knock(open_department, "Edge")
    fresh = actions.knock(open_department, "Fresh")
    admitted = actions.knock(open_department, "Admitted")
    actions.admit(admitted.pk, clerk)
    QueueEntry.objects.filter(pk__in=[stale.pk, admitted.pk]).update(
        seen_at=now - timedelta(seconds=121)
    )
    QueueEntry.objects.filter(pk=edge.pk).update(seen_at=now - timedelta(seconds=120))
    QueueEntry.objects.filter(pk=fresh.pk).update(seen_at=now)

    assert actions.expire_stale(now) == 1

    states = dict(QueueEntry.objects.values_list("display_name", "state"))
    assert states == {
        "Stale": "expired",
        "Edge": "waiting",
        "Fresh": "waiting",
        "Admitted": "admitted",
    }
    assert QueueEntry.objects.get(pk=stale.pk).resolved_at == now


def test_expire_stale_nothing_stale_returns_zero(open_department):
    actions.knock(open_department, "Fresh")
    assert actions.expire_stale() == 0
