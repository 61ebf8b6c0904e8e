"""Booking in real browsers: pick a slot, get the calendar file and the mail, enter at
the appointment time, be admitted with the booked flag visible."""

import email
import re
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from .flows import OFFICE, set_presence, staff_login, wait_for_media

pytestmark = pytest.mark.e2e


def captured_mails(folder: Path, timeout: float = 25.0) -> list[email.message.Message]:
    """Mails the server's file backend wrote; they go out from the ticker, not the request."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(folder.glob("*.log")) if folder.exists() else []
        if files:
            return [email.message_from_bytes(f.read_bytes()) for f in files]
        time.sleep(0.5)
    raise AssertionError(f"no mail captured in {folder} within {timeout}s")


def test_book_a_video_slot_and_be_admitted_at_the_appointment_time(own_server, new_page, tmp_path):
    mail_dir = tmp_path / "mail"
    server = own_server(
        {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "SITE_URL": "http://127.0.0.1",
            # The first free slot is within half an hour: let the citizen in from now on.
            "BOOKING_EARLY_MINUTES": "60",
        }
    )
    citizen = new_page(base_url=server.url, accept_downloads=True)
    staff = new_page(base_url=server.url)

    citizen.goto(f"/fachbereich/{OFFICE}/")
    citizen.get_by_role("link", name="Book an appointment").click()
    expect(citizen.get_by_role("heading", name="Videoberatung")).to_be_visible()
    first_slot = citizen.locator("a.slot").first
    slot_time = first_slot.inner_text()
    first_slot.click()

    citizen.get_by_label("Your name").fill("Berta Termin")
    citizen.get_by_label("E-mail for confirmation and reminder (optional)").fill(
        "berta@example.org"
    )
    citizen.get_by_role("button", name="Book").click()
    expect(citizen.get_by_role("heading", name="Your appointment", exact=True)).to_be_visible()
    shown_code = citizen.locator(".booking-code").inner_text()
    code = shown_code.replace(" ", "")
    assert re.fullmatch(r"[0-9A-Z]{10}", code)
    expect(citizen.locator("dl")).to_contain_text(slot_time)
    manage_url = citizen.url
    starts_at = datetime.fromisoformat(citizen.locator("dl time").get_attribute("datetime"))
    booking_day = starts_at.astimezone(ZoneInfo("Europe/Berlin")).date()
    expect(
        citizen.get_by_role("img", name="QR code with the link to your appointment")
    ).to_be_visible()

    # The calendar file describes the appointment and links back to it.
    with citizen.expect_download() as download:
        citizen.get_by_role("link", name="Add to my calendar (.ics)").click()
    event = Calendar.from_ical(Path(download.value.path()).read_bytes()).walk("VEVENT")[0]
    assert str(event["summary"]) == "E2E Office: Videoberatung"
    assert manage_url.rsplit("/termin/", 1)[1] in str(event["url"])

    # The confirmation mail arrives, sent outside the request, with the code and link.
    [confirmation] = [m for m in captured_mails(mail_dir) if "appointment" in m["Subject"].lower()]
    assert confirmation["To"] == "berta@example.org"
    body = "\n".join(
        part.get_payload(decode=True).decode()
        for part in confirmation.walk()
        if part.get_content_type() == "text/plain"
    )
    assert shown_code in body and manage_url.rsplit("/termin/", 1)[1] in body
    assert any(part.get_content_type() == "text/calendar" for part in confirmation.walk())

    # At the appointment time the citizen enters the waiting room, marked as booked.
    staff_login(staff)
    set_presence(staff, "Available")
    citizen.get_by_role("button", name="Enter the waiting room").click()
    expect(citizen.get_by_role("heading", name="Waiting room: E2E Office")).to_be_visible()
    entry = staff.locator(".queue-entry", has_text="Berta Termin")
    expect(entry.locator(".booked-flag")).to_have_text(f"Appointment {slot_time}")
    entry.get_by_role("button", name="Admit: Berta Termin").click()
    expect(citizen).to_have_url(re.compile(r"/gespraech/[\w-]+/$"))
    wait_for_media(citizen, 1)
    wait_for_media(staff, 1)

    # The staff day view shows the appointment in consultation.
    day = new_page(base_url=server.url)
    staff_login(day)
    day.goto(f"/konsole/termine/{OFFICE}/?tag={booking_day.isoformat()}")
    expect(day.locator("tr.booking-row", has_text="Berta Termin")).to_contain_text(
        "in consultation"
    )


def test_code_entry_too_early_explains_and_cancel_frees_the_slot(new_page):
    citizen = new_page()
    citizen.goto(f"/fachbereich/{OFFICE}/termin/")
    # A slot on the next day: too early to enter.
    citizen.locator(".day-choice a").nth(1).click()
    later = citizen.locator("a.slot").nth(8)
    later_time = later.inner_text()
    later.click()
    citizen.get_by_label("Your name").fill("Carl Früh")
    citizen.get_by_role("button", name="Book").click()
    code = citizen.locator(".booking-code").inner_text()

    citizen.goto(f"/fachbereich/{OFFICE}/")
    citizen.get_by_label("I have an appointment. My booking code:").fill(code.lower())
    citizen.get_by_role("button", name="Enter the waiting room").click()
    expect(citizen.locator(".messages")).to_contain_text("Your appointment has not started yet.")
    expect(citizen.get_by_role("heading", name="Your appointment", exact=True)).to_be_visible()

    citizen.get_by_role("link", name="Cancel the appointment").click()
    citizen.get_by_role("button", name="Yes, cancel the appointment").click()
    expect(citizen.locator(".messages")).to_contain_text("Your appointment is cancelled.")
    expect(citizen.locator(".booking-status")).to_have_text("cancelled")
    citizen.goto(f"/fachbereich/{OFFICE}/termin/")
    citizen.locator(".day-choice a").nth(1).click()
    expect(citizen.locator("a.slot", has_text=later_time).first).to_be_visible()
