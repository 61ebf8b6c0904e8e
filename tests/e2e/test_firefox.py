"""A second engine: Firefox ESR (Gecko) and Chromium in one call, each way round.

Citizens bring their own browser. These tests run the core journey with one side in
Firefox (tests/e2e/firefox.py, one firefox-esr per module) and the other in Chromium:
knock, a reload in the waiting room (keeping place 2), admit, video and audio decoded on both sides, the
codecs negotiated whichever engine offers, chat, screen sharing and a replaced camera
(replaceTrack) in both directions, and an interpreter in Firefox joining a Chromium call;
and the device check's help for Firefox, in Firefox's own words.
"""

import base64
import hashlib
import os
import re
import secrets
import shutil
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from .firefox import FIREFOX, Firefox, FirefoxPage
from .flows import (
    OFFICE,
    PASSWORD,
    SENDING_AUDIO_ENERGY,
    knock,
    poll,
    remote_video_aspect,
    set_presence,
    staff_login,
    wait_for_media,
)
from .test_phone import HIDE_DEPTH_CAMERA, browser_with_cameras  # noqa: F401 (a fixture)

pytestmark = pytest.mark.e2e

CALL_URL = r"/gespraech/[\w-]+/$"
STAFF_NAME = "Erika Muster"

# Per remote peer: whether we offered, and the codec of what we receive and send.
CODECS = """async () => {
  const out = [];
  for (const peer of window.bbCall.mesh.peers.values()) {
    const stats = [...(await peer.pc.getStats()).values()];
    const codec = (type, kind) => {
      const rtp = stats.find((s) => s.type === type && s.kind === kind && s.codecId);
      return rtp && stats.find((s) => s.id === rtp.codecId)?.mimeType.toLowerCase();
    };
    const row = {
      offered: peer.initiator,
      received: [codec('inbound-rtp', 'audio'), codec('inbound-rtp', 'video')],
      sent: [codec('outbound-rtp', 'audio'), codec('outbound-rtp', 'video')],
    };
    if ([...row.received, ...row.sent].includes(undefined)) return null;
    out.push(row);
  }
  return out;
}"""

# Firefox has no media-source stats; the receiving side's energy shows sound arrived.
RECEIVING_AUDIO_ENERGY = """() => Promise.all([...window.bbCall.mesh.peers.values()].map(async (peer) => {
  const stats = [...(await peer.pc.getStats()).values()];
  return stats.some((s) => s.type === 'inbound-rtp' && s.kind === 'audio' && s.totalAudioEnergy > 0);
})).then((all) => all.length > 0 && all.every(Boolean))"""

FRAMES_DECODED = """(name) => {
  const peer = [...window.bbCall.mesh.peers.values()].find((p) => p.info.name === name);
  return peer.pc.getStats().then((stats) => [...stats.values()]
    .find((s) => s.type === 'inbound-rtp' && s.kind === 'video')?.framesDecoded || 0);
}"""

ASPECT_IS = """([name, aspect]) => {
  const video = document.querySelector(`video[aria-label="${name}"]`);
  return Boolean(video && video.videoHeight && Math.abs(video.videoWidth / video.videoHeight - aspect) < 0.02);
}"""


def codecs(page, offered: list[bool]) -> None:
    """Opus and VP8 both ways on every connection, and who offered each one.

    VP8 is what both engines list first and the one video codec every WebRTC browser
    must have; Debian's Firefox has no H.264 at all (that needs Cisco's OpenH264 plugin,
    which Firefox downloads itself), so a call between the two must settle on VP8.
    """
    report = poll(page, CODECS)
    row = {"received": ["audio/opus", "video/vp8"], "sent": ["audio/opus", "video/vp8"]}
    assert report == [{"offered": o, **row} for o in offered]


def frames_grow(page, name: str, by: int = 15) -> None:
    """The video from `name` keeps being decoded (the picture did not freeze)."""
    start = page.evaluate(FRAMES_DECODED, name)
    poll(page, f"(n) => ({FRAMES_DECODED})(n).then((frames) => frames >= {start + by})", name)


@pytest.fixture(scope="module")
def firefox(tmp_path_factory):
    browser = Firefox(tmp_path_factory.mktemp("firefox") / "bridge.log")
    yield browser
    browser.close()


