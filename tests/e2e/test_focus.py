"""Focus after every change of page or state, and the call's chat log for keyboard users.

Focus must never fall to <body>: after leaving the queue, when declined or expired, on
admission (both sides), and after the call ends (both sides, and when the citizen hangs up). In the call the chat log scrolls, so it takes focus; its numbers are
not clipped; times are 24-hour in every language; the Invite button says whether its box
is open.
"""

import re

import pytest
from playwright.sync_api import expect

from .accessibility import assert_accessible
from .flows import (
    OFFICE,
    knock,
    knock_in,
    set_presence,
    staff_login,
    staff_login_by_ids,
    wait_for_media,
    words,
)

pytestmark = pytest.mark.e2e

FOCUSED = """() => { const el = document.activeElement;
  return el ? el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') : null; }"""

# Whether the widest list number ("12. ") fits into the list's start padding, where a
# scrolling box would otherwise clip it.
NUMBER_FITS = """(list) => {
  const style = getComputedStyle(list);
  const context = document.createElement('canvas').getContext('2d');
  context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const widest = context.measureText(`${list.children.length}. `).width;
  return {widest: Math.ceil(widest), room: parseFloat(style.paddingInlineStart)};
}"""

CLOCK = re.compile(r"^\d\d:\d\d$")


def test_leaving_the_queue_moves_focus_to_what_replaced_the_button(new_page):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = new_page()
    knock(citizen, "Lena Geht")
    expect(citizen.locator("#queue-position")).not_to_have_text("Connecting…")
    leave = citizen.get_by_role("button", name="Leave the queue")
    leave.focus()
    citizen.keyboard.press("Enter")
    final = citizen.locator("#final-message")
    expect(final).to_have_text("You have left the queue.")
    expect(final).to_be_focused()
    citizen.keyboard.press("Tab")
    expect(citizen.get_by_role("link", name="Back to the department")).to_be_focused()


def test_call_takes_focus_on_both_sides_and_its_chat_log_works_by_keyboard(new_page):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = new_page()
    knock(citizen, "Theo Fokus")
    staff.get_by_role("button", name="Admit: Theo Fokus").click()

    # Admission: both pages become the call in place, focus on its heading, not on <body>
    # (the citizen's page heading; in the console, the call's heading under its own).
    for page in (citizen, staff):
        expect(page).to_have_url(re.compile(r"/gespraech/"))
        heading = page.get_by_role("heading", name="Consultation: E2E Office")
        expect(heading).to_be_focused()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Consultation: E2E Office")
    wait_for_media(citizen, 1)
    wait_for_media(staff, 1)

    # The Invite button tells whether its box is open.
    invite = staff.get_by_role("button", name="Invite a third person")
    expect(invite).to_have_attribute("aria-expanded", "false")
    expect(invite).to_have_attribute("aria-controls", "invitation-box")
    invite.click()
    expect(invite).to_have_attribute("aria-expanded", "true")
    expect(staff.get_by_label("Name of the person (optional)")).to_be_focused()
    staff.get_by_role("button", name="Create link").click()
    # The English default is 12-hour ("09:41 AM"): the office's times are 24-hour.
    expect(staff.locator("#invitation-text")).to_have_text(
        re.compile(r"^Invitation link \(single use, valid until \d\d:\d\d\):$")
    )
    invite.click()
    expect(invite).to_have_attribute("aria-expanded", "false")

    # Twelve messages: the log scrolls, so the keyboard can reach it; "10." to "12." fit.
    for number in range(1, 13):
        citizen.get_by_label("Message").fill(f"Nachricht {number}")
        citizen.get_by_role("button", name="Send", exact=True).click()
        expect(citizen.locator("#chat-log li")).to_have_count(number)
    log = citizen.get_by_role("list", name="Chat")
    expect(log).to_have_attribute("tabindex", "0")
    assert log.evaluate("(list) => list.scrollHeight > list.clientHeight")
    fit = log.evaluate(NUMBER_FITS)
    assert fit["widest"] <= fit["room"], fit
    times = citizen.locator("#chat-log time").all_inner_texts()
    assert len(times) == 12 and all(CLOCK.match(t) for t in times), times
    expect(staff.locator("#chat-log li")).to_have_count(12)
    assert all(CLOCK.match(t) for t in staff.locator("#chat-log time").all_inner_texts())
    log.focus()
    citizen.keyboard.press("Home")
    # Keyboard scrolling may glide: wait until it has reached the first message.
    citizen.wait_for_function("() => document.getElementById('chat-log').scrollTop === 0")
    assert_accessible(citizen, "call with a long chat")
    assert_accessible(staff, "call, staff, long chat")

    # The end: the citizen's new page opens on its heading, the staff member's console
    # on the queue.
    staff.get_by_role("button", name="End consultation").click()
    ended = citizen.get_by_role("heading", name="The consultation has ended")
    expect(ended).to_be_visible()
    expect(ended).to_be_focused()
    expect(staff.get_by_role("heading", name="Staff console")).to_be_visible()
    expect(staff.locator("#queue-heading")).to_be_focused()


