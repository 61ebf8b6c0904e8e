"""Reflow (WCAG 1.4.10) and text size (1.4.4): no page scrolls sideways on a 320 px wide
screen, nor at 360 px with the text doubled, on every citizen page and the console.

In German (the default, and the language of the longest words), in Arabic (right to left)
and in English: the browser's language picks the page's, so the steps below find things
by id and class rather than by their words.

The measure is the one a person feels: the document wider than the viewport
(`scrollWidth`), which is what makes a page scroll sideways. The elements sticking out are
listed in the message to show where to look.
"""

import json
import re

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from .accessibility import horizontal_overflow, screenshot
from .flows import OFFICE, knock_in, staff_login_by_ids, words

pytestmark = pytest.mark.e2e

# (viewport width, root font size): a small phone, and a phone with text at 200 %.
SIZES = [(320, "100%"), (360, "200%")]
# The page's language: the browser's locale (Accept-Language).
LOCALES = {"de": "de-DE", "ar": "ar", "en": "en-US"}
SMALL = {"width": 320, "height": 640}
TOPIC = "Wirtschaftsförderungsangelegenheiten"


def too_wide(page: Page, name: str) -> list[str]:
    """One line per size at which `name` (the page as it is now) is wider than the screen."""
    problems = []
    language = page.evaluate("document.documentElement.lang")
    for width, text in SIZES:
        page.set_viewport_size({"width": width, "height": 640})
        page.evaluate("(size) => { document.documentElement.style.fontSize = size; }", text)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            sticking_out = "; ".join(horizontal_overflow(page)[:8])
            problems.append(
                f"{name} ({language}) at {width} px, text {text}: {scroll} px wide ({sticking_out})"
            )
        screenshot(page, f"reflow-{language}-{width}-{name}")
    page.evaluate("document.documentElement.style.fontSize = ''")
    page.set_viewport_size(SMALL)
    return problems


@pytest.mark.parametrize("language", LOCALES)
def test_no_information_or_booking_page_scrolls_sideways(new_page, language):
    citizen = new_page(viewport=SMALL, locale=LOCALES[language])
    problems = []
    for path, name in [
        ("/", "overview"),
        (f"/fachbereich/{OFFICE}/", "department"),
        ("/datenschutz/", "privacy"),
        ("/barrierefreiheit/", "accessibility-statement"),
        ("/leichte-sprache/", "easy-language"),
        ("/gibt-es-nicht/", "not-found"),
    ]:
        citizen.goto(path)
        expect(citizen.locator("html")).to_have_attribute("lang", language)
        problems += too_wide(citizen, name)
    # The language switcher's button is whole, not cut off at the edge.
    switch = citizen.locator(".language-switcher button").bounding_box()
    if switch["x"] < 0 or switch["x"] + switch["width"] > 320:
        problems.append(f"language switcher's button cut off at 320 px: {switch}")

    # Booking: the times, the form (with its errors), the confirmation, my data, moving,
    # cancelling, deleting my data.
    citizen.goto(f"/fachbereich/{OFFICE}/termin/")
    problems += too_wide(citizen, "booking-times")
    # The next day: the first slot may start while the test runs.
    citizen.locator(".day-choice a").nth(1).click()
    citizen.locator("a.slot").nth(6).click()
    book = citizen.locator(".knock-form button[type=submit]")
    book.click()
    expect(citizen.locator(".field-error").first).to_be_visible()
    problems += too_wide(citizen, "booking-form-errors")
    citizen.locator("#id_display_name").fill("Berta Schmalbild")
    book.click()
    expect(citizen.locator(".booking-code")).to_be_visible()
    problems += too_wide(citizen, "booking-confirmation")
    manage = citizen.url

    citizen.locator(".my-data-link a").click()
    expect(citizen.locator("#erase-confirm")).to_be_visible()
    problems += too_wide(citizen, "my-data")

    citizen.goto(manage)
    citizen.locator('a[href*="verschieben="]').click()
    expect(citizen.locator("main .notice")).to_be_visible()
    problems += too_wide(citizen, "move")
    citizen.locator(".day-choice a").nth(2).click()
    citizen.locator("button.slot").nth(6).click()
    expect(citizen).to_have_url(manage)
    expect(citizen.locator(".messages .notice")).to_be_visible()
    problems += too_wide(citizen, "moved")

    citizen.locator("a.button.danger").click()
    problems += too_wide(citizen, "booking-cancel-question")
    citizen.locator(".confirm-form button[type=submit]").click()
    expect(citizen.locator(".booking-status")).to_have_text(words(language)("cancelled"))
    problems += too_wide(citizen, "booking-cancelled")

    citizen.locator(".my-data-link a").click()
    citizen.locator("#erase-confirm").check()
    citizen.locator('form[action$="/loeschen/"] button[type=submit]').click()
    expect(citizen.locator(".messages .notice")).to_have_text(
        words(language)("Your data has been deleted.")
    )
    problems += too_wide(citizen, "my-data-erased")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("language", LOCALES)
