"""The console's booking settings and closures (console/settings_views.py): for staff
with the permission to configure, in their department's local time."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from buergerbuero.bookings.availability import settings_for
from buergerbuero.bookings.models import AppointmentKind, Closure

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def lead(make_kind, make_staff):
    kind = make_kind(minutes=30)
    user = make_staff(kind.department, role="lead")
    client = Client()
    client.force_login(user)
    return kind, client


def formset_data(kind, **rules):
    data = {
        "rules-parallel_staff": 2,
        "rules-buffer_minutes": 10,
        "rules-horizon_days": 14,
        "rules-min_notice_minutes": 60,
        "rules-slot_rhythm_minutes": 30,
        "kinds-TOTAL_FORMS": 2,
        "kinds-INITIAL_FORMS": 1,
        "kinds-MIN_NUM_FORMS": 0,
        "kinds-MAX_NUM_FORMS": 1000,
        "kinds-0-id": kind.pk,
        "kinds-0-name": "Video",
        "kinds-0-mode": "video",
        "kinds-0-duration_minutes": 45,
        "kinds-0-location": "",
        "kinds-0-is_active": "on",
        "kinds-1-name": "Vor Ort",
        "kinds-1-mode": "in_person",
        "kinds-1-duration_minutes": 15,
        "kinds-1-slot_rhythm_minutes": 10,
        "kinds-1-location": "Kreishaus",
        "kinds-1-is_active": "on",
    }
    data.update(rules)
    return data


def test_team_lead_changes_rules_and_adds_a_kind(lead):
    kind, client = lead
    url = reverse("console:booking_settings", args=[kind.department.slug])
    assert client.post(url, formset_data(kind)).status_code == 302
    rules = settings_for(kind.department)
    assert (
        rules.parallel_staff,
        rules.buffer_minutes,
        rules.horizon_days,
        rules.min_notice_minutes,
        rules.slot_rhythm_minutes,
    ) == (2, 10, 14, 60, 30)
    # The new kind has its own rhythm; the other one follows the department's.
    assert sorted(
        AppointmentKind.objects.values_list("name", "duration_minutes", "slot_rhythm_minutes")
    ) == [("Video", 45, None), ("Vor Ort", 15, 10)]


def test_settings_refuse_a_rhythm_off_the_clock(lead):
    kind, client = lead
    url = reverse("console:booking_settings", args=[kind.department.slug])
    response = client.post(
        url,
        formset_data(kind, **{"rules-slot_rhythm_minutes": 25, "kinds-1-slot_rhythm_minutes": 7}),
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["slot_rhythm_minutes"]
    errors = [form.errors for form in response.context["formset"]]
    assert list(errors[0]) == [] and list(errors[1]) == ["slot_rhythm_minutes"]
    assert settings_for(kind.department).slot_rhythm_minutes == 30  # as before


def test_settings_reject_durations_off_the_grid_and_in_person_without_address(lead):
    kind, client = lead
    url = reverse("console:booking_settings", args=[kind.department.slug])
    response = client.post(
        url, formset_data(kind, **{"kinds-0-duration_minutes": 7, "kinds-1-location": ""})
    )
    assert response.status_code == 200
    errors = [form.errors for form in response.context["formset"]]
    assert list(errors[0]) == ["duration_minutes"] and list(errors[1]) == ["location"]
    assert AppointmentKind.objects.get().duration_minutes == 30


def test_closure_is_entered_in_local_time(lead):
    kind, client = lead
    url = reverse("console:add_closure", args=[kind.department.slug])
    client.post(
        url, {"starts_at": "2026-12-01T08:00", "ends_at": "2026-12-01T12:00", "reason": "Schulung"}
    )
    closure = Closure.objects.get()
    assert closure.starts_at == datetime(2026, 12, 1, 8, 0, tzinfo=BERLIN)
    client.post(reverse("console:delete_closure", args=[kind.department.slug, closure.pk]))
    assert not Closure.objects.exists()


def test_staff_without_the_permission_cannot_configure(make_kind, make_staff):
    kind = make_kind()
    client = Client()
    client.force_login(make_staff(kind.department))
    assert (
        client.get(reverse("console:booking_settings", args=[kind.department.slug])).status_code
        == 403
    )
    assert (
        client.post(reverse("console:add_closure", args=[kind.department.slug]), {}).status_code
        == 403
    )
