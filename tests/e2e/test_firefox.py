"""A second engine: Firefox ESR (Gecko) and Chromium in one call, each way round.

Citizens bring their own browser. These tests run the core journey with one side in
Firefox (tests/e2e/firefox.py, one firefox-esr per module) and the other in Chromium:
knock, a reload in the waiting room, admit, video and audio decoded on both sides, the
codecs each side negotiated, chat, screen sharing and a replaced camera (replaceTrack), and
an interpreter in Firefox joining a Chromium call.
"""

import re

import pytest
from playwright.sync_api import expect

from .firefox import Firefox, FirefoxPage
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

pytestmark = pytest.mark.e2e

CALL_URL = r"/gespraech/[\w-]+/$"

# Per remote peer: who offered, and the codec of each received and sent stream.
CODECS = """async () => {
  const out = [];
  for (const peer of window.bbCall.mesh.peers.values()) {
    const stats = new Map([...(await peer.pc.getStats()).values()].map((s) => [s.id, s]));
    const codec = (type, kind) => {
      const rtp = [...stats.values()].find((s) => s.type === type && s.kind === kind);
      return rtp && stats.get(rtp.codecId)?.mimeType.toLowerCase();
    };
    out.push({
      initiator: peer.initiator,
      received: [codec('inbound-rtp', 'audio'), codec('inbound-rtp', 'video')],
      sent: [codec('outbound-rtp', 'audio'), codec('outbound-rtp', 'video')],
    });
  }
  return out;
}"""

# Firefox has no media-source stats: the sound it receives shows as energy at the receiver.
RECEIVING_AUDIO_ENERGY = """() => Promise.all([...window.bbCall.mesh.peers.values()].map(async (peer) => {
  const stats = [...(await peer.pc.getStats()).values()];
  return stats.some((s) => s.type === 'inbound-rtp' && s.kind === 'audio' && s.totalAudioEnergy > 0);
})).then((all) => all.length > 0 && all.every(Boolean))"""

# Video codecs both engines send by default (VP8 first in each), and Opus for sound.
VIDEO_CODECS = {"video/vp8", "video/h264"}


def assert_codecs(page, peers: int) -> list[bool]:
    """Each connection carries Opus and VP8 or H.264, the same both ways; returns who offered."""
    report = poll(page, f"() => ({CODECS})().then((r) => r.every((p) => !p.received.concat(p.sent).includes(undefined)) && r)")
    assert len(report) == peers, report
    for peer in report:
        assert peer["received"][0] == peer["sent"][0] == "audio/opus", report
        assert peer["received"][1] in VIDEO_CODECS, report
        assert peer["sent"][1] == peer["received"][1], report
    return [peer["initiator"] for peer in report]


@pytest.fixture(scope="module")
def firefox(tmp_path_factory):
    browser = Firefox(tmp_path_factory.mktemp("firefox") / "bridge.log")
    yield browser
    browser.close()


@pytest.fixture
def firefox_page(firefox, office_server):
    pages = []

    def make() -> FirefoxPage:
        page = firefox.new_page(office_server)
        pages.append(page)
        return page

    yield make
    for page in pages:
        try:
            if "/gespraech/" in page.url:
                page.goto("/")  # leave the call before the staff side signs off
            page.close()
        except AssertionError as error:
            print(f"could not close a Firefox page: {error}")


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
    page.wait_until("() => !document.getElementById('presence').disabled")
    page.click("input[name=presence][value=available]")
    page.wait_until(
        "(s) => { const e = document.querySelector(s); return e && e.textContent.trim() !== 'Closed'; }",
        f'section[data-department="{OFFICE}"] .status',
    )


def firefox_sign_off(page: FirefoxPage) -> None:
    page.goto("/konsole/")
    page.wait_until("() => !document.getElementById('presence').disabled")
    page.click("input[name=presence][value=offline]")
    page.wait_until("() => document.querySelector('input[value=offline]').checked")


def test_firefox_citizen_with_chromium_staff(new_page, firefox_page):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = firefox_page()

    firefox_knock(citizen, "Fuchs Feuer")
    citizen.expect_text("#queue-position", "You are next.")
    # A reload in the waiting room keeps the place.
    citizen.reload()
    citizen.expect_text("#queue-position", "You are next.")
    staff.get_by_role("button", name="Admit: Fuchs Feuer").click()
    expect(staff).to_have_url(re.compile(CALL_URL))
    assert citizen.expect_url(CALL_URL) == staff.url

    # Both engines decode the other's video and receive the other's sound.
    wait_for_media(citizen, 1)
    wait_for_media(staff, 1)
    poll(staff, SENDING_AUDIO_ENERGY)
    poll(staff, RECEIVING_AUDIO_ENERGY)
    poll(citizen, RECEIVING_AUDIO_ENERGY)
    assert assert_codecs(citizen, 1) != assert_codecs(staff, 1)

    # Chat both ways.
    citizen.fill('::-p-aria(Message[role="textbox"])', "Hallo aus Firefox")
    citizen.click('::-p-aria(Send[role="button"])')
    expect(staff.locator("#chat-log")).to_contain_text("Hallo aus Firefox")
    staff.get_by_label("Message").fill("Hallo aus Chromium")
    staff.get_by_role("button", name="Send").click()
    citizen.wait_until(
        "() => document.getElementById('chat-log').textContent.includes('Hallo aus Chromium')"
    )

    # The staff member shares the screen (replaceTrack in Chromium): 16:9 arrives in Firefox.
    assert abs(remote_video_aspect(citizen, "Erika Muster") - 4 / 3) < 0.01
    staff.get_by_role("button", name="Share screen").click()
    citizen.wait_until(
        """() => { const v = document.querySelector('video[aria-label="Erika Muster"]');
                   return v && v.videoHeight && Math.abs(v.videoWidth / v.videoHeight - 16 / 9) < 0.02; }"""
    )
    citizen.expect_text("[data-peer] .media-state", "(sharing the screen)")

    # Firefox leaves: Chromium sees the tile go.
    assert citizen.console_errors == []
    citizen.click('::-p-aria(Hang up[role="button"])')
    expect(staff.locator("[data-peer]")).to_have_count(0)
    assert staff.console_errors == []