@pytest.fixture
def firefox_page(firefox, office_server):
    """A Firefox page in a browser context of its own; staff are signed off afterwards."""
    pages: list[FirefoxPage] = []

    def make() -> FirefoxPage:
        page = firefox.new_page(office_server)
        pages.append(page)
        return page

    yield make
    requested: list[str] = []
    for page in pages:
        try:
            requested += page.requests  # first: a failed sign-off must not hide them
            if getattr(page, "is_staff", False):
                firefox_sign_off(page)
            page.close()
        except AssertionError as error:  # the test's own outcome is what counts
            print(f"could not close a Firefox page: {error}")
    # As in Chromium (conftest.new_page): no page asks another host for anything. (data:
    # URLs are no request to anyone: Firefox's own video controls load a font as one.)
    assert requested, "the request log of Firefox is empty"
    remote = [url for url in requested if urlparse(url).scheme not in ("data", "blob")]
    foreign = [url for url in remote if urlparse(url).hostname != "127.0.0.1"]
    assert foreign == [], f"requests to other hosts: {foreign}"


def firefox_knock(page: FirefoxPage, name: str) -> None:
    page.goto(f"/fachbereich/{OFFICE}/anklopfen/")
    page.expect_text("#device-message", "Camera and microphone work.")
    page.fill('::-p-aria(Your name[role="textbox"])', name)
    page.click('::-p-aria(Knock[role="button"])')
    page.expect_text("h1", "Waiting room: E2E Office")


def firefox_staff_login(page: FirefoxPage) -> None:
    page.goto("/konsole/anmelden/")
    page.fill('::-p-aria(User name[role="textbox"])', "e2e-staff")
    page.fill("input[type=password]", PASSWORD)
    page.click('::-p-aria(Log in[role="button"])')
    page.expect_text("h1", "Staff console")
    page.is_staff = True  # type: ignore[attr-defined]
    page.wait_until("() => !document.getElementById('presence').disabled")
    page.click('::-p-aria(Available[role="radio"])')
    page.wait_until(
        "(s) => !['', 'Closed'].includes(document.querySelector(s)?.textContent.trim() || '')",
        f'[data-department="{OFFICE}"] .status',
    )


def firefox_sign_off(page: FirefoxPage) -> None:
    if re.search(CALL_URL, page.url):
        page.click('::-p-aria(End consultation[role="button"])')
        page.expect_text("h1", "Staff console")
    page.goto("/konsole/")
    page.wait_until("() => !document.getElementById('presence').disabled")
    # A script's click: teardown only, and robust whatever the page shows meanwhile.
    page.evaluate("() => document.querySelector('input[name=presence][value=offline]').click()")
    # As in Chromium (flows.sign_off): the member is offline once the choice is made.
    page.wait_until("() => document.querySelector('input[name=presence][value=offline]').checked")


def chromium_chat(sender: Page, text: str) -> None:
    sender.get_by_role("textbox", name="Message").fill(text)
    sender.get_by_role("button", name="Send", exact=True).click()


def firefox_chat(sender: FirefoxPage, text: str) -> None:
    sender.fill('::-p-aria(Message[role="textbox"])', text)
    sender.click('::-p-aria(Send[role="button"])')


def firefox_has_chat(page: FirefoxPage, text: str) -> None:
    page.wait_until("(t) => document.getElementById('chat-log').textContent.includes(t)", text)


