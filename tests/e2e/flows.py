"""What people do in the office, as reusable browser steps."""

import re
import time

from django.utils import translation
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

OFFICE = "e2e-office"
PASSWORD = "e2e-password-for-tests"  # conftest hands it to server_data.py

# Every remote peer's inbound video has decoded frames, and audio bytes arrive.
# A getStats() that does not answer within 5 s counts as "not yet" and is asked again,
# within poll's limit (once in CI this check's evaluation in Firefox never settled; the
# cause is not known, getStats is the only thing it awaits).
MEDIA_FLOWING = """(expected) => {
  const peers = [...(window.bbCall?.mesh.peers.values() || [])];
  if (peers.length < expected) return false;
  const late = () => new Promise((settle) => setTimeout(() => settle(new Map()), 5000));
  return Promise.all(peers.map(async (peer) => {
    const stats = [...(await Promise.race([peer.pc.getStats(), late()])).values()];
    const video = stats.find((s) => s.type === 'inbound-rtp' && s.kind === 'video');
    const audio = stats.find((s) => s.type === 'inbound-rtp' && s.kind === 'audio');
    return Boolean(video && video.framesDecoded > 0 && audio && audio.bytesReceived > 0);
  })).then((all) => all.every(Boolean));
}"""

# The sender's microphone is really producing sound (the fake device beeps).
SENDING_AUDIO_ENERGY = """() => Promise.all([...window.bbCall.mesh.peers.values()].map(async (peer) => {
  const stats = [...(await peer.pc.getStats()).values()];
  return stats.some((s) => s.type === 'media-source' && s.kind === 'audio' && s.totalAudioEnergy > 0);
})).then((all) => all.length > 0 && all.every(Boolean))"""


def staff_login(page: Page, username: str = "e2e-staff") -> None:
    page.goto("/konsole/anmelden/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Staff console")).to_be_visible()
    # The page fixture signs staff off after the test (conftest.new_page): presence
    # outlives a closed tab for a while, and the next test expects a closed office.
    page.is_staff = True


def sign_off(page: Page) -> None:
    """End the staff member's call and set them offline; best effort, the page may be anywhere."""
    if page.is_closed():
        return
    # Still in a call: end it, or the office shows "in a consultation" until the room
    # counts as abandoned, minutes later.
    # By ids, not words: staff may use the console in any language.
    end = page.locator("#hang-up")
    if "/gespraech/" in page.url and end.is_visible() and end.is_enabled():
        try:
            end.click(timeout=3_000)
            expect(page.locator("#console")).to_be_visible()
        except PlaywrightError:
            # Already ending (the button was disabled under us, or the page went on to
            # the console): going to the console below is all that is left to do.
            pass
    try:
        page.goto("/konsole/")
    except PlaywrightError:
        # The page's own way to the console (the call ended) cut ours off: once more.
        page.wait_for_load_state()
        page.goto("/konsole/")
    offline = page.locator('#presence input[value="offline"]')
    expect(page.locator("#presence")).to_be_enabled()
    if not offline.is_checked():
        offline.check()
        expect(page.locator(f'[data-department="{OFFICE}"] .status')).to_be_visible()


def set_presence(page: Page, label: str = "Available") -> None:
    page.get_by_label(label).check()
    expect(page.locator(f'[data-department="{OFFICE}"] .status')).not_to_have_text("Closed")


def knock(page: Page, name: str, topic: str = "") -> None:
    page.goto(f"/fachbereich/{OFFICE}/")
    page.get_by_role("link", name="Go to the waiting room").click()
    expect(page.locator("#device-message")).to_have_text("Camera and microphone work.")
    page.get_by_label("Your name").fill(name)
    if topic:
        page.get_by_label("Your topic (optional)").fill(topic)
    page.get_by_role("button", name="Knock").click()
    expect(page.get_by_role("heading", name="Waiting room: E2E Office")).to_be_visible()


def words(language: str):
    """The office's own words in `language` (its .po files), to wait for a text on a page
    in that language."""

    def translated(text: str) -> str:
        with translation.override(language):
            return translation.gettext(text)

    return translated


def knock_in(page: Page, language: str, name: str, topic: str = "") -> None:
    """Knock on a page in any language: fields and buttons found by id, not by words."""
    t = words(language)
    page.goto(f"/fachbereich/{OFFICE}/anklopfen/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#device-message")).to_have_text(t("Camera and microphone work."))
    page.locator("#id_display_name").fill(name)
    if topic:
        page.locator("#id_topic").fill(topic)
    page.locator(".knock-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/warteraum/"))
    expect(page.locator("#queue-position")).not_to_have_text(t("Connecting…"))
    expect(page.locator("#queue-position")).not_to_have_text("")


