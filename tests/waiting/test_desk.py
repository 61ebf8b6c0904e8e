"""What a staff console shows: every department the member serves, its status and its
queue in order, in the same number of queries for one department or ten."""

import pytest

from buergerbuero.calls.models import Participant, Role
from buergerbuero.office.status import OfficeStatus
from buergerbuero.waiting import actions
from buergerbuero.waiting.desk import desk_of

# The profile, its departments, their hours, the waiting entries, then the staffing
# (staff links and staff in calls): six, however many departments.
DESK_QUERIES = 7


@pytest.mark.parametrize("count", [1, 10])
def test_desk_query_count_does_not_grow_with_departments(
    make_department, make_staff, django_assert_num_queries, count
):
    departments = [make_department() for _ in range(count)]
    clerk = make_staff(*departments)
    colleague = make_staff(departments[0])
    for department in departments:
        actions.knock(department, "Ada")
        actions.knock(department, "Bob")
    actions.admit(actions.knock(departments[0], "Cem").pk, colleague)
    with django_assert_num_queries(DESK_QUERIES):
        desk = desk_of(clerk.staff_profile.pk)
    assert [len(d.waiting) for d in desk.departments] == [2] * count


def test_desk_shows_status_and_queue_in_order(make_department, make_staff):
    busy = make_department(name="Busy", position=0)
    calm = make_department(name="Calm", position=1)
    clerk = make_staff(busy, calm)
    first = actions.knock(busy, "First")
    second = actions.knock(busy, "Second")
    room = actions.admit(actions.knock(calm, "Third").pk, clerk)
    assert Participant.objects.filter(room=room, role=Role.STAFF).exists()

    desk = desk_of(clerk.staff_profile.pk)

    assert desk.model_dump(mode="json") == {
        "presence": "available",
        "departments": [
            {
                "id": busy.pk,
                "slug": busy.slug,
                "name": "Busy",
                "status": OfficeStatus.BUSY.value,
                "time_zone": "Europe/Berlin",
                "waiting": [
                    {
                        "id": entry.pk,
                        "name": entry.display_name,
                        "topic": "",
                        "language": "",
                        "since": entry.created_at.isoformat(),
                        "booked_for": None,
                    }
                    for entry in (first, second)
                ],
            },
            {
                "id": calm.pk,
                "slug": calm.slug,
                "name": "Calm",
                "status": OfficeStatus.BUSY.value,
                "time_zone": "Europe/Berlin",
                "waiting": [],
            },
        ],
    }
