from datetime import timedelta

import pytest
from django.utils import timezone

from buergerbuero.calls.actions import end_abandoned_rooms, issue_invitation, touch_participant
from buergerbuero.calls.models import Invitation, Participant, Role, Room
from buergerbuero.office.status import department_state
from buergerbuero.waiting import actions


@pytest.fixture
def consultation(make_department, make_staff):
    department = make_department()
    user = make_staff(department)
    entry = actions.knock(department, "Bürgerin")
    room = actions.admit(entry.pk, user)
    return department, room


def test_end_abandoned_rooms_ends_a_room_whose_staff_is_gone(consultation, settings):
    department, room = consultation
    settings.ROOM_ABANDON_SECONDS = 120
    later = timezone.now() + timedelta(seconds=121)
    # The staff member keeps the presence fresh elsewhere, but has left the call page.
    assert department_state(department).state == "busy"
    assert end_abandoned_rooms(now=later) == 1
    room.refresh_from_db()
    assert room.ended_at is not None
    assert Participant.objects.filter(room=room, left_at__isnull=True).count() == 0
    assert department_state(department).state == "open"


def test_end_abandoned_rooms_keeps_a_room_with_staff_present(consultation, settings):
    _department, room = consultation
    settings.ROOM_ABANDON_SECONDS = 120
    staff = room.participants.get(role=Role.STAFF)
    Participant.objects.filter(pk=staff.pk).update(seen_at=timezone.now() - timedelta(seconds=100))
    touch_participant(staff)
    assert end_abandoned_rooms(now=timezone.now() + timedelta(seconds=60)) == 0
    assert Room.objects.get(pk=room.pk).ended_at is None


def test_end_abandoned_rooms_empties_the_invitation_labels(consultation, settings):
    _department, room = consultation
    settings.ROOM_ABANDON_SECONDS = 120
    invitation = issue_invitation(
        room.pk, room.participants.get(role=Role.STAFF), label="Dolmetscher Petrenko"
    )
    assert end_abandoned_rooms(now=timezone.now() + timedelta(seconds=121)) == 1
    assert Invitation.objects.get(pk=invitation.pk).label == ""
