"""Booking in a real browser, as a citizen on a phone: a day first, then its times; the
QR code on the booking page is drawn and decodes to the booking's link; cancelling asks
first, and answering twice changes nothing. German and Arabic pages pass axe."""

import re
from datetime import datetime, time
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from .accessibility import HERE, assert_accessible, horizontal_overflow
from .flows import OFFICE

pytestmark = pytest.mark.e2e

PHONE = {"width": 320, "height": 640}
JSQR = HERE / "node_modules" / "jsqr" / "dist" / "jsQR.js"


@cache
def _jsqr_source() -> str:
    if not JSQR.is_file():
        pytest.fail(f"jsQR not found at {JSQR}: run `make browser` (npm ci in tests/e2e)")
    return JSQR.read_text()


def decoded_qr_image(page: Page, selector: str) -> dict:
    """The image as the browser drew it (its natural size), painted onto a canvas and read
    by a QR decoder (jsQR, evaluated through the DevTools protocol like axe: the page's
    CSP would refuse it as a script)."""
    if not page.evaluate("() => typeof window.jsQR === 'function'"):
        page.evaluate(_jsqr_source())
    return page.evaluate(
        """async (selector) => {
          const img = document.querySelector(selector);
          await img.decode();
          const canvas = document.createElement('canvas');
          canvas.width = img.naturalWidth;
          canvas.height = img.naturalHeight;
          const context = canvas.getContext('2d');
          context.drawImage(img, 0, 0);
          const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
          const code = jsQR(pixels.data, canvas.width, canvas.height);
          return {width: img.naturalWidth, height: img.naturalHeight,
                  text: code ? code.data : null};
        }""",
        selector,
    )


def sideways(page: Page) -> list[str]:
    width = page.evaluate("document.documentElement.clientWidth")
    if page.evaluate("document.documentElement.scrollWidth") <= width:
        return []
    return horizontal_overflow(page)


def _today_has_times() -> bool:
    """Whether the e2e office still has a time today (its last one starts at 23:30, Berlin).
    A minute's margin: the page was read a moment ago."""
    now = datetime.now(ZoneInfo("Europe/Berlin"))
    return now.time() < time(23, 29)


def switch_language(page: Page, code: str) -> None:
    page.locator("#language-select").select_option(code)
    page.locator(".language-switcher button").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_on_a_phone_the_citizen_picks_a_day_then_a_time_by_keyboard(new_page):
    citizen = new_page(viewport=PHONE)
    citizen.goto(f"/fachbereich/{OFFICE}/termin/")
    days = citizen.get_by_role("navigation", name="Days with free times").get_by_role("link")
    # The office is open around the clock and takes bookings seven days ahead: today and
    # seven more, unless today's last time (23:30 in the office's zone) has gone by.
    expect(days).to_have_count(8 if _today_has_times() else 7)
    expect(days.first).to_have_attribute("aria-current", "date")
    first_day_times = citizen.locator("a.slot").count()
    assert 0 < first_day_times <= 95  # one day's times, not a week's
    # A whole day: every 15 minutes, the last at 23:30 (an appointment ends by midnight).
    expect(days.nth(1)).to_contain_text(re.compile(r"^\w+, \w+ \d+: 95 free times$"))
    assert sideways(citizen) == []

    # By keyboard: the second day, then its first time.
    days.nth(1).focus()
    citizen.keyboard.press("Enter")
    expect(citizen).to_have_url(re.compile(r"tag=\d{4}-\d{2}-\d{2}#zeiten$"))
    heading = citizen.get_by_role("heading", name=re.compile("^Free times on "))
    expect(heading).to_be_focused()
    expect(days.nth(1)).to_have_attribute("aria-current", "date")
    expect(days.first).not_to_have_attribute("aria-current", "date")
    expect(citizen.locator("a.slot")).to_have_count(95)
    expect(citizen.locator("a.slot").first).to_have_text("00:00")
    expect(citizen.locator("a.slot").nth(1)).to_have_text("00:15")
    assert sideways(citizen) == []
    assert_accessible(citizen, "booking: a day's times on a phone")
    citizen.keyboard.press("Tab")
    expect(citizen.locator("a.slot").first).to_be_focused()
    citizen.keyboard.press("Enter")
    expect(citizen.get_by_role("heading", name="Book an appointment")).to_be_visible()
    assert citizen.console_errors == []


