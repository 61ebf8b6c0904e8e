"""Before knocking: the device check, and what happens without camera or permission."""

import re

import pytest
from playwright.sync_api import expect

from .accessibility import assert_accessible
from .flows import (
    OFFICE,
    poll,
    remote_video_aspect,
    set_presence,
    staff_login,
    wait_for_media,
)

pytestmark = pytest.mark.e2e

# There is no way to unplug the fake camera of a headless browser: report it missing
# the way a browser on a camera-less computer does.
NO_CAMERA = """
const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = (constraints) =>
  constraints && constraints.video
    ? Promise.reject(new DOMException("Requested device not found", "NotFoundError"))
    : original(constraints);
"""


def test_device_check_explains_a_blocked_camera(new_page, browser_denying_media):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = new_page(on=browser_denying_media)
    citizen.goto(f"/fachbereich/{OFFICE}/anklopfen/")
    expect(citizen.locator("#device-message")).to_contain_text(
        "Your browser blocked the camera and microphone"
    )
    # Knocking still works: the chat remains.
    expect(citizen.get_by_role("button", name="Knock")).to_be_enabled()
    # The steps for this browser are open, said so, and have focus; the state passes axe.
    chrome = citizen.locator('details[data-browser="chrome"]')
    expect(chrome).to_have_attribute("open", "")
    expect(citizen.locator("#device-message")).to_contain_text(
        "The steps for Chrome and Edge are shown below."
    )
    expect(chrome.locator("summary")).to_be_focused()
    expect(citizen.locator("details.device-help-case[open]")).to_have_count(1)
    assert_accessible(citizen, "device check, camera blocked")


@pytest.mark.parametrize(
    ("user_agent", "case"),
    [
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "ios",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) "
            "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
            "samsung",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "android",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "firefox",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/18.1 Safari/605.1.15",
            "safari-mac",
        ),
    ],
)
def test_blocked_camera_help_matches_the_browser(new_page, browser_denying_media, user_agent, case):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = new_page(on=browser_denying_media, user_agent=user_agent)
    citizen.goto(f"/fachbereich/{OFFICE}/anklopfen/")
    expect(citizen.locator(f'details[data-browser="{case}"]')).to_have_attribute("open", "")
    expect(citizen.locator("details.device-help-case[open]")).to_have_count(1)


def test_blocked_camera_help_works_without_javascript(new_page):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = new_page(java_script_enabled=False)
    citizen.goto(f"/fachbereich/{OFFICE}/anklopfen/")
    cases = citizen.locator("details.device-help-case")
    expect(cases).to_have_count(8)
    cases.first.locator("summary").click()
    expect(cases.first).to_have_attribute("open", "")


def test_citizen_without_camera_talks_and_shares_the_screen(new_page):
    staff = new_page()
    citizen = new_page()
    citizen.add_init_script(NO_CAMERA)
    staff_login(staff)
    set_presence(staff, "Available")

    citizen.goto(f"/fachbereich/{OFFICE}/anklopfen/")
    expect(citizen.locator("#device-message")).to_have_text(
        "No camera found. You can take part with sound only."
    )
    citizen.get_by_label("Your name").fill("Ohne Kamera")
    citizen.get_by_role("button", name="Knock").click()
    staff.locator(".queue-entry", has_text="Ohne Kamera").get_by_role(
        "button", name="Admit: Ohne Kamera"
    ).click()
    expect(citizen).to_have_url(re.compile(r"/gespraech/[\w-]+/$"))

    # The citizen sees the staff member; the staff member hears the citizen.
    wait_for_media(citizen, 1)
    poll(
        staff,
        """() => Promise.all([...window.bbCall.mesh.peers.values()].map(async (peer) =>
             [...(await peer.pc.getStats()).values()].some(
               (s) => s.type === 'inbound-rtp' && s.kind === 'audio' && s.bytesReceived > 0)))
           .then((all) => all.length === 1 && all[0])""",
    )
    expect(citizen.get_by_role("button", name="Camera off")).to_be_disabled()

    # With no camera, a shared screen still reaches the staff member.
    citizen.get_by_role("button", name="Share screen").click()
    wait_for_media(staff, 1)
    staff.wait_for_function(
        """() => { const v = document.querySelector('video[aria-label="Ohne Kamera"]');
                   return v && v.videoHeight && Math.abs(v.videoWidth / v.videoHeight - 16 / 9) < 0.02; }""",
        timeout=10_000,
    )
    assert abs(remote_video_aspect(staff, "Ohne Kamera") - 16 / 9) < 0.02


def test_call_with_a_blocked_camera_shows_the_browsers_steps(new_page, browser_denying_media):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = new_page(on=browser_denying_media)
    citizen.goto(f"/fachbereich/{OFFICE}/anklopfen/")
    citizen.get_by_label("Your name").fill("Gesperrte Kamera")
    citizen.get_by_role("button", name="Knock").click()
    staff.get_by_role("button", name="Admit: Gesperrte Kamera").click()
    expect(citizen).to_have_url(re.compile(r"/gespraech/"))
    help_box = citizen.locator("#call-device-help")
    expect(help_box).to_be_visible()
    expect(help_box.locator('details[data-browser="chrome"]')).to_have_attribute("open", "")
    # The staff member's picture still arrives: the citizen can see and chat.
    expect(citizen.locator("#call-status")).to_have_text(
        "You are now connected with Erika Muster.", timeout=20_000
    )
    assert_accessible(citizen, "call with a blocked camera")
    staff.get_by_role("button", name="End consultation").click()
    expect(citizen.get_by_role("heading", name="The consultation has ended")).to_be_visible()
