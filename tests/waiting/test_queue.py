from datetime import timedelta

import pytest
from django.utils import timezone

from buergerbuero.waiting import actions
from buergerbuero.waiting.queue import average_consultation_minutes, estimate_minutes, position_of

from ..factories import make_room


def test_position_of_follows_knock_order(open_department):
    entries = [actions.knock(open_department, name) for name in ("One", "Two", "Three")]
    assert [position_of(e) for e in entries] == [1, 2, 3]


def test_position_of_moves_up_when_someone_ahead_leaves(open_department):
    first, second, third = (
        actions.knock(open_department, name) for name in ("One", "Two", "Three")
    )
    actions.leave(first.pk)
    assert (position_of(second), position_of(third)) == (1, 2)


def test_position_of_ignores_other_departments(open_department, make_department, make_staff):
    other = make_department()
    make_staff(other)
    actions.knock(other, "Elsewhere")
    assert position_of(actions.knock(open_department, "Here")) == 1


@pytest.mark.parametrize(
    ("position", "average", "available", "free", "expected"),
    [
        (1, 10.0, 1, 1, 0),  # next in line, someone is free
        (1, 10.0, 1, 0, 5),  # next, but the current consultation is half done on average
        (2, 10.0, 1, 1, 10),
        (3, 10.0, 2, 1, 10),  # two ahead shared by two staff
        (3, 10.0, 2, 0, 15),
        (4, 7.0, 2, 2, 11),  # 3 * 7 / 2 = 10.5, rounded up
        (2, 10.0, 0, 0, 15),  # nobody available: counted as one server
        (1, 0.5, 1, 0, 1),  # a few seconds still round up to a minute
    ],
)
def test_estimate_minutes_math(position, average, available, free, expected):
    assert estimate_minutes(position, average, available, free) == expected


def test_average_consultation_minutes_default_without_history(open_department, settings):
    settings.DEFAULT_CONSULTATION_MINUTES = 7
    assert average_consultation_minutes(open_department.pk) == 7.0


def test_average_consultation_minutes_from_recent_ended_rooms(open_department, make_department):
    now = timezone.now()

    def room(department, minutes, ended_days_ago=0, ended=True):
        created = now - timedelta(days=ended_days_ago, minutes=minutes)
        ended_at = created + timedelta(minutes=minutes) if ended else None
        make_room(department, created_at=created, ended_at=ended_at)

    room(open_department, 6)
    room(open_department, 12, ended_days_ago=3)
    room(open_department, 60, ended_days_ago=31)  # too old to count
    room(open_department, 90, ended=False)  # still running
    room(make_department(), 100)  # another department
    assert average_consultation_minutes(open_department.pk, now) == 9.0
