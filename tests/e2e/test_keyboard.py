"""The whole citizen journey with the keyboard alone: from the overview to hanging up.

The citizen's page gets key presses only (Tab, Shift+Tab, Enter, Space, typing); the
staff member uses the mouse. Every element that takes focus on the way must show it
(WCAG 2.4.7), and what changes while the citizen waits or talks is in a live region.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from .flows import OFFICE, set_presence, staff_login, wait_for_media

pytestmark = pytest.mark.e2e

# What has focus, and whether it is visibly marked: an outline or a box shadow of at
# least 2 px that differs from the element's look without focus is what site.css gives.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  const label = (el.getAttribute('aria-label') || el.labels?.[0]?.textContent
                 || el.textContent || el.id || el.tagName).trim().replace(/\\s+/g, ' ');
  // The ring's contrast with the page behind it (WCAG 1.4.11: at least 3:1).
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const page = lum(rgb(getComputedStyle(document.body).backgroundColor));
  const ring = lum(rgb(style.outlineColor));
  const contrast = (Math.max(page, ring) + 0.05) / (Math.min(page, ring) + 0.05);
  return {tag: el.tagName.toLowerCase(), id: el.id, href: el.getAttribute('href') || '',
          label: label.slice(0, 80), visible: Boolean(outline || shadow) && contrast >= 3,
          contrast: Math.round(contrast * 10) / 10, matches: el.matches(':focus-visible')};
}"""


def tab_to(page: Page, wanted, limit: int = 60, backwards: bool = False) -> dict:
    """Press Tab until `wanted(focused)` holds; every stop on the way shows its focus."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        stops.append(focused)
        assert focused["visible"] and focused["matches"], f"focus not visible on {focused}"
        if wanted(focused):
            return focused
    raise AssertionError("not reached with Tab; stops were:\n" + "\n".join(str(s) for s in stops))


def by_label(text: str):
    return lambda focused: focused["label"] == text


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_citizen_journey_by_keyboard_alone(new_page, scheme):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = new_page(color_scheme=scheme)

    # The overview: the first stop is the skip link, which takes focus to the content.
    citizen.goto("/")
    citizen.keyboard.press("Tab")
    first = citizen.evaluate(FOCUSED)
    assert first["href"] == "#main" and first["visible"]
    expect(citizen.locator(".skip-link")).to_be_in_viewport()
    citizen.keyboard.press("Enter")
    assert citizen.evaluate("document.activeElement.id") == "main"
    tab_to(citizen, lambda f: f["href"].endswith(f"/fachbereich/{OFFICE}/"))
    citizen.keyboard.press("Enter")
    expect(citizen.get_by_role("heading", level=1)).to_have_text("E2E Office")

    # The department: to the waiting room.
    tab_to(citizen, by_label("Go to the waiting room"))
    citizen.keyboard.press("Enter")
    expect(citizen.locator("#device-message")).to_have_text("Camera and microphone work.")

    # The knock form: the device choice is reachable, then the name, then Knock.
    tab_to(citizen, lambda f: f["id"] == "camera-select")
    tab_to(citizen, lambda f: f["id"] == "id_display_name")
    citizen.keyboard.type("Kemal Tastatur")
    tab_to(citizen, by_label("Knock"))
    citizen.keyboard.press("Enter")
    expect(citizen.get_by_role("heading", name="Waiting room: E2E Office")).to_be_visible()

    # Waiting: the place is announced by a polite live region.
    position = citizen.locator("#queue-position")
    expect(position).not_to_have_text("Connecting…")
    live = citizen.locator(".queue-status")
    expect(live).to_have_attribute("aria-live", "polite")
    expect(live).to_have_attribute("role", "status")
    expect(citizen.locator("#staff-messages")).to_have_attribute("aria-live", "polite")

    staff.get_by_role("button", name="Admit: Kemal Tastatur").click()
    expect(citizen).to_have_url(re.compile(r"/gespraech/"))
    wait_for_media(citizen, 1)
    wait_for_media(staff, 1)
    expect(citizen.locator("#call-status")).to_have_attribute("role", "status")

    # In the call: mute with Space, write in the chat with Enter, hang up.
    mute = tab_to(citizen, lambda f: f["id"] == "toggle-audio")
    assert mute["label"] == "Mute"
    citizen.keyboard.press("Space")
    # The button says what it does now (not only a pressed state shown by a frame).
    expect(citizen.locator("#toggle-audio")).to_have_text("Unmute")
    tab_to(citizen, lambda f: f["id"] == "chat-input")
    citizen.keyboard.type("Mein Aktenzeichen ist 4711")
    citizen.keyboard.press("Enter")
    expect(staff.locator("#chat-log")).to_contain_text("Mein Aktenzeichen ist 4711")
    staff.get_by_role("textbox", name="Message").fill("Danke, ich sehe nach.")
    staff.get_by_role("button", name="Send", exact=True).click()
    # The staff member's answer arrives in a live region the screen reader reads out.
    log = citizen.locator('[role="log"]:has(#chat-log)')
    expect(log).to_have_attribute("aria-live", "polite")
    expect(log).to_contain_text("Danke, ich sehe nach.")
    # Back up the page to the hang-up button (Shift+Tab works as well as Tab).
    tab_to(citizen, lambda f: f["id"] == "hang-up", backwards=True)
    citizen.keyboard.press("Enter")
    expect(citizen.get_by_role("heading", name="The consultation has ended")).to_be_visible()
    expect(citizen).to_have_title(re.compile("Consultation ended"))
    staff.goto("/konsole/")
