"""What a staff member's console shows: one queue of the citizens waiting in the
departments they serve, in the office's order, and one line per department (its status,
the member's presence there, how many wait), in a fixed number of queries however many
departments and citizens there are (every queue change rebuilds it for every console of
the department, so `department_ids` narrows it to the departments that changed)."""

from collections import Counter
from collections.abc import Iterable

from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from buergerbuero.departments.models import Department
from buergerbuero.office.status import OfficeStatus, department_states
from buergerbuero.staff.models import Membership, Presence
from buergerbuero.values import IsoDateTime

from .models import EntryState, QueueEntry
from .queue import queue_order


class WaitingCitizen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    department: int = Field(description="The department's id (see `departments`).")
    name: str
    topic: str
    language: str
    since: IsoDateTime = Field(description="When they knocked or checked in.")
    booked_for: IsoDateTime | None = Field(
        description="The appointment's start for a booked citizen; null for a walk-in."
    )
    gone_since: IsoDateTime | None = Field(
        description="Since when their waiting room's connection is gone; null while connected."
    )
    background_since: IsoDateTime | None = Field(
        description="Since when their waiting room's page is in the background (hidden, "
        "perhaps suspended by a phone): not present, though their place is kept for "
        "QUEUE_BACKGROUND_GRACE_SECONDS; null while the page is shown."
    )
    called_at: IsoDateTime | None = Field(
        description="When they were called while their page was in the background; they "
        "missed that call and came back, so they wait at the front. Null otherwise."
    )
    passed_on_from: str | None = Field(
        description="The department (its name) that passed them on to this one; null if "
        "they knocked here."
    )
    note: str = Field(description="The note of the colleague who passed them on; may be empty.")


class DeskDepartment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int
    slug: str
    name: str
    status: OfficeStatus
    presence: Presence = Field(description="The member's own presence in this department.")
    waiting: int = Field(ge=0, description="How many citizens wait here.")
    time_zone: str = Field(description="The console shows times as wall-clock times here.")


class Desk(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    departments: list[DeskDepartment]
    waiting: list[WaitingCitizen] = Field(
        description="Of these departments, in the office's order: those who missed their "
        "call while in the background first (by `called_at`), then booked citizens at "
        "their time, then by arrival."
    )


def desk_of(profile_id: int, department_ids: Iterable[int] | None = None) -> Desk:
    """The member's desk, or the part of it for `department_ids` (those they serve)."""
    memberships = Membership.objects.filter(profile_id=profile_id, department__is_active=True)
    if department_ids is not None:
        memberships = memberships.filter(department_id__in=list(department_ids))
    presence = dict(memberships.values_list("department_id", "presence"))
    departments = list(Department.objects.filter(pk__in=list(presence)).prefetch_related("hours"))
    waiting = queue_order(
        list(
            QueueEntry.objects.filter(
                department_id__in=list(presence), state=EntryState.WAITING
            ).select_related("transferred_from")
        )
    )
    counts = Counter(entry.department_id for entry in waiting)
    states = department_states(departments, timezone.now())
    return Desk(
        departments=[
            DeskDepartment(
                id=d.pk,
                slug=d.slug,
                name=d.name,
                status=states[d.pk].state,
                presence=Presence(presence[d.pk]),
                waiting=counts[d.pk],
                time_zone=d.time_zone,
            )
            for d in departments
        ],
        waiting=[waiting_citizen(entry) for entry in waiting],
    )


def waiting_citizen(entry: QueueEntry) -> WaitingCitizen:
    """The console's row of one waiting citizen (`transferred_from` selected with it)."""
    return WaitingCitizen(
        id=entry.pk,
        department=entry.department_id,
        name=entry.display_name,
        topic=entry.topic,
        language=entry.language,
        since=entry.created_at,
        booked_for=entry.booked_for,
        gone_since=entry.disconnected_at,
        background_since=entry.backgrounded_at,
        called_at=entry.missed_call_at,
        passed_on_from=entry.transferred_from.name if entry.transferred_from else None,
        note=entry.transfer_note,
    )


def joined(entry_id: str) -> tuple[WaitingCitizen, int] | None:
    """The row of a citizen who just joined a queue and how many wait there now, in two
    queries: what a console needs to show a knock without reading the whole department.
    None when they no longer wait (left again before this was asked)."""
    entry = (
        QueueEntry.objects.filter(pk=entry_id, state=EntryState.WAITING)
        .select_related("transferred_from")
        .first()
    )
    if entry is None:
        return None
    count = QueueEntry.objects.filter(
        department_id=entry.department_id, state=EntryState.WAITING
    ).count()
    return waiting_citizen(entry), count
