"""What a staff member's console shows: their departments, each with its status and the
citizens waiting there, in a fixed number of queries however many departments they serve
(every queue change rebuilds it for every console of the department)."""

from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from buergerbuero.office.status import OfficeStatus, department_states
from buergerbuero.staff.models import Presence, StaffProfile
from buergerbuero.values import IsoDateTime

from .models import EntryState, QueueEntry
from .queue import queue_order


class WaitingCitizen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    topic: str
    language: str
    since: IsoDateTime = Field(description="When they knocked or checked in.")
    booked_for: IsoDateTime | None = Field(
        description="The appointment's start for a booked citizen; null for a walk-in."
    )


class DeskDepartment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int
    slug: str
    name: str
    status: OfficeStatus
    time_zone: str = Field(description="The console shows times as wall-clock times here.")
    waiting: list[WaitingCitizen] = Field(description="In queue order: booked first.")


class Desk(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    presence: Presence
    departments: list[DeskDepartment]


def desk_of(profile_id: int) -> Desk:
    profile = StaffProfile.objects.get(pk=profile_id)
    departments = list(profile.departments.filter(is_active=True).prefetch_related("hours"))
    waiting = queue_order(
        list(QueueEntry.objects.filter(department__in=departments, state=EntryState.WAITING))
    )
    by_department: dict[int, list[WaitingCitizen]] = {d.pk: [] for d in departments}
    for entry in waiting:
        by_department[entry.department_id].append(
            WaitingCitizen(
                id=entry.pk,
                name=entry.display_name,
                topic=entry.topic,
                language=entry.language,
                since=entry.created_at,
                booked_for=entry.booked_for,
            )
        )
    states = department_states(departments, timezone.now())
    return Desk(
        presence=Presence(profile.presence),
        departments=[
            DeskDepartment(
                id=d.pk,
                slug=d.slug,
                name=d.name,
                status=states[d.pk].state,
                time_zone=d.time_zone,
                waiting=by_department[d.pk],
            )
            for d in departments
        ],
    )
