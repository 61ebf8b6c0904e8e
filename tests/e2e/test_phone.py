"""Phones: the citizen's whole visit on a 360 by 740 screen, upright and turned sideways,
and the camera switch of a phone with a front and a back camera.

Every state is photographed (test-artifacts/screenshots/phone-*.png) and must fit the
screen's width (WCAG 1.4.10 reflow) with targets of at least 24 by 24 CSS px (WCAG 2.5.8).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from . import accessibility
from .conftest import BROWSER_ARGS, CHROMIUM
from .flows import OFFICE, poll, set_presence, staff_login, wait_for_media

pytestmark = pytest.mark.e2e

# Chrome on an Android phone; the version does not matter to the office.
PHONE = {
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36"
    ),
}
SCREENS = {
    "portrait": {"width": 360, "height": 740},
    "landscape": {"width": 740, "height": 360},
}
TARGET = 24  # CSS px, WCAG 2.2 SC 2.5.8 (target size, minimum)

# Visible controls smaller than TARGET in either direction. Stricter than 2.5.8, which
# exempts links in running text and small targets with enough space around them.
SMALL_TARGETS = """(minimum) => {
  const out = [];
  for (const el of document.querySelectorAll('a[href], button, select, input:not([type=hidden]), summary')) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === 'hidden') continue;
    if (el.closest('.skip-link')) continue;
    if (box.width < minimum || box.height < minimum) {
      out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${(el.textContent || el.value || '').trim().slice(0, 30)}" ${box.width.toFixed(1)}×${box.height.toFixed(1)}`);
    }
  }
  return out;
}"""

# Where the call's parts are, in CSS px of the page. "picture": the part of the other
# person's <video> that shows the picture (object-fit: contain leaves bars beside it).
CALL_LAYOUT = """() => {
  const box = (el) => { const r = el.getBoundingClientRect();
    return {x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height}; };
  const video = document.querySelector('#videos .tile.remote video');
  const element = box(video);
  const scale = Math.min(element.width / video.videoWidth, element.height / video.videoHeight);
  const width = video.videoWidth * scale, height = video.videoHeight * scale;
  return {
    picture: {x: element.x + (element.width - width) / 2, y: element.y + (element.height - height) / 2,
              width, height},
    local: box(document.getElementById('local-video')),
    controls: [...document.querySelectorAll('.controls button')]
      .filter((b) => !b.hidden).map((b) => ({name: b.textContent.trim(), ...box(b)})),
    viewport: {x: 0, y: 0, width: innerWidth, height: innerHeight},
  };
}"""

# What the citizen's phone sends to the (only) other participant, and shows itself.
SENDING = """() => {
  const [peer] = window.bbCall.mesh.peers.values();
  const sent = peer.video.sender.track;
  const {camera: {video: camera}, screen} = window.bbCall.state;
  const preview = document.getElementById('local-video').srcObject.getVideoTracks()[0];
  const which = (track) => track === camera ? 'camera' : track === screen ? 'screen' : String(track);
  return {camera: camera.getSettings().deviceId, label: camera.label, enabled: camera.enabled,
          sending: which(sent), preview: which(preview)};
}"""

# Frames of the other side's video decoded so far.
FRAMES_DECODED = """() => Promise.all([...window.bbCall.mesh.peers.values()].map(async (peer) =>
  [...(await peer.pc.getStats()).values()]
    .find((s) => s.type === 'inbound-rtp' && s.kind === 'video')?.framesDecoded || 0))
  .then(([frames]) => frames)"""


# The page's width and the layout viewport's: anything wider, even off to the side
# (a parked skip link), makes a phone show the whole page zoomed out.
WIDTHS = "() => [document.documentElement.scrollWidth, innerWidth]"


def _check(page: Page, orientation: str, state: str) -> list[str]:
    """Photograph the page; return what sticks out sideways and what is too small to hit."""
    accessibility.screenshot(page, f"phone-{orientation}-{state}")
    width = SCREENS[orientation]["width"]
    found = [f"[{state}] sticks out: {line}" for line in accessibility.horizontal_overflow(page)]
    if page.evaluate(WIDTHS) != [width, width]:
        found.append(f"[{state}] page and viewport {page.evaluate(WIDTHS)}, screen {width}")
    return found + [
        f"[{state}] smaller than {TARGET}×{TARGET}: {line}"
        for line in page.evaluate(SMALL_TARGETS, TARGET)
    ]


def _overlap(a: dict, b: dict) -> float:
    """The area of `a` that `b` covers."""
    width = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    height = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    return max(width, 0) * max(height, 0)


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_phone_visit_fits_the_screen(new_page, orientation):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = new_page(viewport=SCREENS[orientation], **PHONE)
    name = f"Handy {orientation}"
    found = []

    citizen.goto("/")
    expect(citizen.locator(f'[data-status-for="{OFFICE}"]')).not_to_be_empty()
    found += _check(citizen, orientation, "overview")

    citizen.goto(f"/fachbereich/{OFFICE}/")
    found += _check(citizen, orientation, "department")

    citizen.get_by_role("link", name="Go to the waiting room").click()
    expect(citizen.locator("#device-message")).to_have_text("Camera and microphone work.")
    found += _check(citizen, orientation, "knock")

    citizen.get_by_label("Your name").fill(name)
    citizen.get_by_role("button", name="Knock").click()
    expect(citizen.locator("#queue-position")).to_have_text(re.compile("You are"))
    found += _check(citizen, orientation, "waiting")

    staff.get_by_role("button", name=f"Admit: {name}").click()
    expect(citizen).to_have_url(re.compile(r"/gespraech/[\w-]+/$"))
    wait_for_media(citizen, 1)
    wait_for_media(staff, 1)
    poll(citizen, "() => document.querySelector('#videos .tile.remote video')?.videoWidth > 0")
    # Connected, and said so in the status region: the layout is final.
    expect(citizen.locator("#call-status")).to_have_text("You are now connected with Erika Muster.")
    # One camera: nothing to switch to.
    expect(citizen.get_by_role("button", name="Switch camera")).to_be_hidden()
    found += _check(citizen, orientation, "call")

    layout = citizen.evaluate(CALL_LAYOUT)
    picture, screen = layout["picture"], layout["viewport"]
    area = picture["width"] * picture["height"]
    # The other person's picture is on the first screen, whole, and large ...
    assert _overlap(picture, screen) / area >= 0.95, layout
    assert area / (screen["width"] * screen["height"]) >= 0.25, layout
    assert citizen.evaluate(
        """(p) => document.elementFromPoint(p.x + p.width / 2, p.y + p.height / 2)
                  === document.querySelector('#videos .tile.remote video')""",
        picture,
    ), layout
    # ... the own picture is there too but covers little of it ...
    expect(citizen.locator("#local-video")).to_be_visible()
    assert layout["local"]["width"] >= 80, layout
    assert _overlap(picture, layout["local"]) / area <= 0.15, layout
    # ... and so are the controls, beside or below it, never on it.
    names = [control["name"] for control in layout["controls"]]
    assert names == ["Mute", "Camera off", "Share screen", "Hang up"]
    for control in layout["controls"]:
        assert _overlap(control, picture) == 0, control
        assert _overlap(control, screen) == control["width"] * control["height"], control
        button = citizen.get_by_role("button", name=control["name"], exact=True)
        assert button.evaluate(
            """(b) => { const r = b.getBoundingClientRect();
                        return b.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }"""
        ), control
    if orientation == "portrait":
        accessibility.assert_accessible(citizen, "phone call, portrait")

    citizen.get_by_role("button", name="Hang up").click()
    expect(citizen.get_by_role("heading", name="The consultation has ended")).to_be_visible()
    found += _check(citizen, orientation, "ended")

    staff.get_by_role("button", name="End consultation").click()
    expect(staff.get_by_role("heading", name="Staff console")).to_be_visible()
    assert citizen.console_errors == []
    assert staff.console_errors == []
    # Collected rather than stopping at the first page, so one run names every problem.
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_phone_pages_in_arabic_fit_the_screen(new_page, orientation):
    """Right to left, what sticks out at the start side widens the page, not only what
    sticks out at the end (the skip link once did, and phones zoomed out to a quarter)."""
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")  # the knock page shows the device check only when open
    citizen = new_page(viewport=SCREENS[orientation], **PHONE)
    citizen.goto("/")
    citizen.locator("#language-select").select_option("ar")
    citizen.locator(".language-switcher button").click()
    expect(citizen.locator("html")).to_have_attribute("dir", "rtl")
    found = _check(citizen, orientation, "ar-overview")
    citizen.goto(f"/fachbereich/{OFFICE}/")
    found += _check(citizen, orientation, "ar-department")
    citizen.goto(f"/fachbereich/{OFFICE}/anklopfen/")
    expect(citizen.locator("#device-message")).not_to_be_empty()
    found += _check(citizen, orientation, "ar-knock")
    assert found == [], "\n".join(found)


# Chromium's fake capture (media/capture/video/fake_video_capture_device_factory.cc) makes
# fake_device_1 a depth camera (16-bit grey, Y16) that WebRTC cannot encode: with
# device-count=2 the other side's picture freezes after a switch to it. fake_device_2
# (MJPEG) is an ordinary camera, so the phone gets three and the page sees the other two.
HIDE_DEPTH_CAMERA = """{
  const media = navigator.mediaDevices;
  const all = media.enumerateDevices.bind(media);
  media.enumerateDevices = async () => (await all()).filter((d) => d.label !== 'fake_device_1');
}"""


@pytest.fixture(scope="module")
def browser_with_cameras(browser):
    """Chromium whose fake capture offers three cameras; none says which way it faces."""
    args = [
        f"{arg}=device-count=3" if arg == "--use-fake-device-for-media-stream" else arg
        for arg in BROWSER_ARGS
    ]
    cameras = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=args)
    yield cameras
    cameras.close()


def _frames_grow(page: Page, by: int = 20) -> None:
    """The other side's video goes on decoding: `by` more frames (1 s at the fake 20 fps)."""
    start = page.evaluate(FRAMES_DECODED)
    poll(page, f"() => ({FRAMES_DECODED})().then((frames) => frames >= {start + by})")


