"""A county's IT person sets up a department without a developer: the first administrator
from the command line, then everything in the browser; the new lead sets their password
from the mailed link and closes the office for a day; citizens see it."""

import email
import re
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest
from playwright.sync_api import expect

from ..server import manage
from .accessibility import assert_accessible

pytestmark = pytest.mark.e2e

BERLIN = ZoneInfo("Europe/Berlin")
# Weekday → (opens, closes) in minutes: what the administrator types below.
SCHEDULE = {0: [(480, 720)], 1: [(480, 720)], 3: [(480, 720), (840, 1080)]}
ADMIN_PASSWORD = "kreis-it-passwort-2026"
LEAD_PASSWORD = "leitung-passwort-2026"


def mails_in(folder: Path, count: int, timeout: float = 20.0) -> list[email.message.Message]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(folder.glob("*.log")) if folder.exists() else []
        mails = [email.message_from_bytes(f.read_bytes()) for f in files]
        if len(mails) >= count:
            return mails
        time.sleep(0.3)
    raise AssertionError(f"fewer than {count} mails in {folder}")


def expected_next_opening(
    now: datetime, closed_day: date, schedule: dict | None = None
) -> datetime | None:
    """Worked out here without the office's code: None while today's hours are running
    (nobody is at the desk, so no "next opening" is promised), else the first scheduled
    start after now that is not on the closed day or a public holiday in NRW."""
    schedule = SCHEDULE if schedule is None else schedule
    local = now.astimezone(BERLIN)
    minute = local.hour * 60 + local.minute
    for opens, closes in schedule.get(local.weekday(), []):
        if opens <= minute < closes and local.date() not in holidays.DE(subdiv="NW"):
            return None
    for offset in range(30):
        day = local.date() + timedelta(days=offset)
        if day == closed_day or day in holidays.DE(subdiv="NW", years=day.year):
            continue
        for opens, _closes in schedule.get(day.weekday(), []):
            start = datetime(day.year, day.month, day.day, opens // 60, opens % 60, tzinfo=BERLIN)
            if start > now:
                return start
    return None


def sign_in(page, username: str, password: str) -> None:
    page.goto("/konsole/anmelden/?next=/konsole/verwaltung/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()


def test_county_it_sets_up_a_department_and_its_lead_closes_it_for_a_day(
    own_server, new_page, tmp_path
):
    mail_dir = tmp_path / "mail"
    server = own_server(
        {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
        }
    )
    secret = tmp_path / "admin-password"
    secret.write_text(ADMIN_PASSWORD + "\n")
    manage(server.env, "create_administrator", "it@kreis.example", "--password-file", str(secret))

    admin = new_page(base_url=server.url)
    sign_in(admin, "it@kreis.example", ADMIN_PASSWORD)
    assert_accessible(admin, "administration-1")

    # A department: a slug that is taken is refused with a message at the top, focused.
    admin.get_by_role("link", name="New department").click()
    admin.get_by_label("Name").fill("Kfz-Zulassung")
    admin.get_by_label("Web address").fill("e2e-office")
    admin.get_by_role("button", name="Create department").click()
    summary = admin.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(
        "Another department already uses this web address. Please choose another."
    )
    expect(admin.get_by_label("Web address")).to_have_attribute("aria-invalid", "true")
    assert_accessible(admin, "administration-2")
    admin.get_by_label("Web address").fill("kfz")
    expect(admin.get_by_label("Time zone")).to_have_value("Europe/Berlin")
    admin.get_by_role("button", name="Create department").click()

    # The weekly schedule, in HH:MM; a second range on Thursday with the "add" button.
    expect(admin.get_by_role("heading", name="Opening hours of Kfz-Zulassung")).to_be_visible()
    admin.get_by_label("Monday, range 1, from").fill("08:00")
    admin.get_by_label("Monday, range 1, until").fill("12:00")
    admin.get_by_label("Tuesday, range 1, from").fill("08:00")
    admin.get_by_label("Tuesday, range 1, until").fill("25:00")
    admin.get_by_label("Thursday, range 1, from").fill("08:00")
    admin.get_by_label("Thursday, range 1, until").fill("12:00")
    admin.get_by_label("Thursday, range 2, from").fill("14:00")
    admin.get_by_label("Thursday, range 2, until").fill("18:00")
    admin.get_by_role("button", name="Save opening hours").click()
    expect(admin.locator("#error-summary")).to_be_focused()
    expect(admin.locator("#error-summary li")).to_have_text(
        [
            "Tuesday, range 1: “25:00” is not a time. Please write HH:MM between 00:00 "
            "and 24:00, e.g. 08:30."
        ]
    )
    assert_accessible(admin, "administration-3")
    admin.get_by_label("Tuesday, range 1, until").fill("12:00")
    # With JavaScript, a day gets more rows than the spare one; an empty row is skipped.
    admin.get_by_role("button", name="Add a range on Friday").click()
    expect(admin.get_by_label("Friday, range 3, from")).to_be_focused()
    admin.get_by_role("button", name="Save opening hours").click()
    expect(admin.get_by_text("Opening hours saved.")).to_be_visible()
    expect(admin.get_by_label("Thursday, range 2, until")).to_have_value("18:00")

    # A lead for it, in one step; the invitation goes out by mail.
    admin.get_by_role("link", name="Staff", exact=True).click()
    admin.get_by_role("link", name="Add staff member").click()
    admin.get_by_label("Name").fill("Lea Leitung")
    admin.get_by_label("E-mail").fill("lea@kreis.example")
    admin.get_by_label("Kfz-Zulassung").select_option("lead")
    assert_accessible(admin, "administration-4")
    admin.get_by_role("button", name="Add and send invitation").click()
    expect(
        admin.get_by_text("lea@kreis.example was added and got an invitation to set a password.")
    ).to_be_visible()

    [invitation] = mails_in(mail_dir, 1)
    assert invitation["To"] == "lea@kreis.example"
    body = invitation.get_payload(decode=True).decode()
    [link] = re.findall(r"/konsole/verwaltung/passwort/\S+/", body)

    lead = new_page(base_url=server.url)
    lead.goto(link)
    lead.get_by_label("New password", exact=True).fill(LEAD_PASSWORD)
    lead.get_by_label("New password confirmation").fill(LEAD_PASSWORD)
    lead.get_by_role("button", name="Set password").click()
    expect(lead.get_by_text("Your password is set. Please sign in.")).to_be_visible()
    lead.goto(link)  # used once
    expect(lead.get_by_text("This link is no longer valid")).to_be_visible()

    # The lead closes the office tomorrow (department time).
    sign_in(lead, "lea@kreis.example", LEAD_PASSWORD)
    lead.get_by_role("link", name="Closures of Kfz-Zulassung").click()
    tomorrow = datetime.now(BERLIN).date() + timedelta(days=1)
    lead.get_by_label("From").fill(f"{tomorrow.isoformat()}T00:00")
    lead.get_by_label("Until").fill(f"{(tomorrow + timedelta(days=1)).isoformat()}T00:00")
    lead.get_by_label("Reason (internal)").fill("Schulung")
    lead.get_by_role("button", name="Add closure").click()
    expect(lead.get_by_text("Closure saved.")).to_be_visible()
    assert_accessible(lead, "administration-5")

    # Citizens see the day closed and the right next opening.
    citizen = new_page(base_url=server.url)
    shows_closed_tomorrow(citizen, "kfz", tomorrow)
    assert_accessible(citizen, "administration-6")


def shows_closed_tomorrow(citizen, slug: str, tomorrow: date, schedule=None) -> None:
    """The department's public page: closed now, tomorrow's closure listed, and the next
    opening worked out by `expected_next_opening`."""
    citizen.goto(f"/fachbereich/{slug}/")
    now = datetime.now(BERLIN)
    expect(citizen.locator(".now-box .status")).to_have_text("Closed")
    start = datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=BERLIN)
    expect(citizen.locator("ul.closures time").first).to_have_attribute(
        "datetime", start.astimezone(ZoneInfo("UTC")).isoformat()
    )
    expected = expected_next_opening(now, tomorrow, schedule)
    next_opening = citizen.locator(".now-box time")
    if expected is None:
        expect(next_opening).to_have_count(0)
    else:
        expect(next_opening).to_have_attribute(
            "datetime", expected.astimezone(ZoneInfo("UTC")).isoformat()
        )