def test_no_page_of_a_visit_and_not_the_console_scrolls_sideways(
    new_page, browser_denying_media, language
):
    t = words(language)
    locale = LOCALES[language]
    staff = new_page(viewport=SMALL, locale=locale)
    staff_login_by_ids(staff)
    problems = []

    # The knock page, with the help for a blocked camera open.
    blocked = new_page(viewport=SMALL, locale=locale, on=browser_denying_media)
    blocked.goto(f"/fachbereich/{OFFICE}/anklopfen/")
    expect(blocked.locator("details.device-help-case[open]")).to_have_count(1)
    problems += too_wide(blocked, "knock-camera-blocked")

    # Waiting, the console with the knock; declined in the office's default words.
    citizen = new_page(viewport=SMALL, locale=locale)
    citizen.goto(f"/fachbereich/{OFFICE}/anklopfen/")
    expect(citizen.locator("#device-message")).to_have_text(t("Camera and microphone work."))
    problems += too_wide(citizen, "knock")
    declined = new_page(viewport=SMALL, locale=locale)
    knock_in(declined, language, "Abgelehnt Schmal", TOPIC)
    problems += too_wide(declined, "waiting-room")
    row = staff.locator(".queue-entry", has_text="Abgelehnt Schmal")
    expect(row.locator("button.admit")).to_be_visible()
    problems += too_wide(staff, "console")
    row.locator("button.decline").click()
    staff.locator("#text-dialog-send").click()
    expect(declined.locator("#final-message")).to_contain_text(
        t("The office cannot see you today.")
    )
    problems += too_wide(declined, "waiting-room-declined")

    # A call missed while the page slept: the state the server sends on return (sleeping
    # and missing a call have their own test, test_sleeping_tab.py).
    sockets: list[WebSocketRoute] = []

    def relay(socket: WebSocketRoute) -> None:
        socket.connect_to_server()
        sockets.append(socket)

    citizen.route_web_socket(re.compile(r"/ws/warteraum/"), relay)
    knock_in(citizen, language, "Schmal Bildschirm", TOPIC)
    sockets[-1].send(json.dumps({"type": "missed-call"}))
    expect(citizen.locator("#rejoin-front")).to_be_visible()
    problems += too_wide(citizen, "waiting-room-missed-call")
    # It was not really missed: the page as the server has it again.
    citizen.reload()
    expect(citizen.locator("#leave-queue")).to_be_visible()

    # The call, the invitation page of a third person, the ended page.
    row = staff.locator(".queue-entry", has_text="Schmal Bildschirm")
    # Back from the reload, not "in the background" (admitting would ask first).
    expect(row.locator(".entry-background")).to_be_hidden()
    expect(row.locator(".entry-gone")).to_be_hidden()
    row.locator("button.admit").click()
    expect(citizen.locator("#chat-input")).to_be_visible()
    problems += too_wide(citizen, "call")
    staff.locator("#invite").click()
    staff.locator("#create-invitation").click()
    link = staff.locator("#invitation-link")
    expect(link).to_have_value(re.compile(r"/einladung/[\w-]{40,}/$"))
    problems += too_wide(staff, "call-staff-invitation")
    guest = new_page(viewport=SMALL, locale=locale)
    guest.goto(link.input_value())
    expect(guest.locator("#id_display_name")).to_be_visible()
    problems += too_wide(guest, "invitation")
    citizen.locator("#hang-up").click()
    expect(citizen.locator("h1")).to_have_text(t("The consultation has ended"))
    problems += too_wide(citizen, "ended")
    assert problems == [], "\n".join(problems)


def test_a_long_department_name_wraps_at_320_px(new_page):
    page = new_page(viewport=SMALL)
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
