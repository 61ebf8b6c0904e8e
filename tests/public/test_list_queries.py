"""Citizens' list pages run a fixed number of queries, however many rows they show."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buergerbuero.bookings.models import AppointmentKind
from buergerbuero.calls.models import Participant, Role, Room
from buergerbuero.departments.models import Closure, OpeningHours
from buergerbuero.waiting.models import EntryState, QueueEntry

SIZES = [1, 6]


def busy_department(make_department, make_staff, n):
    """A department with an available clerk in a call, a free clerk and a citizen waiting;
    every other one closed for the day (Monday mornings only), so both states render."""
    hours = None if n % 2 == 0 else [(0, 8 * 60, 12 * 60)]
    department = make_department(summary=f"Summary {n}", hours=hours)
    in_call = make_staff(department)
    make_staff(department)
    room = Room.objects.create(department=department)
    Participant.objects.create(room=room, role=Role.STAFF, display_name="Sam", user=in_call)
    QueueEntry.objects.create(department=department, display_name="Ada", seen_at=timezone.now())
    return department


@pytest.fixture
def board_of(make_department, make_staff):
    def make(count):
        departments = [busy_department(make_department, make_staff, n) for n in range(count)]
        make_department(is_active=False)
        return departments

    return make


@pytest.mark.parametrize("count", SIZES)
def test_overview_query_count_is_constant(board_of, django_assert_num_queries, count):
    board_of(count)
    # The departments, then the board: departments, hours, staff links, staff in calls.
    with django_assert_num_queries(6):
        response = Client().get(reverse("public:overview"))
    assert response.status_code == 200
    assert len(response.context["departments"]) == count


@pytest.mark.parametrize("count", SIZES)
def test_status_json_query_count_is_constant(board_of, django_assert_num_queries, count):
    board_of(count)
    # The board: departments, hours, staff links, staff in calls.
    with django_assert_num_queries(5):
        response = Client().get(reverse("public:status_json"))
    assert response.status_code == 200
    assert len(response.json()["departments"]) == count


@pytest.mark.parametrize("count", SIZES)
def test_embedded_status_query_count_is_constant(board_of, django_assert_num_queries, count):
    board_of(count)
    # The board: departments, hours, staff links, staff in calls.
    with django_assert_num_queries(5):
        response = Client().get(reverse("public:embed_status"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == count


@pytest.mark.parametrize("count", SIZES)
def test_department_page_query_count_is_constant(
    make_department, make_staff, django_assert_num_queries, count
):
    department = make_department(hours=[])
    OpeningHours.objects.bulk_create(
        OpeningHours(
            department=department, weekday=day, opens_minute=n * 60, closes_minute=n * 60 + 30
        )
        for day in range(7)
        for n in range(count)
    )
    for n in range(count):
        make_staff(department)
        AppointmentKind.objects.create(department=department, name=f"Kind {n}")
        QueueEntry.objects.create(
            department=department, display_name=f"Citizen {n}", seen_at=timezone.now()
        )
        QueueEntry.objects.create(
            department=department,
            display_name=f"Gone {n}",
            state=EntryState.LEFT,
            seen_at=timezone.now() - timedelta(hours=1),
        )
    # Closed now whatever the time of day: the page then also offers the alternatives.
    Closure.objects.create(
        department=department,
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    # The department with its hours (prefetched), staff links, staff in calls, closures,
    # whether it takes bookings, upcoming closures; the alternatives: closures, its
    # related departments, appointment kinds, booking rules, closures and booked cells of
    # the booking horizon.
    with django_assert_num_queries(13):
        response = Client().get(reverse("public:department", args=[department.slug]))
    assert response.status_code == 200
    assert len(response.context["alternatives"].slots) == 3
    assert [len(day["ranges"]) for day in response.context["schedule"]] == [count] * 7
    assert response.context["state"].staff_available == count
