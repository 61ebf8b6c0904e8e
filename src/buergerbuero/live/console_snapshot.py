"""What a staff console shows: its departments, their status and their queues."""

from django.utils import timezone

from buergerbuero.departments.status import department_state
from buergerbuero.staff.models import StaffProfile
from buergerbuero.waiting.models import EntryState, QueueEntry
from buergerbuero.waiting.queue import queue_order


def console_snapshot(profile_id: int) -> dict:
    profile = StaffProfile.objects.select_related("user").get(pk=profile_id)
    departments = list(profile.departments.filter(is_active=True).prefetch_related("hours"))
    waiting = queue_order(
        list(QueueEntry.objects.filter(department__in=departments, state=EntryState.WAITING))
    )
    by_department: dict[int, list[dict]] = {d.pk: [] for d in departments}
    for entry in waiting:
        by_department[entry.department_id].append(
            {
                "id": entry.pk,
                "name": entry.display_name,
                "topic": entry.topic,
                "language": entry.language,
                "since": entry.created_at.isoformat(),
                "booked_for": entry.booked_for.isoformat() if entry.booked_for else None,
            }
        )
    now = timezone.now()
    return {
        "type": "queues",
        "presence": profile.presence,
        "departments": [
            {
                "id": d.pk,
                "slug": d.slug,
                "name": d.name,
                "status": department_state(d, now).state,
                "time_zone": d.time_zone,
                "waiting": by_department[d.pk],
            }
            for d in departments
        ],
    }
