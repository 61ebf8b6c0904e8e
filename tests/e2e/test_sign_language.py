"""Sign language in real browsers (BITV 2.0 § 4): the page in German Sign Language with the
operator's video and captions, reached from the overview and accessible in German and
English; and a sign-language interpreter invited into a call, whose picture stays large
and uncovered on every side while a screen is shared."""

import re

import pytest
from playwright.sync_api import Page, expect

from .accessibility import axe_violations, horizontal_overflow
from .flows import knock, set_presence, staff_login, wait_for_media

pytestmark = pytest.mark.e2e

CAPTIONS = """WEBVTT

00:00:00.000 --> 00:00:10.000
Willkommen im virtuellen Bürgerbüro.
"""

# A second of changing colour, recorded by the browser itself: a real WebM file, made
# here so the repository ships no video of unknown origin.
RECORD_WEBM = """async () => {
  const canvas = document.createElement('canvas');
  canvas.width = 160; canvas.height = 120;
  const context = canvas.getContext('2d');
  const stream = canvas.captureStream(10);
  const recorder = new MediaRecorder(stream, {mimeType: 'video/webm;codecs=vp8'});
  const chunks = [];
  recorder.ondataavailable = (event) => chunks.push(event.data);
  let frame = 0;
  const paint = () => { context.fillStyle = frame++ % 2 ? '#246' : '#fc0'; context.fillRect(0, 0, 160, 120); };
  paint();
  const timer = setInterval(paint, 100);
  const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
  recorder.start(200);
  await new Promise((resolve) => setTimeout(resolve, 1200));
  recorder.stop();
  await stopped;
  clearInterval(timer);
  return Array.from(new Uint8Array(await new Blob(chunks).arrayBuffer()));
}"""

VIDEO_STATE = """() => {
  const video = document.getElementById('dgs-video');
  const track = video.textTracks[0];
  return {readyState: video.readyState, paused: video.paused, autoplay: video.autoplay,
          controls: video.controls, error: video.error && video.error.code,
          track: track && {kind: track.kind, language: track.language, mode: track.mode,
                           cues: track.cues ? track.cues.length : 0}};
}"""


@pytest.fixture
def dgs_media(browser, tmp_path):
    """DGS_MEDIA_DIR with a recorded WebM and its WebVTT captions."""
    context = browser.new_context()
    page = context.new_page()
    page.goto("about:blank")
    webm = bytes(page.evaluate(RECORD_WEBM))
    context.close()
    assert webm[:4] == b"\x1a\x45\xdf\xa3", "not a WebM (EBML) file"
    media = tmp_path / "dgs-media"
    media.mkdir()
    (media / "buergerbuero.webm").write_bytes(webm)
    (media / "buergerbuero.vtt").write_text(CAPTIONS, encoding="utf-8")
    return media


def switch_language(page: Page, language: str) -> None:
    page.locator("#language-select").select_option(language)
    page.locator(".language-switcher button").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def test_sign_language_page_plays_the_operators_video_with_captions(
    new_page, own_server, dgs_media
):
    server = own_server(
        {
            "DGS_MEDIA_DIR": str(dgs_media),
            "DGS_VIDEO_URL": "buergerbuero.webm",
            "DGS_CAPTIONS_URL": "buergerbuero.vtt",
        }
    )
    page = new_page(base_url=server.url)

    # From the overview, next to the easy-to-read link.
    page.goto("/")
    page.locator(".accessible-versions").get_by_role("link", name="Sign language").click()
    expect(page).to_have_url(f"{server.url}/gebaerdensprache/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Information in German Sign Language")

    # The file and its captions come from this office, whole.
    video = page.locator("#dgs-video")
    for selector, kind in (("source", "video/webm"), ("track", "text/vtt")):
        src = video.locator(selector).get_attribute("src")
        response = page.request.get(src)
        assert (response.status, response.headers["content-type"].split(";")[0]) == (200, kind)
    assert (
        page.request.get(video.locator("source").get_attribute("src")).body()
        == (dgs_media / "buergerbuero.webm").read_bytes()
    )

    # The browser loads it, shows the German captions from the start, and plays nothing
    # by itself.
    page.wait_for_function(
        "() => { const v = document.getElementById('dgs-video');"
        " return v.readyState >= 1 && v.textTracks[0].cues && v.textTracks[0].cues.length; }"
    )
    state = page.evaluate(VIDEO_STATE)
    assert state.pop("readyState") >= 1
    assert state == {
        "paused": True,
        "autoplay": False,
        "controls": True,
        "error": None,
        "track": {"kind": "captions", "language": "de", "mode": "showing", "cues": 1},
    }

    # Reached and started with the keyboard alone.
    page.locator("h1").focus()
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "dgs-video":
            break
    assert page.evaluate("() => document.activeElement.id") == "dgs-video"
    page.keyboard.press("Space")
    page.wait_for_function("() => !document.getElementById('dgs-video').paused")

    # Fits a 320-pixel phone.
    page.set_viewport_size({"width": 320, "height": 640})
    box = video.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert horizontal_overflow(page) == []

    # No barrier axe can find, in English and in German.
    page.set_viewport_size({"width": 1280, "height": 800})
    found = axe_violations(page, "sign language/en")
    switch_language(page, "de")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Informationen in Deutscher Gebärdensprache"
    )
    expect(page.locator(".site-footer").get_by_role("link", name="Gebärdensprache")).to_be_visible()
    found += axe_violations(page, "sign language/de")
    assert found == [], "axe-core found violations:\n" + "\n".join(found)
    assert page.console_errors == []


