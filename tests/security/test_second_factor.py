"""The authenticator app: set up from the console, asked for at every login once set up,
reset by an administrator; a session opened without the code does not survive."""

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from buergerbuero.audit.models import AuditEvent

from ..factories import PASSWORD
from .conftest import code_for

pytestmark = pytest.mark.django_db

MISSING_OR_WRONG = "The code from your authenticator app is missing or wrong."
EVENT_FIELDS = (
    "action",
    "actor_id",
    "actor_name",
    "department_id",
    "object_type",
    "object_id",
    "detail",
)


def events() -> list[tuple]:
    return list(AuditEvent.objects.order_by("id").values_list(*EVENT_FIELDS))


def log_in(client, user, code=None, url=None):
    data = {"username": user.username, "password": PASSWORD}
    if code is not None:
        data["otp_token"] = code
    return client.post(url or reverse("console:login"), data)


def test_staff_member_sets_up_the_app_by_scanning_and_confirming(clerk, english):
    english.force_login(clerk)
    url = reverse("console:second_factor")
    page = english.get(url)
    device = TOTPDevice.objects.get(user=clerk)
    text = page.content.decode()
    assert (page.status_code, device.confirmed) == (200, False)
    assert '<svg width="' in text and page.context["secret"] in text
    assert "no-store" in page["Cache-Control"]
    # A reload shows the same secret: the code scanned a moment ago stays good.
    assert english.get(url).context["secret"] == page.context["secret"]

    wrong = english.post(url, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.context["form"].errors == {
        "code": ["This code is wrong. Please enter the code the app shows now."]
    }
    # A wrong code slows the device down (django-otp's back-off: 1 s, 2 s, 4 s, ...).
    assert english.post(url, {"code": code_for(device)}).status_code == 200
    time.sleep(1.1)
    response = english.post(url, {"code": code_for(device)})
    device.refresh_from_db()
    assert (response.status_code, response["Location"], device.confirmed) == (302, url, True)
    # This session showed the code: it stays open, and the next page says the app is on.
    assert english.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert english.get(reverse("console:home")).status_code == 200
    assert english.get(url).context["device"] == device
    assert events() == [
        ("enrol_second_factor", clerk.pk, clerk.username, None, "user", str(clerk.pk), "")
    ]


def test_login_without_an_app_needs_no_code(clerk, english):
    response = log_in(english, clerk)
    assert (response.status_code, english.session[SESSION_KEY]) == (302, str(clerk.pk))


def test_login_with_an_app_needs_its_code(clerk, enrolled, english):
    device = enrolled(clerk)
    for code in (None, "", "12345x"):
        response = log_in(english, clerk, code)
        assert list(response.context["form"].non_field_errors()) == [MISSING_OR_WRONG]
        assert SESSION_KEY not in english.session
    response = log_in(english, clerk, code_for(device))
    assert (response.status_code, english.session[SESSION_KEY]) == (302, str(clerk.pk))
    assert english.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert english.get(reverse("console:home")).status_code == 200


def test_a_code_is_good_for_one_login_only(clerk, enrolled):
    device = enrolled(clerk)
    code = code_for(device)
    english = {"accept-language": "en"}
    assert log_in(Client(headers=english), clerk, code).status_code == 302
    second = log_in(Client(headers=english), clerk, code)
    assert list(second.context["form"].non_field_errors()) == [MISSING_OR_WRONG]


def test_session_opened_without_the_code_is_ended(clerk, enrolled, english):
    # Logged in before the app was set up (or by a way that asked no code).
    english.force_login(clerk)
    enrolled(clerk)
    response = english.get(reverse("console:home"))
    assert response["Location"] == reverse("console:login") + "?next=/konsole/"
    assert SESSION_KEY not in english.session
    login_page = english.get(response["Location"])
    assert [str(m) for m in login_page.context["messages"]] == [
        "Please log in again with the code from your app."
    ]


def test_admin_login_asks_for_the_code_too(clerk, enrolled, english):
    clerk.is_staff = True
    clerk.save()
    device = enrolled(clerk)
    url = reverse("admin:login")
    response = log_in(english, clerk, url=url)
    assert list(response.context["form"].non_field_errors()) == [MISSING_OR_WRONG]
    assert SESSION_KEY not in english.session
    response = log_in(english, clerk, code_for(device), url=url)
    assert response.status_code == 302
    assert english.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_reset_command_removes_the_app_and_is_recorded(clerk, enrolled, english, capsys):
    enrolled(clerk)
    call_command("reset_second_factor", clerk.username)
    assert capsys.readouterr().out == (
        f"Authenticator app of {clerk.username} removed; the next login needs no code.\n"
    )
    assert TOTPDevice.objects.filter(user=clerk).exists() is False
    assert events() == [
        ("reset_second_factor", None, "", None, "user", str(clerk.pk), "command line")
    ]
    assert log_in(english, clerk).status_code == 302


def test_admin_resets_a_lost_app_with_the_action(clerk, enrolled, make_staff, department):
    device = enrolled(clerk)
    admin = make_staff(department, username=f"{clerk.username}-admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    browser = Client(headers={"accept-language": "en"})
    browser.force_login(admin)
    changelist = reverse("admin:otp_totp_totpdevice_changelist")
    response = browser.post(
        changelist, {"action": "reset", "_selected_action": [device.pk]}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["Reset for 1 staff member."]
    assert TOTPDevice.objects.filter(user=clerk).exists() is False
    assert events() == [
        ("reset_second_factor", admin.pk, admin.username, None, "user", str(clerk.pk), "")
    ]


def test_admin_shows_no_secret_and_allows_no_edit_or_delete(
    clerk, enrolled, make_staff, department
):
    device = enrolled(clerk)
    admin = make_staff(department, username=f"{clerk.username}-admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    browser = Client()
    browser.force_login(admin)
    page = browser.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200 and device.key not in page.content.decode()
    delete = browser.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]))
    assert delete.status_code == 403
    assert browser.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists() is True
