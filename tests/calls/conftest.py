import pytest

from buergerbuero.calls.models import Role
from buergerbuero.waiting import actions


@pytest.fixture
def make_room(make_department, make_staff):
    """A running consultation: a staff member admitted a citizen. Returns (room, staff, citizen)."""

    def make(citizen_name="Ada"):
        department = make_department()
        user = make_staff(department)
        room = actions.admit(actions.knock(department, citizen_name).pk, user)
        return (
            room,
            room.participants.get(role=Role.STAFF),
            room.participants.get(role=Role.CITIZEN),
        )

    return make