def test_sign_language_page_without_a_video_says_so(new_page):
    page = new_page()
    page.goto("/")
    page.locator(".site-footer").get_by_role("link", name="Sign language").click()
    expect(page).to_have_url(re.compile(r"/gebaerdensprache/$"))
    assert page.locator("video").count() == 0
    expect(page.get_by_text("There is no video in German Sign Language here yet.")).to_be_visible()
    found = axe_violations(page, "sign language without video/en")
    switch_language(page, "de")
    found += axe_violations(page, "sign language without video/de")
    assert found == [], "axe-core found violations:\n" + "\n".join(found)


# Where each picture of the call sits, and what would be seen at the middle of the
# interpreter's picture (another tile lying over it would be found there instead).
LAYOUT = """() => {
  const box = (el) => { const r = el.getBoundingClientRect();
                        return {x: r.x, y: r.y, width: r.width, height: r.height}; };
  const interpreter = document.querySelector('.tile.sign-interpreter');
  interpreter.scrollIntoView({block: 'center'});
  const r = interpreter.getBoundingClientRect();
  const seen = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
  return {
    stage: box(document.getElementById('videos')),
    interpreter: box(interpreter),
    others: [...document.querySelectorAll('#videos .tile:not(.sign-interpreter)')].map(
      (tile) => ({box: box(tile), sharing: tile.classList.contains('sharing')})),
    uncovered: interpreter.contains(seen),
    caption: interpreter.querySelector('figcaption').textContent.replace(/\\s+/g, ' ').trim(),
  };
}"""


def to_front(page: Page) -> None:
    """Headless Chromium draws a page behind another window late or not at all, and a click
    waits for the next frame: bring the page forward and wait for one."""
    page.bring_to_front()
    page.evaluate("() => new Promise((resolve) => requestAnimationFrame(resolve))")


def overlap(a: dict, b: dict) -> float:
    width = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    height = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    return max(width, 0) * max(height, 0)


def assert_interpreter_large(page: Page, share_fraction: float) -> dict:
    to_front(page)
    layout = page.evaluate(LAYOUT)
    stage, interpreter = layout["stage"], layout["interpreter"]
    assert interpreter["width"] >= share_fraction * stage["width"], layout
    # As large as the largest other picture, the shared screen included.
    assert interpreter["width"] >= max(o["box"]["width"] for o in layout["others"]) - 1, layout
    assert [overlap(interpreter, o["box"]) for o in layout["others"]] == [0] * len(
        layout["others"]
    ), layout
    assert layout["uncovered"], layout
    return layout


def test_sign_language_interpreter_stays_large_while_the_screen_is_shared(new_page):
    citizen = new_page()
    staff = new_page()
    # Three browsers with live video on a shared machine: every step may be slow.
    for page in (citizen, staff):
        page.set_default_timeout(30_000)
    staff_login(staff)
    set_presence(staff, "Available")
    knock(citizen, "Ben Weber", "Gebärdensprache bitte")
    staff.locator(".queue-entry", has_text="Ben Weber").get_by_role(
        "button", name="Admit: Ben Weber"
    ).click()
    expect(citizen).to_have_url(re.compile(r"/gespraech/[\w-]+/$"))
    wait_for_media(citizen, 1)

    # Staff invite the interpreter, marked for sign-language interpreting.
    to_front(staff)
    staff.get_by_role("button", name="Invite a third person").click()
    staff.get_by_label("Name of the person (optional)").fill("Frau Yilmaz")
    staff.get_by_label("Sign-language interpreting (shown large for everyone)").check()
    staff.get_by_role("button", name="Create link").click()
    link = staff.get_by_label("Invitation link")
    expect(link).to_have_value(re.compile(r"/einladung/[\w-]{40,}/$"))

    interpreter = new_page()
    interpreter.set_default_timeout(30_000)
    interpreter.goto(link.input_value())
    expect(
        interpreter.get_by_text("You are invited as the sign-language interpreter.")
    ).to_be_visible()
    interpreter.get_by_role("button", name="Join").click()
    for page in (citizen, staff, interpreter):
        wait_for_media(page, 2)

    # Before any sharing, the citizen and staff see the interpreter large and named.
    for page in (citizen, staff):
        expect(page.locator(".tile.sign-interpreter")).to_have_count(1)
        layout = assert_interpreter_large(page, 0.45)
        assert layout["caption"] == "Frau Yilmaz (sign-language interpreter)"

    # Staff share the screen: it arrives at the citizen as the staff's picture (16:9) ...
    to_front(staff)
    staff.get_by_role("button", name="Share screen").click()
    citizen.wait_for_function(
        """() => { const tile = document.querySelector('#videos .tile.remote.sharing:not(.sign-interpreter)');
                   const v = tile && tile.querySelector('video');
                   return v && v.videoHeight && Math.abs(v.videoWidth / v.videoHeight - 16 / 9) < 0.02; }""",
        timeout=20_000,
    )
    # ... and the interpreter stays beside it, as large, on both sides.
    for page in (citizen, staff):
        layout = assert_interpreter_large(page, 0.45)
        assert [o["sharing"] for o in layout["others"]].count(True) == 1, layout

    # On a phone, one under the other: the interpreter the whole width, first, and the own
    # picture not lying over their hands.
    citizen.set_viewport_size({"width": 360, "height": 740})
    layout = assert_interpreter_large(citizen, 0.95)
    assert layout["interpreter"]["y"] <= min(o["box"]["y"] for o in layout["others"]), layout
    assert horizontal_overflow(citizen) == []

    for page in (citizen, staff, interpreter):
        assert page.console_errors == []
