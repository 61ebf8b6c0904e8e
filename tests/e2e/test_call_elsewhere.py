"""A citizen who opens their call a second time (another tab, the link again, a phone)
finds it there: one window carries the call, the newest. The other says where the call
went, lets go of the camera and offers to bring the call back. The staff member sees the
citizen connected throughout, never "connection interrupted" for a window that was only
replaced."""

import time

import pytest
from playwright.sync_api import expect

from .accessibility import assert_accessible
from .flows import admit, knock, set_presence, staff_login, wait_for_media

pytestmark = pytest.mark.e2e

MOVED = "The consultation continues in another window"
LIVE_TRACKS = """() => (document.getElementById('local-video')?.srcObject?.getTracks() || [])
  .filter((track) => track.readyState === 'live').length"""
INTERRUPTED = "(connection interrupted)"


def test_a_call_opened_in_a_second_window_moves_there_and_back(new_page):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    first = new_page()
    knock(first, "Mia Zweifach")
    expect(first.locator("#queue-position")).to_have_text("You are next.")
    admit(staff, first, "Mia Zweifach")
    citizen_tile = staff.locator("#videos figure.remote .media-state")

    # The same browser opens the call's address again, in a second tab.
    second = first.context.new_page()
    second.goto(first.url)
    wait_for_media(second, 1)
    wait_for_media(staff, 1)
    heading = first.get_by_role("heading", name=MOVED)
    expect(heading).to_be_focused()
    expect(first.locator("#videos")).to_be_hidden()
    assert first.evaluate(LIVE_TRACKS) == 0
    expect(citizen_tile).not_to_have_text(INTERRUPTED)
    assert_accessible(first, "call moved to another window")
    first.keyboard.press("Tab")
    expect(first.get_by_role("button", name="Continue here instead")).to_be_focused()

    # Back to the first window: the second says so, and closing it changes nothing.
    with first.expect_navigation():  # the call page loads again, and takes the call back
        first.keyboard.press("Enter")
    wait_for_media(first, 1)
    wait_for_media(staff, 1)
    expect(second.get_by_role("heading", name=MOVED)).to_be_focused()
    second.close()
    staff.wait_for_timeout(1500)
    expect(citizen_tile).not_to_have_text(INTERRUPTED)
    wait_for_media(staff, 1)

    staff.get_by_role("button", name="End consultation").click()
    expect(first.get_by_role("heading", name="The consultation has ended")).to_be_visible()


def test_two_waiting_windows_shown_at_once_start_the_call_in_one_only(new_page):
    """The citizen's waiting room open in two windows, both on screen, when staff let them
    in: one starts the call; the other never opens one (no second offer for staff to
    answer), says where the call is, and can take it."""
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    first = new_page()
    knock(first, "Noa Doppel")
    second = first.context.new_page()
    second.goto(first.url)
    for page in (first, second):
        expect(page.locator("#queue-position")).to_have_text("You are next.")
        assert page.evaluate("document.visibilityState") == "visible"

    staff.get_by_role("button", name="Admit: Noa Doppel").click()
    deadline = time.monotonic() + 15
    while not (shown := [p for p in (first, second) if p.locator("#call-moved").is_visible()]):
        assert time.monotonic() < deadline, "neither window says the call is in the other"
        staff.wait_for_timeout(100)
    [here] = shown
    there = second if here is first else first
    wait_for_media(there, 1)
    wait_for_media(staff, 1)
    expect(here.get_by_role("heading", name=MOVED)).to_be_focused()
    assert here.evaluate("() => window.bbCall === undefined"), "the other window started a call"
    expect(here.locator("#queue-position")).to_have_count(0)  # it no longer waits either
    staff.wait_for_timeout(1500)
    expect(staff.locator("#videos figure.remote .media-state")).not_to_have_text(INTERRUPTED)
    expect(staff.locator("#videos figure.remote")).to_have_count(1)
    assert_accessible(here, "the call started in the citizen's other window")

    # The citizen takes the call to this window.
    with here.expect_navigation():
        here.get_by_role("button", name="Continue here instead").click()
    wait_for_media(here, 1)
    wait_for_media(staff, 1)
    expect(there.get_by_role("heading", name=MOVED)).to_be_focused()
    staff.get_by_role("button", name="End consultation").click()
    expect(here.get_by_role("heading", name="The consultation has ended")).to_be_visible()
