"""Admission without a page load: the waiting room and the console become the call.

The citizen's camera, opened as chosen in the device check and held while waiting, and
the console's camera, held while someone waits, go straight into the call; neither page
loads again. A reload still finds the call, as the call page.
"""

import re

import pytest
from playwright.sync_api import expect

from .flows import admit, knock, set_presence, staff_login, wait_for_media

pytestmark = pytest.mark.e2e

# Set before admission: gone if the page loaded again.
MARK = "() => { window.__samePage = true; }"
SAME_PAGE = "() => window.__samePage === true"
LIVE_TRACKS = """(selector) => (document.querySelector(selector)?.srcObject?.getTracks() || [])
  .filter((track) => track.readyState === 'live').map((track) => track.kind).sort()"""


def test_admission_starts_the_call_in_place_with_the_cameras_already_held(new_page):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = new_page()
    knock(citizen, "Ida Sofort")
    expect(citizen.locator("#queue-position")).to_have_text("You are next.")

    # While waiting: the citizen sees their own picture; the console holds its camera and
    # says so, with a way to turn that off.
    expect(citizen.locator("#waiting-preview")).to_be_visible()
    citizen.wait_for_function(f"() => ({LIVE_TRACKS})('#waiting-preview video').length === 2")
    ready = staff.get_by_label(re.compile("Keep my camera and microphone ready"))
    expect(ready).to_be_visible()
    expect(ready).to_be_checked()

    citizen.evaluate(MARK)
    staff.evaluate(MARK)
    staff.get_by_role("button", name="Admit: Ida Sofort").click()

    for page in (citizen, staff):
        expect(page).to_have_url(re.compile(r"/gespraech/[\w-]+/$"))
        heading = page.get_by_role("heading", name="Consultation: E2E Office")
        expect(heading).to_be_focused()
    assert citizen.url == staff.url
    wait_for_media(citizen, 1)
    wait_for_media(staff, 1)
    # No page load on either side, and the citizen's held camera is the call's.
    assert citizen.evaluate(SAME_PAGE) and staff.evaluate(SAME_PAGE)
    assert citizen.locator("#waiting-room").count() == 0
    assert citizen.evaluate(LIVE_TRACKS, "#local-video") == ["audio", "video"]
    expect(citizen.locator("#call-status")).to_have_text("You are now connected with Erika Muster.")
    # The console's queue stays below the call; a second admission waits for its end.
    expect(staff.locator("#queue-heading")).to_be_visible()

    # A reload finds the call: the call page itself, connected again.
    citizen.reload()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Consultation: E2E Office")
    assert not citizen.evaluate(SAME_PAGE)
    wait_for_media(citizen, 1)
    wait_for_media(staff, 1)

    staff.get_by_role("button", name="End consultation").click()
    expect(citizen.get_by_role("heading", name="The consultation has ended")).to_be_visible()
    expect(staff.get_by_role("heading", name="Staff console")).to_be_visible()
    expect(staff.locator("#queue-heading")).to_be_focused()


def test_a_citizen_may_switch_the_camera_off_until_admitted(new_page):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = new_page()
    knock(citizen, "Jan Spaeter")
    expect(citizen.locator("#waiting-preview")).to_be_visible()
    citizen.get_by_role("button", name="Camera off until I am let in").click()
    expect(citizen.locator("#waiting-preview")).to_be_hidden()
    note = citizen.locator("#preview-off-note")
    expect(note).to_have_text("Your camera is off until you are let in. It starts again then.")
    expect(note).to_be_focused()

    # Admitted, the call opens the camera again and both sides see each other.
    admit(staff, citizen, "Jan Spaeter")
    staff.get_by_role("button", name="End consultation").click()
    expect(citizen.get_by_role("heading", name="The consultation has ended")).to_be_visible()


def test_staff_take_the_citizen_back_to_the_front_of_the_queue(new_page):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    first = new_page()
    knock(first, "Lea Zurueck")
    second = new_page()
    knock(second, "Ole Wartet")
    expect(second.locator("#queue-position")).to_have_text("You are number 2 in the queue.")
    admit(staff, first, "Lea Zurueck")
    expect(second.locator("#queue-position")).to_have_text("You are next.")

    # Asked first (the call ends for everyone in it), then the citizen is back at the
    # front, ahead of whoever was next, and told why.
    staff.once("dialog", lambda dialog: dialog.accept())
    staff.get_by_role("button", name="Take the citizen back to the waiting room").click()
    expect(first).to_have_url(re.compile(r"/warteraum/[\w-]+/\?zurueck=1$"))
    expect(first.get_by_role("status").filter(has_text="taken you back")).to_have_text(
        "The office has taken you back to the waiting room. You are at the front of the queue."
    )
    expect(first.locator("#queue-position")).to_have_text("You are next.")
    expect(second.locator("#queue-position")).to_have_text("You are number 2 in the queue.")
    expect(staff).to_have_url(re.compile(r"/konsole/"))
    rows = staff.locator(".queue-entry")
    expect(rows.first).to_contain_text("Lea Zurueck")

    # Admitted again: a new call, in place again.
    admit(staff, first, "Lea Zurueck")
    staff.get_by_role("button", name="End consultation").click()
    expect(first.get_by_role("heading", name="The consultation has ended")).to_be_visible()
    second.get_by_role("button", name="Leave the queue").click()