def test_firefox_citizen_with_chromium_staff(new_page, firefox_page):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = firefox_page()
    first = new_page()
    knock(first, "Vorne Wartend")

    firefox_knock(citizen, "Fuchs Feuer")
    citizen.expect_text("#queue-position", "You are number 2 in the queue.")
    # A reload in the waiting room keeps the place: still number 2, so the same entry (a
    # new one would queue behind the old, which waits out its grace, as number 3).
    citizen.reload()
    citizen.expect_text("#queue-position", "You are number 2 in the queue.")
    first.locator("#leave-queue").click()
    citizen.expect_text("#queue-position", "You are next.")
    staff.get_by_role("button", name="Admit: Fuchs Feuer").click()
    # The console starts its camera for the call first: slow on a busy machine.
    expect(staff).to_have_url(re.compile(CALL_URL), timeout=30_000)
    assert citizen.expect_url(CALL_URL) == staff.url

    # Both engines decode the other's video and receive and play the other's sound.
    wait_for_media(citizen, 1)
    wait_for_media(staff, 1)
    poll(staff, SENDING_AUDIO_ENERGY)
    poll(staff, RECEIVING_AUDIO_ENERGY)
    poll(citizen, RECEIVING_AUDIO_ENERGY)

    # Chat both ways.
    firefox_chat(citizen, "Hallo aus Firefox")
    expect(staff.locator("#chat-log")).to_contain_text("Hallo aus Firefox")
    chromium_chat(staff, "Hallo aus Chromium")
    firefox_has_chat(citizen, "Hallo aus Chromium")

    # Chromium shares its screen (replaceTrack): the 16:9 screen replaces the 4:3 camera
    # in Firefox, and back.
    assert citizen.evaluate(ASPECT_IS, [STAFF_NAME, 4 / 3])
    share = staff.get_by_role("button", name="Share screen")
    share.click()
    citizen.wait_until(ASPECT_IS, [STAFF_NAME, 16 / 9])
    citizen.expect_text("[data-peer] .media-state", "(sharing the screen)")
    share.click()
    citizen.wait_until(ASPECT_IS, [STAFF_NAME, 4 / 3])

    # Firefox shares its (virtual 1280x720) screen the same way.
    assert abs(remote_video_aspect(staff, "Fuchs Feuer") - 4 / 3) < 0.01
    citizen.click('::-p-aria(Share screen[role="button"])')
    staff.wait_for_function(ASPECT_IS, arg=["Fuchs Feuer", 16 / 9], timeout=10_000)
    expect(staff.locator("[data-peer] .media-state")).to_have_text("(sharing the screen)")
    frames_grow(staff, "Fuchs Feuer")
    citizen.click('::-p-aria(Share screen[role="button"])')
    staff.wait_for_function(ASPECT_IS, arg=["Fuchs Feuer", 4 / 3], timeout=10_000)

    # Staff reload the call page: Firefox, already in the call, offers to Chromium;
    # the first connection was offered by whichever side arrived first.
    staff.reload()
    wait_for_media(staff, 1)
    wait_for_media(citizen, 1)
    codecs(citizen, [True])
    codecs(staff, [False])

    citizen.click('::-p-aria(Hang up[role="button"])')
    expect(staff.locator("[data-peer]")).to_have_count(0)
    citizen.expect_text("h1", "The consultation has ended")
    assert citizen.console_errors == []
    assert staff.console_errors == []


# Firefox's fake capture has one camera: a second one, as a phone's back camera, for the
# real "Switch camera" button. It is the same fake camera at 16:9, so the other side can
# tell it arrived; its track reports the second camera's id as a real one would.
SECOND_CAMERA = """
const media = navigator.mediaDevices;  // none in the page's first, blank document
if (media) {
  const enumerate = media.enumerateDevices.bind(media);
  const getUserMedia = media.getUserMedia.bind(media);
  media.enumerateDevices = async () => {
    const all = await enumerate();
    const first = all.find((d) => d.kind === 'videoinput' && d.deviceId);
    return first ? [...all, {kind: 'videoinput', deviceId: 'second-camera',
                             label: 'Second camera', groupId: 'second-camera'}] : all;
  };
  media.getUserMedia = async (constraints) => {
    // Asked for by the switch ({exact}), or as the remembered camera after a reload.
    const id = constraints?.video?.deviceId;
    if ((id?.exact ?? id?.ideal ?? id) !== 'second-camera') return getUserMedia(constraints);
    const stream = await getUserMedia({...constraints, video: {width: 640, height: 360}});
    const track = stream.getVideoTracks()[0];
    const settings = track.getSettings.bind(track);
    track.getSettings = () => ({...settings(), deviceId: 'second-camera'});
    Object.defineProperty(track, 'label', {value: 'Second camera'});
    return stream;
  };
}"""