def test_phone_switches_camera_during_the_call(new_page, browser_with_cameras):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = new_page(viewport=SCREENS["portrait"], on=browser_with_cameras, **PHONE)
    citizen.add_init_script(HIDE_DEPTH_CAMERA)  # a phone with a front and a back camera
    citizen.goto(f"/fachbereich/{OFFICE}/anklopfen/")
    expect(citizen.locator("#device-message")).to_have_text("Camera and microphone work.")
    citizen.get_by_label("Your name").fill("Zwei Kameras")
    citizen.get_by_role("button", name="Knock").click()
    staff.get_by_role("button", name="Admit: Zwei Kameras").click()
    expect(citizen).to_have_url(re.compile(r"/gespraech/[\w-]+/$"))
    wait_for_media(citizen, 1)
    wait_for_media(staff, 1)

    switch = citizen.get_by_role("button", name="Switch camera")
    expect(switch).to_be_visible()
    status = citizen.get_by_role("status").and_(citizen.locator("#call-status"))
    first = citizen.evaluate(SENDING)
    assert first == {
        "camera": first["camera"],
        "label": "fake_device_0",
        "enabled": True,
        "sending": "camera",
        "preview": "camera",
    }
    citizen.evaluate("() => { window.oldCamera = window.bbCall.state.camera.video; }")

    # By keyboard: the other camera goes out to the staff member and into the own picture;
    # the old one is released.
    switch.focus()
    citizen.keyboard.press("Enter")
    expect(status).to_have_text("Camera: fake_device_2")
    second = citizen.evaluate(SENDING)
    assert second == {**first, "camera": second["camera"], "label": "fake_device_2"}
    assert second["camera"] != first["camera"]
    assert citizen.evaluate("() => window.oldCamera.readyState") == "ended"
    expect(switch).to_be_focused()
    _frames_grow(staff)
    accessibility.screenshot(citizen, "phone-portrait-call-switched-camera")

    # "Camera off" stays off on the other camera, and comes back on with it.
    # One button: "Camera off", then "Camera on".
    camera_off = citizen.locator("#toggle-video")
    camera_off.click()
    switch.click()
    expect(status).to_have_text("Camera: fake_device_0")
    assert citizen.evaluate(SENDING) == {**first, "enabled": False}
    camera_off.click()
    assert citizen.evaluate(SENDING) == first

    # While the screen is shared, the switch chooses the camera that comes back afterwards.
    share = citizen.get_by_role("button", name="Share screen")
    share.click()
    expect(share).to_have_attribute("aria-pressed", "true")
    switch.click()
    expect(status).to_have_text("Camera: fake_device_2")
    assert citizen.evaluate(SENDING) == {**second, "sending": "screen", "preview": "screen"}
    share.click()
    expect(share).to_have_attribute("aria-pressed", "false")
    assert citizen.evaluate(SENDING) == second
    _frames_grow(staff)

    # A reload of the call page keeps the camera switched to.
    citizen.reload()
    poll(citizen, "() => window.bbCall?.state.camera?.video?.label === 'fake_device_2'")
    _frames_grow(staff)

    # A camera unplugged (as the browser would tell it): the button goes, and comes back.
    citizen.evaluate(
        """() => { const media = navigator.mediaDevices;
                   window.allDevices = media.enumerateDevices.bind(media);
                   media.enumerateDevices = async () => (await window.allDevices())
                     .filter((d) => d.label !== 'fake_device_0');
                   media.dispatchEvent(new Event('devicechange')); }"""
    )
    expect(switch).to_be_hidden()
    citizen.evaluate(
        """() => { navigator.mediaDevices.enumerateDevices = window.allDevices;
                   navigator.mediaDevices.dispatchEvent(new Event('devicechange')); }"""
    )
    expect(switch).to_be_visible()

    citizen.get_by_role("button", name="Hang up").click()
    expect(citizen.get_by_role("heading", name="The consultation has ended")).to_be_visible()
    staff.get_by_role("button", name="End consultation").click()
    expect(staff.get_by_role("heading", name="Staff console")).to_be_visible()
    assert citizen.console_errors == []
    assert staff.console_errors == []
