"""Django's admin (superusers only) speaks as the staff area does: "Opening hours" (not
"Opening hourss"), times in HH:MM (not minutes), the time zone from the list, closures
by their name."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from buergerbuero.departments.models import Department, OpeningHours


@pytest.fixture
def superuser_client(db):
    user = get_user_model().objects.create_superuser("root", password="pw-for-tests-123")
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def inline_data(department, rows, **fields) -> dict:
    data = {
        "name": department.name,
        "slug": department.slug,
        "time_zone": "Europe/Berlin",
        "position": 0,
        "is_active": "on",
        "holiday_country": "DE",
        "holiday_subdivision": "NW",
        "hours-TOTAL_FORMS": len(rows),
        "hours-INITIAL_FORMS": 0,
        **fields,
    }
    for i, (weekday, opens, closes) in enumerate(rows):
        data.update(
            {
                f"hours-{i}-weekday": weekday,
                f"hours-{i}-opens_minute": opens,
                f"hours-{i}-closes_minute": closes,
            }
        )
    return data


def test_department_admin_shows_hh_mm_and_plain_names(superuser_client, make_department):
    department = make_department(hours=[(0, 480, 720)])
    page = superuser_client.get(
        reverse("admin:departments_department_change", args=[department.pk])
    ).content.decode()
    assert "Opening hourss" not in page
    assert re.search(r"<h2[^>]*>\s*Opening hours\s*</h2>", page)
    assert 'value="08:00"' in page and 'value="12:00"' in page
    assert 'value="480"' not in page
    assert '<option value="Europe/Berlin" selected>Europe/Berlin</option>' in page
    closures = superuser_client.get(
        reverse("admin:departments_closure_changelist")
    ).content.decode()
    assert "Select closure to change" in closures


def test_department_admin_takes_hh_mm_and_names_mistakes(superuser_client, make_department):
    department = make_department(hours=[])
    url = reverse("admin:departments_department_change", args=[department.pk])
    wrong = superuser_client.post(
        url, inline_data(department, [(3, "14:00", "25:00")], time_zone="Mars/Olympus")
    )
    assert wrong.status_code == 200
    assert wrong.context["adminform"].form.errors == {
        "time_zone": [
            "“Mars/Olympus” is not a time zone we know. Please choose one from the list, "
            "e.g. Europe/Berlin."
        ]
    }
    assert wrong.context["inline_admin_formsets"][0].formset.errors == [
        {"closes_minute": ["Please write HH:MM between 00:00 and 24:00, e.g. 08:30."]}
    ]
    response = superuser_client.post(url, inline_data(department, [(3, "14:00", "18:00")]))
    assert response.status_code == 302
    assert list(OpeningHours.objects.values_list("weekday", "opens_minute", "closes_minute")) == [
        (3, 840, 1080)
    ]
    assert Department.objects.get(pk=department.pk).time_zone == "Europe/Berlin"