def test_chromium_citizen_with_firefox_staff(new_page, firefox_page):
    staff = firefox_page()
    staff.add_init_script(SECOND_CAMERA)
    firefox_staff_login(staff)
    citizen = new_page()
    knock(citizen, "Chrom Bürger")
    staff.click('::-p-aria(Admit: Chrom Bürger[role="button"])')
    expect(citizen).to_have_url(re.compile(CALL_URL))
    assert staff.expect_url(CALL_URL) == citizen.url

    wait_for_media(staff, 1)
    wait_for_media(citizen, 1)
    poll(citizen, SENDING_AUDIO_ENERGY)
    poll(citizen, RECEIVING_AUDIO_ENERGY)
    poll(staff, RECEIVING_AUDIO_ENERGY)

    chromium_chat(citizen, "Guten Tag")
    firefox_has_chat(staff, "Guten Tag")
    firefox_chat(staff, "Willkommen")
    expect(citizen.locator("#chat-log")).to_contain_text("Willkommen")

    # The "Switch camera" button in Firefox: its second camera (a 16:9 picture, see
    # SECOND_CAMERA) replaces the sent one with replaceTrack: Chromium shows it.
    assert citizen.evaluate(ASPECT_IS, [STAFF_NAME, 4 / 3])
    staff.click('::-p-aria(Switch camera[role="button"])')
    citizen.wait_for_function(ASPECT_IS, arg=[STAFF_NAME, 16 / 9], timeout=10_000)
    staff.expect_text("#call-status", "Camera: Second camera")
    frames_grow(citizen, STAFF_NAME)

    # Staff reload the call page: this time Chromium offers to Firefox.
    staff.reload()
    wait_for_media(staff, 1)
    wait_for_media(citizen, 1)
    codecs(staff, [False])
    codecs(citizen, [True])

    staff.click('::-p-aria(End consultation[role="button"])')
    expect(citizen.get_by_role("heading", name="The consultation has ended")).to_be_visible()
    staff.expect_text("h1", "Staff console")
    assert staff.console_errors == []
    assert citizen.console_errors == []


def test_firefox_interpreter_joins_a_chromium_call(
    new_page,
    firefox_page,
    browser_with_cameras,  # noqa: F811 (the fixture imported above)
):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = new_page(on=browser_with_cameras)
    citizen.add_init_script(HIDE_DEPTH_CAMERA)  # two cameras to switch between
    knock(citizen, "Zwei Kameras")
    staff.get_by_role("button", name="Admit: Zwei Kameras").click()
    expect(citizen).to_have_url(re.compile(CALL_URL))
    # The staff page's call socket carries the invitation: wait until it hears the citizen.
    expect(staff).to_have_url(re.compile(CALL_URL))
    expect(staff.locator("[data-peer]")).to_have_count(1, timeout=15_000)

    staff.get_by_role("button", name="Invite a third person").click()
    staff.get_by_label("Name of the person (optional)").fill("Dolmetscher")
    staff.get_by_role("button", name="Create link").click()
    link = staff.get_by_label("Invitation link")
    expect(link).to_have_value(re.compile(r"/einladung/[\w-]{40,}/$"))
    interpreter = firefox_page()
    interpreter.goto(link.input_value())
    interpreter.expect_text("#device-message", "Camera and microphone work.")
    interpreter.click('::-p-aria(Join[role="button"])')
    assert interpreter.expect_url(CALL_URL) == staff.url

    # Both Chromium participants offer to the newcomer in Firefox.
    for page in (interpreter, staff, citizen):
        wait_for_media(page, 2)
    codecs(interpreter, [False, False])
    poll(interpreter, RECEIVING_AUDIO_ENERGY)

    # The citizen switches camera in Chromium (replaceTrack): Firefox goes on decoding.
    citizen.get_by_role("button", name="Switch camera").click()
    expect(citizen.locator("#call-status")).to_have_text("Camera: fake_device_2")
    frames_grow(interpreter, "Zwei Kameras")

    interpreter.click('::-p-aria(Hang up[role="button"])')
    interpreter.expect_text("h1", "The consultation has ended")
    expect(staff.locator("[data-peer]")).to_have_count(1)
    assert interpreter.console_errors == []


def firefox_labels() -> str:
    """Every English label of the Firefox ESR installed here (its en-US strings)."""
    home = Path(os.path.realpath(shutil.which(FIREFOX) or FIREFOX)).parent
    texts = []
    for archive in (home / "omni.ja", home / "browser" / "omni.ja"):
        with zipfile.ZipFile(archive) as omni:
            for name in omni.namelist():
                if "en-US" in name and name.endswith((".ftl", ".properties")):
                    texts.append(omni.read(name).decode())
    return "\n".join(texts)