def _switch_language(page, code: str) -> None:
    page.locator("#language-select").select_option(code)
    page.locator(".language-switcher button").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_message_to_everyone_is_named_by_its_visible_words_first(new_page):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = new_page()
    knock(citizen, "Gerda Wartet")
    # In German the button's words ("Nachricht an alle Wartenden") are not part of the
    # dialog's title ("Nachricht an alle, die bei … warten"), which used to be its name.
    _switch_language(staff, "de")
    button = staff.locator(f'[data-department="{OFFICE}"] .message-all')
    expect(button).to_have_text("Nachricht an alle Wartenden")
    expect(button).to_have_accessible_name("Nachricht an alle Wartenden E2E Office")
    assert_accessible(staff, "console in German with someone waiting")
    _switch_language(staff, "en")  # the fixture signs off with the English labels


def test_declined_and_expired_move_focus_from_the_vanished_button_to_the_message(new_page):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    declined = new_page()
    knock(declined, "Nein Heute")
    # A keyboard user on "Leave the queue", the button that goes away.
    declined.locator("#leave-queue").focus()
    staff.get_by_role("button", name="Decline: Nein Heute").click()
    staff.get_by_role("dialog", name="Decline Nein Heute").get_by_role(
        "button", name="Send"
    ).click()
    final = declined.locator("#final-message")
    expect(final).to_contain_text("The office cannot see you today.")
    expect(final).to_be_focused()

    # Expired: the server's word for a place that timed out (the expiry itself is tested
    # in tests/waiting and test_sleeping_tab.py); the page handles it as any ending.
    sockets = []

    def relay(socket):
        socket.connect_to_server()
        sockets.append(socket)

    expired = new_page()
    expired.route_web_socket(re.compile(r"/ws/warteraum/"), relay)
    knock(expired, "Zu Spät")
    expect(expired.locator("#queue-position")).to_have_text("You are next.")
    expired.locator("#leave-queue").focus()
    sockets[-1].send('{"type": "expired"}')
    final = expired.locator("#final-message")
    expect(final).to_have_text("Your place in the queue has expired.")
    expect(final).to_be_focused()
    expired.keyboard.press("Tab")
    expect(expired.get_by_role("link", name="Back to the department")).to_be_focused()
    # The place was never really given up: leave it, so that later tests sharing this
    # office find nobody waiting.
    expired.reload()
    expired.get_by_role("button", name="Leave the queue").click()
    expect(expired.locator("#final-message")).to_have_text("You have left the queue.")


def test_citizen_hanging_up_is_focused_on_the_ended_page_and_arabic_times_are_24_hour(
    new_page,
):
    t = words("ar")
    staff = new_page(locale="ar")
    staff_login_by_ids(staff)
    citizen = new_page(locale="ar")
    knock_in(citizen, "ar", "Samira")
    staff.locator(".queue-entry", has_text="Samira").locator("button.admit").click()
    wait_for_media(citizen, 1)
    wait_for_media(staff, 1)

    # 24-hour times in Arabic: two digits, a colon, two digits, and no "ص"/"م" (a.m./p.m.).
    clock = re.compile(r"^\d\d:\d\d$")
    citizen.locator("#chat-input").fill("مرحبا")
    citizen.locator("#chat-input").press("Enter")
    expect(staff.locator("#chat-log li")).to_have_count(1)
    for page in (citizen, staff):
        [time] = page.locator("#chat-log time").all_inner_texts()
        assert clock.match(time), time
    staff.locator("#invite").click()
    staff.locator("#create-invitation").click()
    text = staff.locator("#invitation-text")
    expect(text).to_have_text(re.compile(r"\d\d:\d\d"))
    [time] = re.findall(r"\d\d:\d\d\s*[صم]?", text.inner_text())
    assert clock.match(time), text.inner_text()

    # The citizen hangs up: the ended page opens on its heading.
    citizen.locator("#hang-up").focus()
    citizen.keyboard.press("Enter")
    ended = citizen.locator("h1")
    expect(ended).to_have_text(t("The consultation has ended"))
    expect(ended).to_be_focused()
