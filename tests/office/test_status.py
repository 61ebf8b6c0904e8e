"""Open, busy or closed: the schedule, the staff's presence and their calls together."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from buergerbuero.calls.models import Participant, Role, Room
from buergerbuero.office.status import (
    DepartmentState,
    OfficeStatus,
    board,
    department_state,
)
from buergerbuero.staff.models import StaffProfile
from buergerbuero.waiting import actions

OPEN, BUSY, CLOSED = OfficeStatus.OPEN, OfficeStatus.BUSY, OfficeStatus.CLOSED

# 2026-11-23 is a Monday; Berlin is on UTC+1.
MONDAY_10_BERLIN = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
WEEKDAY_MORNINGS = [(day, 8 * 60, 12 * 60) for day in range(5)]


def see_staff_at(user, when):
    StaffProfile.objects.filter(user=user).update(seen_at=when)


def put_in_call(department, user):
    """A running consultation of `user`, the way admitting a citizen opens one."""
    entry = actions.knock(department, "Ada")
    return actions.admit(entry.pk, user)


def test_department_state_open_with_fresh_available_staff(make_department, make_staff):
    department = make_department()
    make_staff(department)
    assert department_state(department) == DepartmentState(OPEN, None, 1, 1)


def test_department_state_busy_when_every_available_staff_is_in_a_call(make_department, make_staff):
    department = make_department()
    user = make_staff(department)
    put_in_call(department, user)
    assert department_state(department) == DepartmentState(BUSY, None, 1, 0)


def test_department_state_open_while_one_of_two_staff_is_free(make_department, make_staff):
    department = make_department()
    user = make_staff(department)
    make_staff(department)
    put_in_call(department, user)
    assert department_state(department) == DepartmentState(OPEN, None, 2, 1)


def test_department_state_open_again_after_the_call_ends(make_department, make_staff):
    department = make_department()
    user = make_staff(department)
    room = put_in_call(department, user)
    Room.objects.filter(pk=room.pk).update(ended_at=timezone.now())
    assert department_state(department) == DepartmentState(OPEN, None, 1, 1)


def test_department_state_open_after_staff_left_the_call(make_department, make_staff):
    department = make_department()
    user = make_staff(department)
    room = put_in_call(department, user)
    Participant.objects.filter(room=room, role=Role.STAFF).update(left_at=timezone.now())
    assert department_state(department) == DepartmentState(OPEN, None, 1, 1)


def test_department_state_busy_call_in_another_department_counts(make_department, make_staff):
    # One person serving two departments is busy for both while in a call for one.
    first, second = make_department(), make_department()
    user = make_staff(first, second)
    put_in_call(first, user)
    assert department_state(second) == DepartmentState(BUSY, None, 1, 0)


def test_department_state_closed_when_seen_at_is_stale(make_department, make_staff, settings):
    settings.STAFF_PRESENCE_TIMEOUT_SECONDS = 90
    department = make_department()
    user = make_staff(department)
    now = timezone.now()
    see_staff_at(user, now - timedelta(seconds=91))
    assert department_state(department, now) == DepartmentState(CLOSED, None, 0, 0)


def test_department_state_open_at_the_edge_of_the_presence_timeout(
    make_department, make_staff, settings
):
    settings.STAFF_PRESENCE_TIMEOUT_SECONDS = 90
    department = make_department()
    user = make_staff(department)
    now = timezone.now()
    see_staff_at(user, now - timedelta(seconds=90))
    assert department_state(department, now) == DepartmentState(OPEN, None, 1, 1)


@pytest.mark.parametrize("presence", ["paused", "offline"])
def test_department_state_closed_when_staff_not_available(make_department, make_staff, presence):
    department = make_department()
    make_staff(department, presence=presence)
    assert department_state(department) == DepartmentState(CLOSED, None, 0, 0)


def test_department_state_closed_when_staff_user_inactive(make_department, make_staff):
    department = make_department()
    user = make_staff(department)
    user.is_active = False
    user.save()
    assert department_state(department) == DepartmentState(CLOSED, None, 0, 0)


def test_department_state_closed_without_any_staff(make_department):
    assert department_state(make_department()) == DepartmentState(CLOSED, None, 0, 0)


def test_department_state_staff_of_another_department_do_not_count(make_department, make_staff):
    department = make_department()
    make_staff(make_department())
    assert department_state(department) == DepartmentState(CLOSED, None, 0, 0)


def test_department_state_closed_by_schedule_despite_staff(make_department, make_staff):
    department = make_department(hours=WEEKDAY_MORNINGS)
    user = make_staff(department)
    evening = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)  # Monday 19:00 in Berlin
    see_staff_at(user, evening)
    assert department_state(department, evening) == DepartmentState(
        CLOSED, datetime(2026, 11, 24, 7, 0, tzinfo=UTC), 1, 1
    )


def test_department_state_within_hours_unstaffed_has_no_next_opening(make_department):
    # Staff may be back any minute: pointing at tomorrow's opening would mislead.
    department = make_department(hours=WEEKDAY_MORNINGS)
    assert department_state(department, MONDAY_10_BERLIN) == DepartmentState(CLOSED, None, 0, 0)


def test_department_state_outside_hours_unstaffed_shows_next_opening(make_department):
    department = make_department(hours=WEEKDAY_MORNINGS)
    evening = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)  # Friday 19:00 in Berlin
    assert department_state(department, evening) == DepartmentState(
        CLOSED, datetime(2026, 11, 30, 7, 0, tzinfo=UTC), 0, 0
    )


def test_department_state_open_by_schedule(make_department, make_staff):
    department = make_department(hours=WEEKDAY_MORNINGS)
    user = make_staff(department)
    see_staff_at(user, MONDAY_10_BERLIN)
    assert department_state(department, MONDAY_10_BERLIN) == DepartmentState(OPEN, None, 1, 1)


def test_board_rows_exact(make_department, make_staff):
    open_one = make_department(slug="wohngeld", name="Wohngeld", position=1)
    weekend = make_department(
        slug="kataster",
        name="Kataster",
        position=2,
        hours=[(5, 9 * 60, 13 * 60)],
        time_zone="Europe/Vienna",
    )
    busy_one = make_department(slug="bafoeg", name="BAföG", position=0)
    make_department(slug="archiv", name="Archiv", is_active=False)
    unstaffed = make_department(slug="kfz", name="Kfz", position=3)
    see_staff_at(make_staff(open_one, weekend), MONDAY_10_BERLIN)
    busy_user = make_staff(busy_one)
    put_in_call(busy_one, busy_user)
    see_staff_at(busy_user, MONDAY_10_BERLIN)
    assert unstaffed.pk

    # As JSON, exactly what status.json and the status socket carry.
    assert [row.model_dump(mode="json") for row in board(MONDAY_10_BERLIN)] == [
        {
            "slug": "bafoeg",
            "name": "BAföG",
            "state": "busy",
            "next_opening": None,
            "time_zone": "Europe/Berlin",
        },
        {
            "slug": "wohngeld",
            "name": "Wohngeld",
            "state": "open",
            "next_opening": None,
            "time_zone": "Europe/Berlin",
        },
        {
            "slug": "kataster",
            "name": "Kataster",
            "state": "closed",
            "next_opening": "2026-11-28T08:00:00+00:00",  # Saturday 09:00 in Vienna
            "time_zone": "Europe/Vienna",
        },
        {
            "slug": "kfz",
            "name": "Kfz",
            "state": "closed",
            "next_opening": None,
            "time_zone": "Europe/Berlin",
        },
    ]


def test_board_no_departments_is_empty(db):
    assert board() == []


def add_staffed_department(make_department, make_staff, n):
    department = make_department()
    user = make_staff(department)
    if n % 2:
        put_in_call(department, user)


@pytest.mark.parametrize("count", [1, 8])
def test_board_query_count_does_not_grow_with_departments(
    make_department, make_staff, django_assert_num_queries, count
):
    for n in range(count):
        add_staffed_department(make_department, make_staff, n)
    # Departments, their hours, staff links, staff in calls.
    with django_assert_num_queries(5):
        rows = board()
    assert len(rows) == count
