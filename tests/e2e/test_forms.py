"""Forms a citizen fills in: errors and help read with their field, an error summary that
takes focus after a failed submit, and a knock form that is near the top of the page.
"""

import pytest
from playwright.sync_api import Page, expect

from .accessibility import assert_accessible
from .flows import OFFICE, set_presence, staff_login

pytestmark = pytest.mark.e2e

NAME_HELP = "So that staff can greet you. A first name or a nickname is enough."
REQUIRED = "This field is required."

# The element that has focus, as "tag#id" (or "body").
FOCUSED = """() => { const el = document.activeElement;
  return el ? el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') : null; }"""


def _open_office(new_page) -> None:
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")


def test_knock_sent_empty_focuses_the_summary_and_describes_the_field(new_page):
    _open_office(new_page)
    citizen = new_page()
    citizen.goto(f"/fachbereich/{OFFICE}/anklopfen/")
    expect(citizen.locator("#device-message")).to_have_text("Camera and microphone work.")
    citizen.get_by_role("button", name="Knock").click()

    summary = citizen.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("heading")).to_have_text("Please correct the following:")
    expect(summary.get_by_role("link")).to_have_text([f"Your name: {REQUIRED}"])

    name = citizen.get_by_role("textbox", name="Your name")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description(f"{NAME_HELP} {REQUIRED}")
    # The optional topic is fine: described by its help, not marked invalid.
    topic = citizen.get_by_role("textbox", name="Your topic (optional)")
    expect(topic).not_to_have_attribute("aria-invalid", "true")
    expect(topic).to_have_accessible_description(
        "A few words, for example a file number. No sensitive details, please."
    )
    # The summary's link leads into the field, ready to type.
    summary.get_by_role("link").click()
    expect(name).to_be_focused()
    citizen.keyboard.type("Fehlerfrei")
    expect(name).to_have_value("Fehlerfrei")
    assert_accessible(citizen, "knock form with errors")


def test_booking_with_a_wrong_email_focuses_the_summary_and_describes_the_field(new_page):
    citizen = new_page()
    citizen.goto(f"/fachbereich/{OFFICE}/")
    citizen.get_by_role("link", name="Book an appointment").click()
    citizen.locator("a.slot").first.click()
    citizen.get_by_label("Your name").fill("Berta Termin")
    citizen.get_by_label("E-mail for confirmation and reminder (optional)").fill("kaputt")
    citizen.get_by_role("button", name="Book").click()

    summary = citizen.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        ["E-mail for confirmation and reminder (optional): Enter a valid email address."]
    )
    email = citizen.get_by_role("textbox", name="E-mail for confirmation and reminder")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description("Enter a valid email address.")
    expect(citizen.get_by_role("textbox", name="Your name")).not_to_have_attribute(
        "aria-invalid", "true"
    )
    summary.get_by_role("link").click()
    expect(email).to_be_focused()


def _tab_stops_from_heading_to_name(page: Page) -> list[str]:
    # Start on the heading, as a screen reader's jump to it does (a click would focus
    # <main>, which starts before the breadcrumb).
    page.evaluate("() => { const h = document.querySelector('h1'); h.tabIndex = -1; h.focus(); }")
    stops = []
    for _ in range(40):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED))
        if stops[-1] == "input#id_display_name":
            return stops
    raise AssertionError(f"the name field was not reached: {stops}")


def test_knock_form_is_five_tab_stops_from_the_heading_when_the_camera_works(new_page):
    _open_office(new_page)
    citizen = new_page()
    citizen.goto(f"/fachbereich/{OFFICE}/anklopfen/")
    expect(citizen.locator("#device-message")).to_have_text("Camera and microphone work.")
    # The help for a blocked camera is not there while the camera works.
    expect(citizen.locator("#device-help")).to_be_hidden()
    assert _tab_stops_from_heading_to_name(citizen) == [
        "a",  # the full privacy notice
        "select#camera-select",
        "select#mic-select",
        "button#device-retry",
        "input#id_display_name",
    ]


def test_knock_form_comes_early_on_a_phone(new_page):
    _open_office(new_page)
    citizen = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    citizen.goto(f"/fachbereich/{OFFICE}/anklopfen/")
    expect(citizen.locator("#device-message")).to_have_text("Camera and microphone work.")
    top = citizen.evaluate(
        "() => document.getElementById('id_display_name').getBoundingClientRect().top"
        " + window.scrollY"
    )
    height = citizen.evaluate("() => document.documentElement.scrollHeight")
    # Within two screens, and the page is not made long by help nobody needs.
    assert top < 2 * 740, (top, height)
    assert height < 3 * 740, (top, height)


def test_day_view_with_nobody_waiting_is_not_a_numbered_list(new_page):
    lead = new_page()
    staff_login(lead, "e2e-lead")
    lead.goto(f"/konsole/termine/{OFFICE}/")
    now = lead.locator("section", has=lead.get_by_role("heading", name="Waiting now"))
    expect(now.locator("p.queue-empty")).to_have_text("Nobody is waiting.")
    expect(now.get_by_role("listitem")).to_have_count(0)


def test_staff_login_refused_focuses_the_summary(new_page):
    staff = new_page()
    staff.goto("/konsole/anmelden/")
    # The user name field has autofocus; the summary must still win after a refusal.
    staff.get_by_label("User name").fill("niemand")
    staff.get_by_label("Password").fill("falsch")
    staff.get_by_role("button", name="Log in").click()
    summary = staff.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("listitem")).to_have_text(
        [
            "Please enter a correct username and password. "
            "Note that both fields may be case-sensitive."
        ]
    )
    expect(staff.get_by_label("User name")).to_have_value("niemand")
