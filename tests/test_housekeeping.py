"""Housekeeping expires nobody for time in which the office could not hear them: after a
start or a database outage, only once the database has answered for a whole grace period."""

from datetime import timedelta

import pytest
from django.utils import timezone

from buergerbuero import housekeeping
from buergerbuero.waiting.models import EntryState, QueueEntry

from .factories import make_queue_entry


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_hearing_counts_only_unbroken_time():
    clock = Clock()
    hearing = housekeeping.Hearing(clock)
    assert hearing.unbroken_for(0) is False  # never heard yet
    hearing.heard()
    clock.now += 30
    hearing.heard()  # a later tick does not restart the count
    assert hearing.unbroken_for(30) is True
    hearing.lost()
    hearing.heard()
    clock.now += 29
    assert (hearing.unbroken_for(30), hearing.unbroken_for(29)) == (False, True)


@pytest.fixture
def fresh_hearing(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(housekeeping, "hearing", housekeeping.Hearing(clock))
    return clock


def test_nobody_expires_before_the_database_was_heard_for_a_grace_period(
    db, make_department, settings, fresh_hearing
):
    settings.QUEUE_GRACE_SECONDS = 120
    department = make_department()
    ten_minutes_ago = timezone.now() - timedelta(minutes=10)
    stale = make_queue_entry(
        department, created_at=ten_minutes_ago, seen_at=ten_minutes_ago, display_name="Ada"
    )
    housekeeping.run_due_work()  # first tick of the process: heard from now on
    fresh_hearing.now += 119
    housekeeping.run_due_work()
    assert QueueEntry.objects.get(pk=stale.pk).state == EntryState.WAITING
    fresh_hearing.now += 1
    housekeeping.run_due_work()
    assert QueueEntry.objects.get(pk=stale.pk).state == EntryState.EXPIRED


def test_a_sleeping_tab_expires_only_after_the_background_grace_was_heard(
    db, make_department, settings, fresh_hearing
):
    settings.QUEUE_GRACE_SECONDS = 120
    settings.QUEUE_BACKGROUND_GRACE_SECONDS = 600
    department = make_department()
    an_hour_ago = timezone.now() - timedelta(hours=1)
    asleep = make_queue_entry(
        department, created_at=an_hour_ago, seen_at=an_hour_ago, display_name="Ada"
    )
    QueueEntry.objects.filter(pk=asleep.pk).update(backgrounded_at=an_hour_ago)
    housekeeping.run_due_work()
    fresh_hearing.now += 599
    housekeeping.run_due_work()
    assert QueueEntry.objects.get(pk=asleep.pk).state == EntryState.WAITING
    fresh_hearing.now += 1
    housekeeping.run_due_work()
    assert QueueEntry.objects.get(pk=asleep.pk).state == EntryState.EXPIRED
