"""Staff presence: set it, keep it alive, and read who is available."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from buergerbuero import notify

from .models import Presence, StaffProfile


def set_presence(profile: StaffProfile, presence: str) -> StaffProfile:
    if presence not in Presence.values:
        # Sockets and forms offer only known values: this is a programming error.
        raise ValueError(f"unknown presence {presence!r}")
    StaffProfile.objects.filter(pk=profile.pk).update(presence=presence, seen_at=timezone.now())
    profile.refresh_from_db()
    department_ids = tuple(profile.departments.values_list("id", flat=True))
    notify.announce_on_commit(notify.StaffingChanged(department_ids))
    return profile


def heartbeat(profile: StaffProfile) -> None:
    StaffProfile.objects.filter(pk=profile.pk).update(seen_at=timezone.now())


def available_profiles(now=None):
    """Profiles whose "available" is backed by a recently seen console."""
    now = now or timezone.now()
    fresh_since = now - timedelta(seconds=settings.STAFF_PRESENCE_TIMEOUT_SECONDS)
    return StaffProfile.objects.filter(
        presence=Presence.AVAILABLE, seen_at__gte=fresh_since, user__is_active=True
    )
