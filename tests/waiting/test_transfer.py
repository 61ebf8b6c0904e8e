"""Passing a waiting citizen on to another department, and the citizen's replies."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from buergerbuero import notify
from buergerbuero.audit.models import Action, AuditEvent
from buergerbuero.errors import TextRequired
from buergerbuero.waiting import actions
from buergerbuero.waiting.desk import desk_of
from buergerbuero.waiting.errors import (
    AlreadyHandled,
    NotAllowed,
    NotWaiting,
    SameDepartment,
    TargetClosed,
    TooManyReplies,
)
from buergerbuero.waiting.models import EntryState, QueueEntry


@pytest.fixture
def events():
    heard: list = []
    notify.listen(heard.append)
    yield heard
    notify.unlisten(heard.append)


@pytest.fixture
def meldewesen(make_department, make_staff):
    """A second open department, with a colleague of its own."""
    department = make_department(slug="meldewesen", name="Meldewesen")
    make_staff(department)
    return department


def _knock_at(department, name, minutes_ago):
    entry = actions.knock(department, name)
    QueueEntry.objects.filter(pk=entry.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return entry


def test_transfer_keeps_knock_time_and_takes_its_place_in_the_order(
    department, clerk, meldewesen, make_staff, django_capture_on_commit_callbacks, events
):
    early = _knock_at(department, "Ada", 30)
    _knock_at(meldewesen, "Grace", 40)
    _knock_at(meldewesen, "Linus", 10)
    knocked = QueueEntry.objects.get(pk=early.pk).created_at
    with django_capture_on_commit_callbacks(execute=True):
        moved = actions.transfer(early.pk, meldewesen.pk, clerk, "  Needs\ta registration ")
    assert (
        moved.department_id,
        moved.created_at,
        moved.state,
        moved.transferred_from_id,
        moved.transfer_note,
    ) == (meldewesen.pk, knocked, EntryState.WAITING, department.pk, "Needs a registration")
    colleague = make_staff(meldewesen)
    desk = desk_of(colleague.staff_profile.pk)
    assert [(c.name, c.passed_on_from, c.note) for c in desk.waiting] == [
        ("Grace", None, ""),
        ("Ada", "Wohngeld", "Needs a registration"),
        ("Linus", None, ""),
    ]
    assert events == [
        notify.EntryTransferred(
            early.pk, department.pk, meldewesen.pk, "Meldewesen", "meldewesen", ""
        ),
    ]


def test_transfer_is_audited_without_the_note(department, clerk, meldewesen):
    entry = actions.knock(department, "Ada")
    actions.transfer(entry.pk, meldewesen.pk, clerk, "Ada's file 4711")
    event = AuditEvent.objects.get(action=Action.TRANSFER)
    assert (
        event.actor,
        event.department_id,
        event.object_type,
        event.object_id,
        event.detail,
    ) == (
        clerk,
        department.pk,
        "queue_entry",
        entry.pk,
        f"to department {meldewesen.pk}, with note",
    )


def test_transfer_tells_the_citizen_the_note_only_when_asked(
    department, clerk, meldewesen, django_capture_on_commit_callbacks, events
):
    entry = actions.knock(department, "Ada")
    with django_capture_on_commit_callbacks(execute=True):
        actions.transfer(entry.pk, meldewesen.pk, clerk, "Please bring your ID", tell_citizen=True)
    assert events[-1] == notify.EntryTransferred(
        entry.pk, department.pk, meldewesen.pk, "Meldewesen", "meldewesen", "Please bring your ID"
    )


def test_transfer_note_is_cut_to_200_characters(department, clerk, meldewesen):
    entry = actions.knock(department, "Ada")
    assert len(actions.transfer(entry.pk, meldewesen.pk, clerk, "x" * 300).transfer_note) == 200


def test_transfer_to_closed_department_raises_target_closed(
    department, clerk, make_department, make_staff
):
    closed = make_department(hours=[])
    make_staff(closed)
    unstaffed = make_department()
    inactive = make_department(is_active=False)
    make_staff(inactive)
    entry = actions.knock(department, "Ada")
    for target in (closed.pk, unstaffed.pk, inactive.pk, 999_999):
        with translation.override("en"), pytest.raises(TargetClosed, match="not open right now"):
            actions.transfer(entry.pk, target, clerk)
    entry.refresh_from_db()
    assert (entry.department_id, AuditEvent.objects.filter(action=Action.TRANSFER).count()) == (
        department.pk,
        0,
    )


def test_transfer_by_member_of_another_department_raises_not_allowed(
    department, meldewesen, make_staff
):
    make_staff(department)
    outsider = make_staff(meldewesen)
    entry = actions.knock(department, "Ada")
    with pytest.raises(NotAllowed):
        actions.transfer(entry.pk, meldewesen.pk, outsider)
    assert QueueEntry.objects.get(pk=entry.pk).department_id == department.pk


def test_transfer_to_own_department_raises_same_department(department, clerk):
    entry = actions.knock(department, "Ada")
    with pytest.raises(SameDepartment):
        actions.transfer(entry.pk, department.pk, clerk)


def test_transfer_of_unknown_or_resolved_entry_raises_not_waiting(department, clerk, meldewesen):
    entry = actions.knock(department, "Ada")
    actions.leave(entry.pk)
    for entry_id in (entry.pk, "unknown"):
        with pytest.raises(NotWaiting):
            actions.transfer(entry_id, meldewesen.pk, clerk)


def test_transfer_after_admission_raises_already_handled(
    department, clerk, meldewesen, make_staff, monkeypatch
):
    # Admitted between reading the entry and moving it: the move finds no waiting row.
    entry = actions.knock(department, "Ada")
    other = make_staff(department)
    real = actions.department_state

    def admit_meanwhile(target, now=None):
        actions.admit(entry.pk, other)
        return real(target, now)

    monkeypatch.setattr(actions, "department_state", admit_meanwhile)
    with pytest.raises(AlreadyHandled):
        actions.transfer(entry.pk, meldewesen.pk, clerk)


def test_reply_is_announced_to_the_department_and_never_stored(department, clerk, events):
    entry = actions.knock(department, "Ada")
    before = timezone.now()
    actions.reply(entry.pk, "  My file number is\t4711 ")
    (event,) = events[-1:]
    assert (event.department_id, event.entry_id, event.text) == (
        department.pk,
        entry.pk,
        "My file number is 4711",
    )
    assert event.at >= before
    stored = [
        str(value) for row in QueueEntry.objects.values_list() for value in row if value is not None
    ] + [str(value) for row in AuditEvent.objects.values_list() for value in row]
    assert [value for value in stored if "4711" in value] == []


@pytest.mark.parametrize("text", ["", "   ", "\u200b"])
def test_reply_empty_text_raises(department, clerk, text):
    entry = actions.knock(department, "Ada")
    with pytest.raises(TextRequired):
        actions.reply(entry.pk, text)


def test_reply_is_cut_to_500_characters(department, clerk, events):
    entry = actions.knock(department, "Ada")
    actions.reply(entry.pk, "x" * 600)
    assert len(events[-1].text) == 500


def test_reply_from_resolved_entry_raises_not_waiting(department, clerk):
    entry = actions.knock(department, "Ada")
    actions.leave(entry.pk)
    with pytest.raises(NotWaiting):
        actions.reply(entry.pk, "Hello")


def test_reply_over_the_limit_raises_too_many_replies(department, clerk, settings, events):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reply": (2, 300)}
    entry = actions.knock(department, "Ada")
    other = actions.knock(department, "Grace")
    actions.reply(entry.pk, "one")
    actions.reply(entry.pk, "two")
    with pytest.raises(TooManyReplies):
        actions.reply(entry.pk, "three")
    # Counted per place in the queue: another citizen still gets through.
    actions.reply(other.pk, "mine")
    assert [e.text for e in events if isinstance(e, notify.CitizenReplied)] == [
        "one",
        "two",
        "mine",
    ]
