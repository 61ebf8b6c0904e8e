"""Nothing is only heard (WCAG 1.3.3): admission, a message from the office and a new knock
change the tab's title and show a banner; muted and camera off are said in words.

Headless Chromium reports every tab as visible, so a tab in the background is emulated:
an init script makes `document.hidden` follow a flag in sessionStorage (it survives the
admission's navigation, as a real background tab stays in the background).
"""

import re

import pytest
from playwright.sync_api import expect

from .accessibility import assert_accessible
from .flows import knock, set_presence, staff_login, wait_for_media

pytestmark = pytest.mark.e2e

BACKGROUND_TAB = """(() => {
  const hidden = () => sessionStorage.getItem('e2e-tab-hidden') === '1';
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: hidden });
  Object.defineProperty(Document.prototype, 'visibilityState', {
    configurable: true, get: () => (hidden() ? 'hidden' : 'visible') });
})();"""
SET_HIDDEN = """(hidden) => {
  sessionStorage.setItem('e2e-tab-hidden', hidden ? '1' : '0');
  document.dispatchEvent(new Event('visibilitychange'));
}"""
SUFFIX = " – Virtual citizen office"


# The system's notifications, as the page makes them: headless Chromium shows none, so the
# API is stood in for, already allowed (as after "Notify me when it is my turn").
NOTIFICATIONS = """{
  window.__notifications = [];
  window.Notification = class {
    static permission = "granted";
    static requestPermission() { return Promise.resolve("granted"); }
    constructor(title, options) { window.__notifications.push([title, options?.body || ""]); }
  };
}"""


def test_admission_in_a_background_tab_and_office_messages_are_seen(new_page):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = new_page()
    citizen.context.add_init_script(BACKGROUND_TAB)
    citizen.context.add_init_script(NOTIFICATIONS)
    knock(citizen, "Taube Person")

    # The console's tab says that someone knocked, and so does a banner.
    expect(staff).to_have_title(f"(!) New knock: Taube Person (E2E Office) – Staff console{SUFFIX}")
    expect(staff.locator("#attention-banner")).to_have_text("New knock: Taube Person (E2E Office)")

    # A message from the office while the waiting room is in the background.
    citizen.evaluate(SET_HIDDEN, True)
    staff.get_by_role("button", name="Send message: Taube Person").click()
    dialog = staff.get_by_role("dialog", name="Message to Taube Person")
    dialog.get_by_label("Message:").fill("Noch fünf Minuten.")
    dialog.get_by_role("button", name="Send", exact=True).click()
    expect(citizen.locator("#staff-messages")).to_contain_text("Noch fünf Minuten.")
    expect(citizen).to_have_title(f"(!) New message from the office – Waiting room{SUFFIX}")
    banner = citizen.locator("#attention-banner")
    expect(banner).to_have_text("New message from the office")
    expect(banner).to_be_visible()

    # Admitted while still in the background: the call waits for the citizen (no camera,
    # no empty call); the title, the banner and the system's notification say it is their
    # turn, until they are back.
    staff.get_by_role("button", name="Admit: Taube Person").click()
    # Staff are asked first: the citizen's page is in the background (test_sleeping_tab).
    staff.get_by_role("dialog", name="Admit?").get_by_role("button", name="Admit anyway").click()
    turn = (
        "It is your turn. The call starts when you come back to this page, or now with the "
        "button below."
    )
    expect(citizen).to_have_title(f"(!) Your turn – Waiting room{SUFFIX}")
    expect(banner).to_have_text(turn)
    expect(citizen.locator("#queue-position")).to_have_text(turn)
    expect(citizen.get_by_role("button", name="Join the call now")).to_be_visible()
    assert_accessible(citizen, "waiting room, admitted while in the background")
    assert citizen.evaluate("document.hidden") is True
    assert re.search(r"/warteraum/", citizen.url)
    # ... and the system's notification, which the citizen allowed.
    assert citizen.evaluate("window.__notifications") == [["Your turn", turn]]

    # Back at the page: the call starts, its title and banner say so until they act.
    citizen.evaluate(SET_HIDDEN, False)
    expect(citizen).to_have_url(re.compile(r"/gespraech/"))
    expect(citizen).to_have_title(f"(!) Your turn – Consultation: E2E Office{SUFFIX}")
    expect(banner).to_have_text("It is your turn: the consultation has started.")
    wait_for_media(citizen, 1)
    citizen.locator("h1").click()
    expect(citizen).to_have_title(f"Consultation: E2E Office{SUFFIX}")
    expect(citizen.locator("#attention-banner")).to_be_hidden()


def test_muted_and_camera_off_are_said_in_words(new_page):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = new_page()
    knock(citizen, "Stille Person")
    staff.get_by_role("button", name="Admit: Stille Person").click()
    expect(citizen).to_have_url(re.compile(r"/gespraech/"))
    wait_for_media(citizen, 1)
    wait_for_media(staff, 1)
    remote = staff.locator(".tile.remote .media-state")
    own = citizen.locator("#local-media-state")
    expect(remote).to_have_text("")

    citizen.get_by_role("button", name="Mute", exact=True).click()
    expect(citizen.locator("#toggle-audio")).to_have_text("Unmute")
    expect(own).to_have_text("(muted)")
    expect(remote).to_have_text("(muted)")
    # With an icon beside the words (a crossed-out microphone).
    icon = "(el) => getComputedStyle(el, '::before').maskImage"
    assert "mic-off.svg" in remote.evaluate(icon)

    citizen.get_by_role("button", name="Camera off").click()
    expect(citizen.locator("#toggle-video")).to_have_text("Camera on")
    expect(own).to_have_text("(muted, camera off)")
    expect(remote).to_have_text("(muted, camera off)")
    assert "camera-off.svg" in remote.evaluate("(el) => getComputedStyle(el, '::after').maskImage")

    citizen.get_by_role("button", name="Unmute").click()
    citizen.get_by_role("button", name="Camera on").click()
    expect(citizen.locator("#toggle-audio")).to_have_text("Mute")
    expect(remote).to_have_text("")
    assert remote.evaluate(icon) == "none"
    citizen.get_by_role("button", name="Hang up").click()
    expect(citizen.get_by_role("heading", name="The consultation has ended")).to_be_visible()
