"""The commands county IT scripts: same validation as the pages, nothing half done."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from buergerbuero.departments.models import Department, OpeningHours


def test_create_administrator_reads_the_password_from_a_file(db, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("ein-sehr-langes-passwort-7\n")
    call_command("create_administrator", "IT@kreis.example", "--password-file", str(secret))
    user = get_user_model().objects.get(username="it@kreis.example")
    assert user.check_password("ein-sehr-langes-passwort-7")
    assert user.staff_profile.is_administrator is True
    assert user.is_superuser is False


def test_import_schedule_validates_like_the_page(db, tmp_path):
    call_command("add_department", "kfz", "Kfz-Zulassung")
    department = Department.objects.get(slug="kfz")
    good = tmp_path / "hours.csv"
    good.write_text("weekday,opens,closes\nmon,08:00,12:00\n3,14:00,18:00\nthu,08:00,12:00\n")
    call_command("import_schedule", "kfz", str(good))
    hours = list(
        OpeningHours.objects.filter(department=department).values_list(
            "weekday", "opens_minute", "closes_minute"
        )
    )
    assert hours == [(0, 480, 720), (3, 480, 720), (3, 840, 1080)]
    bad = tmp_path / "hours.json"
    bad.write_text(json.dumps([{"weekday": 1, "opens": "08:00", "closes": "25:00"}]))
    with pytest.raises(CommandError) as refused, translation.override("en"):
        call_command("import_schedule", "kfz", str(bad))
    assert str(refused.value) == (
        "Tuesday, range 1: “25:00” is not a time. Please write HH:MM between 00:00 and "
        "24:00, e.g. 08:30."
    )
    assert OpeningHours.objects.filter(department=department).count() == 3


def test_add_department_refuses_a_taken_slug_and_an_unknown_zone(db):
    call_command("add_department", "kfz", "Kfz-Zulassung")
    with (
        pytest.raises(CommandError, match="already uses this web address"),
        translation.override("en"),
    ):
        call_command("add_department", "kfz", "Noch eine")
    with (
        pytest.raises(CommandError, match="choose a time zone from the list"),
        translation.override("en"),
    ):
        call_command("add_department", "other", "Andere", "--time-zone", "Mars/Olympus")
    assert list(Department.objects.values_list("slug", flat=True)) == ["kfz"]


def test_add_staff_member_sends_the_invitation(db, django_capture_on_commit_callbacks):
    call_command("add_department", "kfz", "Kfz-Zulassung")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("add_staff_member", "lea@kreis.example", "--department", "kfz:lead")
    assert [m.to for m in mail.outbox] == [["lea@kreis.example"]]
    user = get_user_model().objects.get(username="lea@kreis.example")
    assert user.staff_profile.memberships.get().role == "lead"
