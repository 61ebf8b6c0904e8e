"""Reflow (WCAG 1.4.10) and text size (1.4.4): no page scrolls sideways on a 320 px wide
screen, nor at 360 px with the text doubled, on every citizen page and the console.

The measure is the one a person feels: the document wider than the viewport
(`scrollWidth`), which is what makes a page scroll sideways. The elements sticking out are
listed in the message to show where to look.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from .accessibility import horizontal_overflow, screenshot
from .flows import OFFICE, knock, set_presence, staff_login

pytestmark = pytest.mark.e2e

# (viewport width, root font size): a small phone, and a phone with text at 200 %.
SIZES = [(320, "100%"), (360, "200%")]


def too_wide(page: Page, name: str) -> list[str]:
    """One line per size at which `name` (the page as it is now) is wider than the screen."""
    problems = []
    for width, text in SIZES:
        page.set_viewport_size({"width": width, "height": 640})
        page.evaluate("(size) => { document.documentElement.style.fontSize = size; }", text)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            sticking_out = "; ".join(horizontal_overflow(page)[:8])
            problems.append(f"{name} at {width} px, text {text}: {scroll} px wide ({sticking_out})")
        screenshot(page, f"reflow-{width}-{name}")
    page.evaluate("document.documentElement.style.fontSize = ''")
    return problems


def test_no_citizen_page_and_not_the_console_scrolls_sideways(new_page):
    citizen = new_page(viewport={"width": 320, "height": 640})
    problems = []
    for path, name in [
        ("/", "overview"),
        (f"/fachbereich/{OFFICE}/", "department"),
        (f"/fachbereich/{OFFICE}/anklopfen/", "knock"),
        ("/datenschutz/", "privacy"),
        ("/barrierefreiheit/", "accessibility-statement"),
        ("/leichte-sprache/", "easy-language"),
    ]:
        citizen.goto(path)
        problems += too_wide(citizen, name)
    # The language switcher's button is whole, not cut off at the edge.
    citizen.set_viewport_size({"width": 320, "height": 640})
    switch = citizen.locator(".language-switcher button").bounding_box()
    if switch["x"] < 0 or switch["x"] + switch["width"] > 320:
        problems.append(f"language switcher's button cut off at 320 px: {switch}")

    # Booking: the times, the form (with its errors), the confirmation.
    citizen.goto(f"/fachbereich/{OFFICE}/termin/")
    problems += too_wide(citizen, "booking-times")
    # The next day: the first slot may start while the test runs.
    citizen.locator(".day-choice a").nth(1).click()
    citizen.locator("a.slot").nth(6).click()
    citizen.get_by_role("button", name="Book").click()
    expect(citizen.locator(".field-error").first).to_be_visible()
    problems += too_wide(citizen, "booking-form-errors")
    citizen.get_by_label("Your name").fill("Berta Schmalbild")
    citizen.get_by_role("button", name="Book").click()
    expect(citizen.get_by_role("heading", name="Your appointment", exact=True)).to_be_visible()
    problems += too_wide(citizen, "booking-confirmation")
    citizen.get_by_role("link", name="Cancel the appointment").click()
    problems += too_wide(citizen, "booking-cancel-question")
    citizen.get_by_role("button", name="Yes, cancel the appointment").click()
    expect(citizen.locator(".booking-status")).to_have_text("cancelled")

    # Knocking, the console with the knock, the call, the ended page.
    staff = new_page(viewport={"width": 320, "height": 640})
    staff_login(staff)
    set_presence(staff, "Available")
    knock(citizen, "Schmal Bildschirm", "Wirtschaftsförderungsangelegenheiten")
    expect(citizen.locator("#queue-position")).not_to_have_text("Connecting…")
    problems += too_wide(citizen, "waiting-room")
    expect(staff.get_by_role("button", name="Admit: Schmal Bildschirm")).to_be_visible()
    problems += too_wide(staff, "console")
    staff.get_by_role("button", name="Admit: Schmal Bildschirm").click()
    expect(citizen).to_have_url(re.compile(r"/gespraech/"))
    expect(citizen.locator("#chat-input")).to_be_visible()
    problems += too_wide(citizen, "call")
    citizen.get_by_role("button", name="Hang up").click()
    expect(citizen.get_by_role("heading", name="The consultation has ended")).to_be_visible()
    problems += too_wide(citizen, "ended")
    assert problems == [], "\n".join(problems)


def test_a_long_department_name_wraps_at_320_px(new_page):
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto("/")
    # A heading set in the largest size with a word as long as German makes them.
    page.evaluate(
        """() => {
          const h1 = document.querySelector('h1');
          h1.lang = 'de';
          h1.textContent = 'Wirtschaftsförderungsgesellschaftsangelegenheiten';
        }"""
    )
    box = page.locator("h1").bounding_box()
    assert box["x"] + box["width"] <= 320
    assert page.evaluate("document.documentElement.scrollWidth") == 320