def test_firefox_gets_its_own_help_in_its_own_words(new_page, firefox_page):
    staff = new_page()  # the knock page (and its device check) needs an open office
    staff_login(staff)
    set_presence(staff, "Available")
    page = firefox_page()
    page.goto(f"/fachbereich/{OFFICE}/anklopfen/")
    page.expect_text("#device-message", "Camera and microphone work.")
    # The real Firefox's user agent picks the Firefox steps (device-check.js browserKey).
    key = page.evaluate(
        """() => import(new URL('device-check.js', document.querySelector('script[type=module]').src))
                   .then((module) => module.browserKey())"""
    )
    assert key == "firefox"
    # Every word the steps quote is a label Firefox ESR shows (in English here).
    steps = page.text_of("#device-help-firefox")
    quoted = re.findall(r"“([^”]+)”", steps)
    assert quoted == [
        "Blocked Temporarily",
        "Blocked",
        "Remember this decision",
        "Allow",
        "Settings",
        "Camera",
        "Find in Settings",
        "Camera",
        "Block new requests asking to access your camera",
        "Allow",
        "Save Changes",
        "Settings",
        "Privacy & security",
        "Camera",
        "Microphone",
        "System Settings",
        "Privacy & Security",
        "Camera",
        "Microphone",
    ]
    labels = firefox_labels()
    firefox_own = quoted[: quoted.index("Save Changes") + 1]  # the rest is Windows' and macOS'
    missing = [label for label in firefox_own if f"= {label}\n" not in labels]
    assert missing == [], f"not labels of Firefox {page.firefox.version}: {missing}"


# Firefox has no file chooser to drive: the script puts the file into the field as a
# person's choice would (a DataTransfer's files), then the person presses the button.
FIREFOX_CHOOSE_FILE = """([name, type, base64]) => {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const chosen = new DataTransfer();
  chosen.items.add(new File([bytes], name, { type }));
  const field = document.getElementById('file-input');
  field.files = chosen.files;
  field.dispatchEvent(new Event('change'));
}"""

# The SHA-256 of a received file, from the page's own list of what arrived (the page may
# not fetch its blob: address, CSP connect-src 'self').
RECEIVED_SHA256 = """async (name) => {
  const file = window.bbCall.files.received.find((f) => f.name === name);
  const digest = await crypto.subtle.digest('SHA-256', await file.blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}"""


def test_documents_go_both_ways_between_firefox_and_chromium(new_page, firefox_page):
    """The data channel agreed beforehand (negotiated, id 0) opens between the engines:
    a PDF from Firefox arrives whole in Chromium, a picture from Chromium in Firefox."""
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = firefox_page()
    firefox_knock(citizen, "Fuchs Feuer")
    staff.get_by_role("button", name="Admit: Fuchs Feuer").click()
    expect(staff).to_have_url(re.compile(CALL_URL))
    citizen.expect_url(CALL_URL)
    wait_for_media(citizen, 1)
    wait_for_media(staff, 1)

    pdf = b"%PDF-1.4\n" + secrets.token_bytes(100_000)
    citizen.evaluate(
        FIREFOX_CHOOSE_FILE, ["Antrag.pdf", "application/pdf", base64.b64encode(pdf).decode()]
    )
    citizen.click('::-p-aria(Send document[role="button"])')
    item = staff.locator(".file-item")
    expect(item).to_have_text(re.compile(r"^Antrag\.pdf PDF, 97\.7 kB – from Fuchs Feuer"))
    with staff.expect_download() as download:
        item.get_by_role("link", name=re.compile("^Save")).click()
    assert download.value.path().read_bytes() == pdf
    citizen.expect_text("#call-status", f"Antrag.pdf was sent to {STAFF_NAME}.")

    png = b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(50_000)
    staff.get_by_label("Document to send").set_input_files(
        {"name": "Stempel.png", "mimeType": "image/png", "buffer": png}
    )
    staff.get_by_role("button", name="Send document").click()
    citizen.expect_text("#call-status", f"{STAFF_NAME} sent you a document: Stempel.png")
    citizen.expect_text(".file-item.received .file-details", f"PNG, 48.8 kB – from {STAFF_NAME}")
    assert citizen.evaluate(RECEIVED_SHA256, "Stempel.png") == hashlib.sha256(png).hexdigest()
    assert citizen.console_errors == []
    assert staff.console_errors == []