def staff_login_by_ids(staff: Page) -> None:
    """Log in and be available, on a console in any language (found by ids, not words)."""
    staff.goto("/konsole/anmelden/")
    staff.locator("#id_username").fill("e2e-staff")
    staff.locator("#id_password").fill(PASSWORD)
    staff.locator("main form button[type=submit].primary").click()
    expect(staff.locator("#console")).to_be_visible()
    staff.is_staff = True  # signed off after the test (conftest)
    expect(staff.locator("#presence")).to_be_enabled()
    staff.locator('#presence input[value="available"]').check()
    expect(staff.locator(f'[data-department="{OFFICE}"] .status')).to_be_visible()


# What a failed wait says about each connection: its states, what ICE found on each side
# and how its candidate pairs fare, so that a call that never connects says why.
PEER_REPORT = """async () => {
  const out = [];
  for (const [id, peer] of window.bbCall?.mesh.peers || []) {
    const pc = peer.pc;
    const all = [...(await pc.getStats()).values()];
    const inbound = all
      .filter((s) => s.type === 'inbound-rtp')
      .map((s) => `${s.kind}: frames ${s.framesDecoded} bytes ${s.bytesReceived}`);
    const kinds = (type) => all.filter((s) => s.type === type)
      .map((s) => `${s.candidateType}/${s.protocol}/${s.address}`).join(' ');
    const pairs = all.filter((s) => s.type === 'candidate-pair')
      .map((s) => `${s.state}(req ${s.requestsSent} resp ${s.responsesReceived})`).join(' ');
    const transport = all.find((s) => s.type === 'transport');
    out.push(`${id} ${pc.connectionState} ice ${pc.iceConnectionState} signalling ${pc.signalingState}`
      + ` gathering ${pc.iceGatheringState} dtls ${transport?.dtlsState} initiator ${peer.initiator}`
      + ` pending ${peer.pending.length}; local [${kinds('local-candidate')}]`
      + ` remote [${kinds('remote-candidate')}] pairs [${pairs}] ${inbound.join(', ')}`);
  }
  return out.join('; ') + ' | status: ' + document.getElementById('call-status')?.textContent;
}"""


def poll(page: Page, script: str, arg=None, timeout: float = 20.0, interval: float = 0.25):
    """Evaluate `script` until it yields a truthy value; return it.

    Not page.wait_for_function: that treats a returned Promise as truthy at once, so an
    async check (getStats) would pass without ever being true.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(script, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s: {script[:80]}…")
        page.wait_for_timeout(interval * 1000)


def wait_for_media(page: Page, peers: int) -> None:
    try:
        poll(page, MEDIA_FLOWING, peers)
    except AssertionError as error:
        raise AssertionError(
            f"media not flowing at {page.url}: {page.evaluate(PEER_REPORT)}\n"
            f"its console: {list(getattr(page, 'console_log', []))}\n"
            f"the other calls in this browser: {_other_calls(page)}"
        ) from error


def admit(staff: Page, citizen: Page, name: str) -> None:
    """Staff let the citizen in from the console; the call page (in place or loaded) is at
    its address on both sides and each decodes the other's video."""
    staff.get_by_role("button", name=f"Admit: {name}").click()
    for page in (citizen, staff):
        expect(page).to_have_url(re.compile(r"/gespraech/[\w-]+/$"))
    wait_for_media(citizen, 1)
    wait_for_media(staff, 1)


def _other_calls(page: Page) -> list[str]:
    """What every other page of the browser in a call reports (the other end of a call that
    does not connect), for a failure's message."""
    reports = []
    for context in page.context.browser.contexts if page.context.browser else []:
        for other in context.pages:
            if other is page or other.is_closed():
                continue
            try:
                if other.evaluate("() => Boolean(window.bbCall)"):
                    reports.append(f"{other.url}: {other.evaluate(PEER_REPORT)}")
                    reports.append(f"its console: {list(getattr(other, 'console_log', []))}")
            except Exception as error:  # a page between documents: say so, go on
                reports.append(f"{other.url}: {error}")
    return reports


def remote_video_aspect(page: Page, peer_name: str) -> float:
    return page.evaluate(
        """(name) => {
          const video = document.querySelector(`video[aria-label="${name}"]`);
          return video && video.videoHeight ? video.videoWidth / video.videoHeight : 0;
        }""",
        peer_name,
    )