def test_the_day_picker_works_without_javascript(new_page):
    citizen = new_page(viewport=PHONE, java_script_enabled=False)
    citizen.goto(f"/fachbereich/{OFFICE}/termin/")
    days = citizen.locator(".day-choice a")
    third = days.nth(2)
    href = third.get_attribute("href")
    third.click()
    expect(citizen.get_by_role("heading", name=re.compile("^Free times on "))).to_be_visible()
    expect(citizen.locator(".day-choice a[aria-current=date]")).to_have_attribute("href", href)
    expect(citizen.locator("a.slot")).to_have_count(95)


def test_the_qr_code_decodes_to_the_link_and_cancelling_asks_first(new_page):
    citizen = new_page()
    citizen.goto(f"/fachbereich/{OFFICE}/termin/")
    # A day ahead: the booking must not start (and end) while the test runs.
    citizen.locator(".day-choice a").nth(1).click()
    citizen.locator("a.slot").nth(40).click()
    citizen.get_by_label("Your name").fill("Quentin Quadrat")
    citizen.get_by_role("button", name="Book").click()
    expect(citizen.get_by_role("heading", name="Your appointment", exact=True)).to_be_visible()
    manage_url = citizen.url
    link = citizen.get_by_role("textbox", name="Link to your appointment").input_value()
    assert link.endswith(manage_url.split("127.0.0.1", 1)[1].split("/", 1)[1])

    qr = decoded_qr_image(citizen, "img.booking-qr")
    size = int(citizen.locator("img.booking-qr").get_attribute("width"))
    assert qr == {"width": size, "height": size, "text": link}

    # Cancelling asks; "No" keeps the appointment.
    citizen.get_by_role("link", name="Cancel the appointment").click()
    expect(citizen.get_by_role("heading", name="Cancel the appointment?")).to_be_visible()
    expect(citizen.locator("dl")).to_contain_text("Videoberatung")
    assert_accessible(citizen, "booking: cancel question")
    citizen.get_by_role("link", name="No, keep my appointment").click()
    expect(citizen.locator(".booking-status")).to_have_text("booked")

    # "Yes" cancels. The question, open in a second tab as well (or sent twice), answered
    # there too, changes nothing and says so.
    citizen.get_by_role("link", name="Cancel the appointment").click()
    second_tab = citizen.context.new_page()
    second_tab.goto(citizen.url)
    citizen.get_by_role("button", name="Yes, cancel the appointment").click()
    expect(citizen.locator(".messages")).to_contain_text("Your appointment is cancelled.")
    expect(citizen.locator(".booking-status")).to_have_text("cancelled")
    second_tab.get_by_role("button", name="Yes, cancel the appointment").click()
    expect(second_tab.locator(".messages")).to_have_text(
        re.compile(r"^\s*This appointment is already cancelled.\s*$")
    )
    expect(second_tab.locator(".booking-status")).to_have_text("cancelled")
    expect(citizen.get_by_role("link", name="Cancel the appointment")).to_have_count(0)
    assert citizen.console_errors == []


@pytest.mark.parametrize("language", ["de", "ar"])
def test_day_picker_and_cancel_question_have_no_violations(new_page, language):
    citizen = new_page(viewport=PHONE)
    citizen.goto(f"/fachbereich/{OFFICE}/termin/")
    switch_language(citizen, language)
    citizen.locator(".day-choice a").nth(1).click()
    expect(citizen.locator("#zeiten")).to_be_focused()
    assert sideways(citizen) == []
    assert_accessible(citizen, f"booking: day picker/{language}")
    citizen.set_viewport_size({"width": 1280, "height": 800})
    assert_accessible(citizen, f"booking: day picker wide/{language}")
    citizen.locator("a.slot").nth(30).click()
    citizen.locator("#id_display_name").fill("Ayşe Yılmaz")
    citizen.locator("form.knock-form button[type=submit]").click()
    expect(citizen.locator(".booking-code")).to_be_visible()
    assert (
        decoded_qr_image(citizen, "img.booking-qr")["text"]
        == citizen.locator(".booking-link").input_value()
    )
    assert_accessible(citizen, f"booking: confirmation/{language}")
    citizen.locator("a[href$='/absagen/']").click()
    expect(citizen.locator("form.confirm-form")).to_be_visible()
    assert sideways(citizen) == []
    assert_accessible(citizen, f"booking: cancel question/{language}")
    citizen.locator("form.confirm-form button[type=submit]").click()
    expect(citizen.locator(".booking-status")).not_to_have_text("")
    assert citizen.locator("a[href$='/absagen/']").count() == 0
