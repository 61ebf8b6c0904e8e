"""Presence per department: set for some or all, announced for what changed only,
ended by signing out or by the last console closing, and counted only while fresh."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from buergerbuero import notify
from buergerbuero.staff.models import ConsoleConnection, Membership, StaffProfile
from buergerbuero.staff.presence import (
    available_memberships,
    console_closed,
    console_opened,
    heartbeat,
    presence_of,
    release_if_absent,
    set_presence,
)
from buergerbuero.waiting import actions

from ..factories import PASSWORD


@pytest.fixture
def heard():
    events: list = []
    notify.listen(events.append)
    yield events
    notify.unlisten(events.append)


@pytest.mark.django_db(transaction=True)
def test_set_presence_in_one_department_announces_only_that_one(make_department, make_staff, heard):
    a, b, c = make_department(), make_department(), make_department()
    profile = make_staff(a, b, c, presence="offline").staff_profile
    changed = set_presence(profile, "available", [b.pk])
    assert (changed, presence_of(profile.pk), heard) == (
        (b.pk,),
        {a.pk: "offline", b.pk: "available", c.pk: "offline"},
        [notify.StaffingChanged((b.pk,))],
    )


@pytest.mark.django_db(transaction=True)
def test_set_presence_for_all_announces_the_departments_that_changed(
    make_department, make_staff, heard
):
    a, b = make_department(), make_department()
    profile = make_staff(a, b, presence="offline").staff_profile
    set_presence(profile, "available", [a.pk])
    heard.clear()
    assert set_presence(profile, "available") == (b.pk,)
    assert heard == [notify.StaffingChanged((b.pk,))]
    heard.clear()
    assert (set_presence(profile, "available"), heard) == ((), [])


@pytest.mark.django_db(transaction=True)
def test_set_presence_after_a_lapsed_heartbeat_counts_again(make_department, make_staff, heard):
    a = make_department()
    profile = make_staff(a).staff_profile
    StaffProfile.objects.filter(pk=profile.pk).update(seen_at=timezone.now() - timedelta(hours=1))
    assert (set_presence(profile, "available"), heard) == (
        (a.pk,),
        [notify.StaffingChanged((a.pk,))],
    )


def test_set_presence_unknown_value_raises(make_department, make_staff):
    profile = make_staff(make_department()).staff_profile
    with pytest.raises(ValueError, match="unknown presence 'lunch'"):
        set_presence(profile, "lunch")
    assert list(presence_of(profile.pk).values()) == ["available"]


def test_heartbeat_refreshes_seen_at(make_department, make_staff):
    profile = make_staff(make_department()).staff_profile
    stale = timezone.now() - timedelta(hours=1)
    StaffProfile.objects.filter(pk=profile.pk).update(seen_at=stale)
    before = timezone.now()
    heartbeat(profile)
    profile.refresh_from_db()
    assert profile.seen_at >= before


def test_available_memberships_only_fresh_available_active(make_department, make_staff, settings):
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
    names = [
        m.profile.user.username for m in available_memberships(now).select_related("profile__user")
    ]
    assert names == ["fresh"]


def test_last_console_closed_sets_offline_but_not_while_another_is_open(
    make_department, make_staff
):
    a, b = make_department(), make_department()
    profile = make_staff(a, b).staff_profile
    console_opened(profile, "one")
    console_opened(profile, "two")
    console_closed("one")
    assert (release_if_absent(profile), set(presence_of(profile.pk).values())) == (
        (),
        {"available"},
    )
    console_closed("two")
    assert (release_if_absent(profile), set(presence_of(profile.pk).values())) == (
        (a.pk, b.pk),
        {"offline"},
    )
    assert ConsoleConnection.objects.count() == 0


def test_stale_console_of_a_dead_process_does_not_count(make_department, make_staff, settings):
    settings.STAFF_PRESENCE_TIMEOUT_SECONDS = 60
    a = make_department()
    profile = make_staff(a).staff_profile
    console_opened(profile, "dead")
    ConsoleConnection.objects.update(seen_at=timezone.now() - timedelta(seconds=61))
    assert release_if_absent(profile) == (a.pk,)


def test_member_in_a_call_is_not_released(make_department, make_staff):
    a = make_department()
    clerk = make_staff(a)
    actions.admit(actions.knock(a, "Ada").pk, clerk)
    assert release_if_absent(clerk.staff_profile) == ()


def test_sign_in_starts_offline_and_sign_out_ends_presence(make_department, make_staff):
    a = make_department()
    clerk = make_staff(a)
    client = Client()
    assert client.login(username=clerk.username, password=PASSWORD)
    assert presence_of(clerk.staff_profile.pk) == {a.pk: "offline"}
    Membership.objects.update(presence="available")
    client.logout()
    assert presence_of(clerk.staff_profile.pk) == {a.pk: "offline"}
