"""What a staff console shows: one queue of every department the member serves, in the
office's order, and one line per department, in the same number of queries for one
department or ten, two citizens or forty."""

from datetime import timedelta

import pytest
from django.utils import timezone

from buergerbuero.calls.models import Participant, Role
from buergerbuero.office.status import OfficeStatus
from buergerbuero.waiting import actions
from buergerbuero.waiting.desk import desk_of
from buergerbuero.waiting.models import QueueEntry

# The memberships, their departments, their hours, the coming closures, the waiting
# entries, then the staffing (staff links and staff in calls): seven, however many
# departments and citizens.
DESK_QUERIES = 7


@pytest.mark.parametrize(("count", "per_department"), [(1, 1), (10, 4)])
def test_desk_query_count_does_not_grow_with_departments_or_citizens(
    make_department, make_staff, django_assert_num_queries, count, per_department
):
    departments = [make_department() for _ in range(count)]
    clerk = make_staff(*departments)
    colleague = make_staff(departments[0])
    for department in departments:
        for n in range(per_department):
            actions.knock(department, f"Citizen {n}")
    actions.admit(actions.knock(departments[0], "Cem").pk, colleague)
    with django_assert_num_queries(DESK_QUERIES):
        desk = desk_of(clerk.staff_profile.pk)
    assert ([d.waiting for d in desk.departments], len(desk.waiting)) == (
        [per_department] * count,
        count * per_department,
    )


def test_desk_is_one_queue_in_the_office_order(make_department, make_staff):
    busy = make_department(name="Busy", position=0)
    calm = make_department(name="Calm", position=1)
    clerk = make_staff(busy, calm)
    first = actions.knock(busy, "First")
    second = actions.knock(calm, "Second")
    third = actions.knock(busy, "Third")
    booked = actions.knock(calm, "Booked")
    appointment = timezone.now() - timedelta(minutes=1)
    QueueEntry.objects.filter(pk=booked.pk).update(booked_for=appointment)
    gone_at = timezone.now()
    QueueEntry.objects.filter(pk=second.pk).update(disconnected_at=gone_at)
    asleep_at = timezone.now()
    QueueEntry.objects.filter(pk=third.pk).update(backgrounded_at=asleep_at)
    called_back = actions.knock(busy, "Called Back")
    called_at = timezone.now() - timedelta(minutes=3)
    QueueEntry.objects.filter(pk=called_back.pk).update(missed_call_at=called_at)
    room = actions.admit(actions.knock(calm, "Admitted").pk, clerk)
    assert Participant.objects.filter(room=room, role=Role.STAFF).exists()

    desk = desk_of(clerk.staff_profile.pk)

    def row(entry, department, booked_for=None, gone_since=None, background=None, called=None):
        entry.refresh_from_db()
        return {
            "id": entry.pk,
            "department": department.pk,
            "name": entry.display_name,
            "topic": "",
            "language": "",
            "since": entry.created_at.isoformat(),
            "booked_for": booked_for,
            "gone_since": gone_since,
            "background_since": background,
            "called_at": called,
            "passed_on_from": None,
            "note": "",
        }

    assert desk.model_dump(mode="json") == {
        "departments": [
            {
                "id": d.pk,
                "slug": d.slug,
                "name": d.name,
                "status": OfficeStatus.BUSY.value,
                "presence": "available",
                "waiting": waiting,
                "time_zone": "Europe/Berlin",
            }
            for d, waiting in ((busy, 3), (calm, 2))
        ],
        "waiting": [
            row(called_back, busy, called=called_at.isoformat()),
            row(booked, calm, booked_for=appointment.isoformat()),
            row(first, busy),
            row(second, calm, gone_since=gone_at.isoformat()),
            row(third, busy, background=asleep_at.isoformat()),
        ],
    }


def test_desk_of_some_departments(make_department, make_staff):
    a, b = make_department(), make_department()
    clerk = make_staff(a, b)
    actions.knock(a, "Ada")
    bob = actions.knock(b, "Bob")
    desk = desk_of(clerk.staff_profile.pk, [b.pk])
    assert ([d.id for d in desk.departments], [w.id for w in desk.waiting]) == ([b.pk], [bob.pk])
