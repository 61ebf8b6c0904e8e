"""Races settled in the database: real threads, real connections, one winner."""

import pytest

from buergerbuero.calls.models import Participant, Room
from buergerbuero.waiting import actions
from buergerbuero.waiting.errors import AlreadyHandled, QueueFull
from buergerbuero.waiting.models import EntryState, QueueEntry

from .races import race


@pytest.mark.django_db(transaction=True)
def test_admit_concurrent_two_staff_exactly_one_room(make_department, make_staff):
    department = make_department()
    first, second = make_staff(department), make_staff(department)
    entry = actions.knock(department, "Ada")

    results = race(lambda: actions.admit(entry.pk, first), lambda: actions.admit(entry.pk, second))

    rooms = [r for r in results if isinstance(r, Room)]
    refusals = [r for r in results if isinstance(r, AlreadyHandled)]
    assert (len(rooms), len(refusals)) == (1, 1), results
    assert list(Room.objects.values_list("pk", flat=True)) == [rooms[0].pk]
    assert Participant.objects.count() == 2
    entry.refresh_from_db()
    winner = first if results[0] is rooms[0] else second
    assert (entry.state, entry.resolved_by) == (EntryState.ADMITTED, winner)


@pytest.mark.django_db(transaction=True)
def test_admit_and_decline_concurrent_exactly_one_wins(make_department, make_staff):
    department = make_department()
    first, second = make_staff(department), make_staff(department)
    entry = actions.knock(department, "Ada")

    admitted, declined = race(
        lambda: actions.admit(entry.pk, first),
        lambda: actions.decline(entry.pk, second, "Heute nicht"),
    )

    entry.refresh_from_db()
    if isinstance(admitted, Room):
        assert (isinstance(declined, AlreadyHandled), entry.state, Room.objects.count()) == (
            True,
            EntryState.ADMITTED,
            1,
        )
    else:
        assert (isinstance(admitted, AlreadyHandled), entry.state, Room.objects.count()) == (
            True,
            EntryState.DECLINED,
            0,
        )


@pytest.mark.django_db(transaction=True)
def test_knock_concurrent_cap_holds(make_department, make_staff, settings):
    settings.MAX_WAITING_PER_DEPARTMENT = 2
    department = make_department()
    make_staff(department)

    results = race(*[lambda n=n: actions.knock(department, f"Citizen {n}") for n in range(4)])

    assert sorted(type(r).__name__ for r in results) == [
        "QueueEntry",
        "QueueEntry",
        "QueueFull",
        "QueueFull",
    ]
    assert all(isinstance(r, QueueEntry | QueueFull) for r in results)
    assert QueueEntry.objects.filter(state=EntryState.WAITING).count() == 2
