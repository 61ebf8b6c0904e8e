from datetime import timedelta

import pytest
from django.utils import timezone

from buergerbuero.staff.models import StaffProfile
from buergerbuero.staff.presence import available_profiles, heartbeat, set_presence


def test_set_presence_updates_presence_and_seen_at(
    make_department, make_staff, django_capture_on_commit_callbacks
):
    user = make_staff(make_department(), presence="offline")
    profile = user.staff_profile
    StaffProfile.objects.filter(pk=profile.pk).update(seen_at=timezone.now() - timedelta(hours=1))
    before = timezone.now()
    with django_capture_on_commit_callbacks() as callbacks:
        result = set_presence(profile, "available")
    assert (result.presence, result.seen_at >= before) == ("available", True)
    # The status board and the queues are told once the change is committed.
    assert len(callbacks) == 1


def test_set_presence_unknown_value_raises(make_department, make_staff):
    profile = make_staff(make_department()).staff_profile
    with pytest.raises(ValueError, match="unknown presence 'lunch'"):
        set_presence(profile, "lunch")
    profile.refresh_from_db()
    assert profile.presence == "available"


def test_heartbeat_refreshes_seen_at(make_department, make_staff):
    profile = make_staff(make_department()).staff_profile
    stale = timezone.now() - timedelta(hours=1)
    StaffProfile.objects.filter(pk=profile.pk).update(seen_at=stale)
    before = timezone.now()
    heartbeat(profile)
    profile.refresh_from_db()
    assert profile.seen_at >= before


def test_available_profiles_only_fresh_available_active(make_department, make_staff, settings):
    settings.STAFF_PRESENCE_TIMEOUT_SECONDS = 60
    department = make_department()
    now = timezone.now()
    make_staff(department, username="fresh")
    stale = make_staff(department, username="stale")
    make_staff(department, username="paused", presence="paused")
    never_seen = make_staff(department, username="never")
    inactive = make_staff(department, username="inactive")
    StaffProfile.objects.filter(user=stale).update(seen_at=now - timedelta(seconds=61))
    StaffProfile.objects.filter(user=never_seen).update(seen_at=None)
    inactive.is_active = False
    inactive.save()
    assert [p.user.username for p in available_profiles(now)] == ["fresh"]
