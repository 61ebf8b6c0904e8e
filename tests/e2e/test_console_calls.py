"""Alerts while a staff member is in a call: a knock chimes, shows a visual cue and, in a
background tab, a desktop notification, both in the call held in the console and on the
call page of its own (reached by reloading during the call), whose waiting box counts.

Headless Chromium plays no sound and shows no notifications: the chime is heard through
the oscillators `sound.js` starts (their frequencies, 660 and 880 Hz), and `Notification`
is stood in for, already allowed. A background tab is emulated as in test_visual_cues.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from .accessibility import assert_accessible
from .test_console_team import serve, sign_in, sign_out, team_page, team_server
from .test_visual_cues import BACKGROUND_TAB, SET_HIDDEN

pytestmark = pytest.mark.e2e
__all__ = ["team_page", "team_server"]  # fixtures, used by name

CHIME = [660, 880]
# Patient: seven test runs may share this machine's two cores.
SLOW = 30_000
EARS = """(() => {
  window.__chimes = [];
  const Real = window.AudioContext;
  window.AudioContext = class extends Real {
    createOscillator() {
      const oscillator = super.createOscillator();
      const start = oscillator.start.bind(oscillator);
      oscillator.start = (when) => {
        window.__chimes.push(oscillator.frequency.value);
        start(when);
      };
      return oscillator;
    }
  };
  // Every element that showed the visual cue (it goes again after 8 s).
  window.__cues = [];
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.target.classList.contains("knock-cue")) window.__cues.push(change.target.id);
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["class"] });
  window.__notifications = [];
  window.Notification = class {
    static permission = "granted";
    static requestPermission() { return Promise.resolve("granted"); }
    constructor(title, options) { window.__notifications.push([title, options?.tag || ""]); }
  };
})();"""


def knock_at(page: Page, slug: str, name: str) -> None:
    """As test_console_team's, patient with a busy machine (four browsers with cameras)."""
    page.set_default_timeout(SLOW)
    page.goto(f"/fachbereich/{slug}/")
    page.get_by_role("link", name="Go to the waiting room").click()
    expect(page.locator("#device-message")).to_have_text(
        "Camera and microphone work.", timeout=SLOW
    )
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Knock").click()
    expect(page.locator("#queue-position")).to_have_text(
        re.compile(r"^You are (next|number)"), timeout=SLOW
    )


def heard(page: Page) -> tuple[list, list, list]:
    """The chimes' tones, the notifications and the ids of the elements that showed the
    visual cue since the last call, then forgets them."""
    chimes, notifications, cues = page.evaluate(
        """() => {
          const seen = [window.__chimes, window.__notifications, [...new Set(window.__cues)]];
          window.__chimes = [];
          window.__notifications = [];
          window.__cues = [];
          return seen;
        }"""
    )
    return chimes, notifications, cues


def expect_heard(page: Page, chimes: list, notifications: list, cues: list) -> None:
    page.wait_for_function("() => window.__chimes.length > 0", timeout=SLOW)
    assert heard(page) == (chimes, notifications, cues)


def test_a_knock_during_a_call_chimes_and_notifies_in_the_console_and_on_the_call_page(
    team_page,
):
    anna = team_page()
    anna.set_default_timeout(SLOW)
    anna.context.add_init_script(BACKGROUND_TAB)
    anna.context.add_init_script(EARS)
    sign_in(anna, "anna")
    serve(anna, "Bauamt")

    # While the console is in front: the chime, no notification.
    lea = team_page()
    knock_at(lea, "team-b", "Lea Lang")
    expect(anna.locator("#console-announce")).to_have_text(
        "New knock: Lea Lang (Bauamt)", timeout=SLOW
    )
    expect_heard(anna, CHIME, [], ["queue-heading"])

    # The call starts in the console; the member goes to another window.
    anna.get_by_role("button", name="Admit: Lea Lang").click()
    expect(anna).to_have_url(re.compile(r"/gespraech/[\w-]+/$"))
    anna.evaluate(SET_HIDDEN, True)
    max_ = team_page()
    knock_at(max_, "team-b", "Max Moor")
    expect(anna.locator("#queue-count")).to_have_text("(1)", timeout=SLOW)
    expect(anna).to_have_title(re.compile(r"^\(!\) New knock: Max Moor \(Bauamt\)"))
    expect_heard(anna, CHIME, [["New knock: Max Moor (Bauamt)", "bb-knock"]], ["queue-heading"])

    # A reload during the call opens the call page of its own; its box counts who waits.
    anna.reload()
    expect(anna.get_by_role("heading", name="Consultation: Bauamt")).to_be_visible()
    box = anna.locator("#call-waiting")
    expect(box.locator(".call-waiting-count")).to_have_text(
        "Waiting in my departments: 1", timeout=SLOW
    )
    # Notifications are allowed already: nothing to offer.
    expect(box.get_by_role("button", name="Allow notifications")).to_be_hidden()
    assert heard(anna) == ([], [], [])  # what was waiting already is no news
    nora = team_page()
    knock_at(nora, "team-b", "Nora Nest")
    expect(box.locator(".call-waiting-count")).to_have_text(
        "Waiting in my departments: 2", timeout=SLOW
    )
    expect(box.locator(".call-waiting-news")).to_have_text("New knock: Nora Nest (Bauamt)")
    expect(anna.locator("#attention-banner")).to_have_text("New knock: Nora Nest (Bauamt)")
    expect_heard(anna, CHIME, [["New knock: Nora Nest (Bauamt)", "bb-knock"]], ["call-waiting"])
    anna.evaluate(SET_HIDDEN, False)
    assert_accessible(anna, "staff call page, a knock during the call")

    # A citizen who stops waiting is counted off, without an alert.
    max_.get_by_role("button", name="Leave the queue").click()
    expect(box.locator(".call-waiting-count")).to_have_text(
        "Waiting in my departments: 1", timeout=SLOW
    )
    assert heard(anna) == ([], [], [])

    anna.get_by_role("button", name="End consultation").click()
    expect(anna.get_by_role("heading", name="Staff console")).to_be_visible(timeout=SLOW)
    sign_out(anna)
