"""Staff presence, per department: set it, keep it alive, end it when the member goes.

A member chooses for each of their departments whether they serve it now (available),
are away for a moment (paused) or not at all (offline). Signing in starts offline;
signing out, closing the last console tab or losing its connection sets every department
offline (`console_closed`, `signed_out`). The heartbeat (`seen_at`,
STAFF_PRESENCE_TIMEOUT_SECONDS) stays the safety net for a process that died with the
sockets it held: "available" counts only while it is fresh.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from buergerbuero import notify
from buergerbuero.calls.models import Participant
from buergerbuero.calls.models import Role as CallRole

from .models import ConsoleConnection, Membership, Presence, StaffProfile


def _fresh_since(now=None):
    now = now or timezone.now()
    return now - timedelta(seconds=settings.STAFF_PRESENCE_TIMEOUT_SECONDS)


def set_presence(
    profile: StaffProfile, presence: str, department_ids: Iterable[int] | None = None
) -> tuple[int, ...]:
    """Set the member's presence in `department_ids` (all their departments when None);
    the departments whose presence changed, which alone are announced."""
    if presence not in Presence.values:
        # Sockets and forms offer only known values: this is a programming error.
        raise ValueError(f"unknown presence {presence!r}")
    now = timezone.now()
    memberships = Membership.objects.filter(profile_id=profile.pk, department__is_active=True)
    if department_ids is not None:
        memberships = memberships.filter(department_id__in=list(department_ids))
    with transaction.atomic():
        rows = list(memberships.select_for_update().values_list("department_id", "presence"))
        seen_at = StaffProfile.objects.filter(pk=profile.pk).values_list("seen_at", flat=True)[0]
        stale = seen_at is None or seen_at < _fresh_since(now)
        # A member whose heartbeat had lapsed counted as away even where "available" was
        # stored: choosing "available" again makes them count, which the board must hear.
        changed = tuple(
            sorted(
                department_id
                for department_id, old in rows
                if old != presence or (stale and presence == Presence.AVAILABLE)
            )
        )
        if changed:
            Membership.objects.filter(profile_id=profile.pk, department_id__in=changed).update(
                presence=presence
            )
        StaffProfile.objects.filter(pk=profile.pk).update(seen_at=now)
        profile.seen_at = now
    if changed:
        notify.announce_on_commit(notify.StaffingChanged(changed))
    return changed


def go_offline(profile: StaffProfile) -> tuple[int, ...]:
    """Offline in every department (signed out, last console closed, or signing in)."""
    return set_presence(profile, Presence.OFFLINE)


def presence_of(profile_id: int) -> dict[int, str]:
    return dict(
        Membership.objects.filter(profile_id=profile_id).values_list("department_id", "presence")
    )


def heartbeat(profile: StaffProfile) -> None:
    StaffProfile.objects.filter(pk=profile.pk).update(seen_at=timezone.now())


def console_opened(profile: StaffProfile, channel: str) -> None:
    now = timezone.now()
    ConsoleConnection.objects.update_or_create(
        channel=channel, defaults={"profile": profile, "seen_at": now}
    )
    StaffProfile.objects.filter(pk=profile.pk).update(seen_at=now)


def console_seen(profile: StaffProfile, channel: str) -> None:
    now = timezone.now()
    ConsoleConnection.objects.filter(channel=channel).update(seen_at=now)
    StaffProfile.objects.filter(pk=profile.pk).update(seen_at=now)


def console_closed(channel: str) -> None:
    ConsoleConnection.objects.filter(channel=channel).delete()


def release_if_absent(profile: StaffProfile) -> tuple[int, ...]:
    """Offline everywhere unless the member still has a console open (in any process) or
    is in a call: called a few seconds after a console socket closed, so that going from
    the console to a call page, or a reload, does not count as leaving."""
    if has_console(profile.pk) or in_call(profile.user_id):
        return ()
    return go_offline(profile)


def has_console(profile_id: int, now=None) -> bool:
    return ConsoleConnection.objects.filter(
        profile_id=profile_id, seen_at__gte=_fresh_since(now)
    ).exists()


def in_call(user_id: int) -> bool:
    return Participant.objects.filter(
        user_id=user_id, role=CallRole.STAFF, left_at__isnull=True, room__ended_at__isnull=True
    ).exists()


def signed_in(user) -> None:
    """Signing in starts offline, unless a console of the member is open elsewhere."""
    profile = StaffProfile.objects.filter(user=user).first()
    if profile is not None and not has_console(profile.pk):
        go_offline(profile)


def signed_out(user) -> None:
    profile = StaffProfile.objects.filter(user=user).first() if user is not None else None
    if profile is not None:
        go_offline(profile)


def available_memberships(now=None):
    """Memberships whose "available" is backed by a recently seen console or call."""
    return Membership.objects.filter(
        presence=Presence.AVAILABLE,
        profile__seen_at__gte=_fresh_since(now),
        profile__user__is_active=True,
    )


@dataclass(frozen=True)
class PresentNow:
    """Where a member is now, as the office counts it (the staff list's "who is present
    where"): a console or call connection, and their presence in each department."""

    console: bool
    call: bool
    # (department name, presence now, its label), in the office's order of departments.
    departments: tuple[tuple[str, str, str], ...]


def present_now(profiles, now=None) -> dict[int, PresentNow]:
    """For each profile (memberships and departments prefetched): its presence as the
    status board counts it. A stored "available" or "paused" counts only while the
    member's console or call keeps `seen_at` fresh (`available_memberships`); a suspended
    member is offline everywhere. Two queries, whatever the number of members."""
    fresh = _fresh_since(now)
    ids = [profile.pk for profile in profiles]
    consoles = set(
        ConsoleConnection.objects.filter(profile_id__in=ids, seen_at__gte=fresh).values_list(
            "profile_id", flat=True
        )
    )
    calls = set(
        Participant.objects.filter(
            user_id__in=[profile.user_id for profile in profiles],
            role=CallRole.STAFF,
            left_at__isnull=True,
            room__ended_at__isnull=True,
        ).values_list("user_id", flat=True)
    )
    result = {}
    for profile in profiles:
        live = profile.user.is_active and profile.seen_at is not None and profile.seen_at >= fresh
        result[profile.pk] = PresentNow(
            console=profile.pk in consoles,
            call=profile.user_id in calls,
            departments=tuple(
                (m.department.name, str(shown), str(Presence(shown).label))
                for m in sorted(
                    profile.memberships.all(),
                    key=lambda m: (m.department.position, m.department.name),
                )
                for shown in [m.presence if live else Presence.OFFLINE]
            ),
        )
    return result
