"""A call whose admitted citizen never arrives ends itself, with the reason, audited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from buergerbuero import notify
from buergerbuero.audit.models import AuditEvent
from buergerbuero.calls.actions import end_unanswered_rooms, touch_participant
from buergerbuero.calls.models import Role
from buergerbuero.waiting import actions

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def call(make_department, make_staff):
    department = make_department()
    clerk = make_staff(department)
    return actions.admit(actions.knock(department, "Ada").pk, clerk)


@pytest.fixture
def heard():
    events: list = []
    notify.listen(events.append)
    yield events
    notify.unlisten(events.append)


def test_a_call_whose_citizen_never_came_ends_after_the_time(call, settings, heard):
    settings.CALL_NO_SHOW_SECONDS = 90
    staff = call.participants.get(role=Role.STAFF)
    assert end_unanswered_rooms(now=timezone.now() + timedelta(seconds=60)) == 0
    assert end_unanswered_rooms(now=timezone.now() + timedelta(seconds=91)) == 1
    call.refresh_from_db()
    assert call.ended_at is not None
    assert [e for e in heard if isinstance(e, notify.RoomEnded)] == [
        notify.RoomEnded(call.pk, call.department_id, staff.pk, "citizen-absent")
    ]
    audit = AuditEvent.objects.get(object_id=call.pk)
    assert (audit.action, audit.actor_id, audit.detail) == ("end_call", None, "citizen-absent")


def test_a_call_whose_citizen_arrived_goes_on(call, settings):
    settings.CALL_NO_SHOW_SECONDS = 90
    touch_participant(call.participants.get(role=Role.CITIZEN))
    assert end_unanswered_rooms(now=timezone.now() + timedelta(seconds=600)) == 0
