"""The office's own content keeps its language on pages in other languages (WCAG 3.1.2),
and text of either direction reads in its own order on an Arabic page.

Department names and descriptions, appointment kinds and staff messages are written in the
office's language (German by default): on an English or Arabic page they carry lang="de"
(a screen reader then reads them with a German voice); on a German page nothing is added.
What people type (chat, messages) carries dir="auto": "Guten Tag!" on an Arabic page keeps
its "!" at the end. The server's own sentences over the socket are in the page's language.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from .flows import OFFICE, knock, knock_in, set_presence, staff_login, wait_for_media, words

pytestmark = pytest.mark.e2e

DIRECTION = "(el) => getComputedStyle(el).direction"


def switch_language(page: Page, language: str) -> None:
    page.locator("#language-select").select_option(language)
    page.locator(".language-switcher button").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def office_content(page: Page) -> dict[str, tuple[str | None, str | None]]:
    """(lang, dir) of each piece of office content on the office's pages."""
    found = {}

    def mark(name, locator):
        # The pages are rendered on the server: no waiting needed (and on a German page
        # the name inside the knock page's heading has no element of its own).
        if not locator.count():
            found[name] = (None, None)
            return
        found[name] = (locator.get_attribute("lang"), locator.get_attribute("dir"))

    page.goto("/")
    mark("overview name", page.locator(f'.department-card a[href="/fachbereich/{OFFICE}/"]'))
    mark("overview summary", page.locator(".department-card p", has_text="browser tests"))
    page.goto(f"/fachbereich/{OFFICE}/")
    mark("department name", page.locator("h1"))
    mark("department summary", page.locator("p.lead"))
    page.goto(f"/fachbereich/{OFFICE}/anklopfen/")
    mark("knock heading", page.locator("h1 span", has_text="E2E Office"))
    page.goto(f"/fachbereich/{OFFICE}/termin/")
    mark("appointment kind", page.locator("h2", has_text="Videoberatung"))
    return found


def test_office_content_is_german_on_english_and_arabic_pages_and_unmarked_on_german(new_page):
    page = new_page()
    english = office_content(page)
    assert english == dict.fromkeys(english, ("de", "auto"))
    assert len(english) == 6

    switch_language(page, "ar")
    assert office_content(page) == english
    # A German name keeps left-to-right order inside the right-to-left page.
    page.goto(f"/fachbereich/{OFFICE}/")
    assert page.locator("h1").evaluate(DIRECTION) == "ltr"
    assert page.locator("html").evaluate(DIRECTION) == "rtl"

    switch_language(page, "de")
    assert office_content(page) == dict.fromkeys(english, (None, None))


def test_staff_messages_are_german_and_chat_reads_in_its_own_direction_on_arabic(new_page):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = new_page()
    knock(citizen, "Layla")
    switch_language(citizen, "ar")  # the waiting room again, in Arabic, same place

    staff.get_by_role("button", name="Send message: Layla").click()
    dialog = staff.get_by_role("dialog", name="Message to Layla")
    dialog.get_by_label("Message:").fill("Gleich sind Sie dran!")
    dialog.get_by_role("button", name="Send", exact=True).click()
    message = citizen.locator(".staff-message span", has_text="Gleich sind Sie dran!")
    expect(message).to_have_attribute("lang", "de")
    expect(message).to_have_attribute("dir", "auto")
    assert message.evaluate(DIRECTION) == "ltr"

    staff.get_by_role("button", name="Admit: Layla").click()
    expect(citizen).to_have_url(re.compile(r"/gespraech/"))
    wait_for_media(citizen, 1)
    staff.get_by_role("textbox", name="Message").fill("Guten Tag!")
    staff.get_by_role("button", name="Send", exact=True).click()
    text = citizen.locator("#chat-log .chat-text", has_text="Guten Tag!")
    expect(text).to_have_attribute("dir", "auto")
    assert text.evaluate(DIRECTION) == "ltr"
    # The citizen's own Arabic answer stays right to left on the staff's English page.
    citizen.locator("#chat-input").fill("شكرا!")
    citizen.locator("#chat-form button").click()
    answer = staff.locator("#chat-log .chat-text", has_text="شكرا!")
    expect(answer).to_have_attribute("dir", "auto")
    assert answer.evaluate(DIRECTION) == "rtl"
    # The server's sentences are Arabic too: a signal to nobody is answered in the page's
    # language ("No such participant in this call.").
    citizen.evaluate(
        """() => window.bbCall.mesh.send({type: 'signal', to: 'nobody-here',
                                         candidate: {candidate: ''}})"""
    )
    expect(citizen.locator("#call-status")).to_have_text("لا يوجد هذا المشارك في هذه المكالمة.")
    staff.get_by_role("button", name="End consultation").click()
    expect(staff.get_by_role("heading", name="Staff console")).to_be_visible()


def test_a_ukrainian_citizen_hears_german_as_german_and_an_english_decline_as_english(new_page):
    """The department's description is the office's German; the default decline text is
    written in the console's language (here English), and marked as such, not as German."""
    citizen = new_page(locale="uk")
    citizen.goto(f"/fachbereich/{OFFICE}/")
    expect(citizen.locator("html")).to_have_attribute("lang", "uk")
    description = citizen.locator("section[aria-labelledby=offer-heading] > div")
    expect(description).to_have_text("Wir beraten zu allem, was die Browsertests brauchen.")
    expect(description).to_have_attribute("lang", "de")

    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    knock_in(citizen, "uk", "Oksana")
    staff.get_by_role("button", name="Decline: Oksana").click()
    dialog = staff.get_by_role("dialog", name="Decline Oksana")
    default = "Unfortunately we cannot see you today. Please try again at another time."
    expect(dialog.get_by_label("Message for the citizen (optional):")).to_have_value(default)
    dialog.get_by_role("button", name="Send", exact=True).click()
    final = citizen.locator("#final-message")
    expect(final).to_have_text(words("uk")("The office cannot see you today.") + " " + default)
    expect(final.locator("span")).to_have_attribute("lang", "en")
    # So after a reload, when the server tells the outcome again.
    citizen.reload()
    expect(final.locator("span")).to_have_text(default)
    expect(final.locator("span")).to_have_attribute("lang", "en")
