"""The staff console for a real team: two members, several departments.

Anna serves Antrag, Bauamt and Chronik (and Dokumente, for the screenshot); Bernd serves
Antrag only. Presence is per department and follows the public board; knocks reach only
the members of the department; a citizen who closed the tab is marked within seconds; a
knock during a call reaches the call page; focus stays put when someone knocks; the
console is axe-clean in every state; twelve citizens fit on one screen.
"""

import re
import subprocess
import time

import pytest
from playwright.sync_api import Page, expect

from ..server import manage
from .accessibility import SCREENSHOTS, assert_accessible
from .conftest import OfficeServer
from .flows import PASSWORD

TEAM_DATA = """
from buergerbuero.departments.models import Department, OpeningHours
from buergerbuero.staff.models import StaffProfile
from django.contrib.auth import get_user_model

departments = {}
for position, (slug, name) in enumerate(
    [("team-a", "Antrag"), ("team-b", "Bauamt"), ("team-c", "Chronik"), ("team-d", "Dokumente")]
):
    department = Department.objects.create(slug=slug, name=name, position=100 + position)
    OpeningHours.objects.bulk_create(
        OpeningHours(department=department, weekday=day, opens_minute=0, closes_minute=1440)
        for day in range(7)
    )
    departments[slug] = department
for username, first, slugs in [
    ("anna", "Anna", ["team-a", "team-b", "team-c", "team-d"]),
    ("bernd", "Bernd", ["team-a"]),
]:
    user = get_user_model().objects.create_user(username, password=PASSWORD, first_name=first)
    StaffProfile.objects.create(user=user).departments.set([departments[s] for s in slugs])
"""

# Twelve citizens across four departments (created in the server's database: the console
# reads them when it connects).
TWELVE = """
from buergerbuero.departments.models import Department
from buergerbuero.waiting.models import QueueEntry
from django.utils import timezone

QueueEntry.objects.filter(state="waiting").update(state="expired")
topics = ["Wohngeldschein", "Bauantrag Garage", "Ahnenforschung", "Beglaubigung"]
for n in range(12):
    department = Department.objects.get(slug="team-" + "abcd"[n % 4])
    QueueEntry.objects.create(
        department=department,
        display_name=f"Person {n + 1:02d} Mustermann",
        topic=topics[n % 4],
        language=["de", "tr", "ar", "uk"][n % 4],
        seen_at=timezone.now(),
    )
"""

ALWAYS_CLOSED_SOON = 12.0  # seconds: the console's release delay plus the board's hop


@pytest.fixture(scope="module")
def team_server(tmp_path_factory):
    server = OfficeServer(
        tmp_path_factory.mktemp("e2e-team"),
        {"CONSOLE_RELEASE_SECONDS": "2", "CALL_NO_SHOW_SECONDS": "60"},
    )
    manage(server.env, "shell", "-c", f"PASSWORD = {PASSWORD!r}\n" + TEAM_DATA)
    server.start()
    yield server
    server.close("e2e-team")


@pytest.fixture
def team_page(new_page, team_server):
    def make(**options) -> Page:
        return new_page(base_url=team_server.url, **options)

    return make


def sign_in(page: Page, username: str) -> None:
    page.goto("/konsole/anmelden/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Staff console")).to_be_visible()
    expect(page.locator("#presence")).to_be_enabled()


def sign_out(page: Page) -> None:
    if not page.is_closed() and "/konsole/" in page.url:
        page.get_by_role("button", name="Log out").click()


def serve(page: Page, department: str, presence: str = "Available") -> None:
    select = page.get_by_label(f"My presence in {department}")
    select.select_option(label=presence)
    if presence == "Available":
        # Until the office has it: the select shows the choice at once, the line's state
        # only once the office answers. A citizen's page loaded before then shows the
        # department closed (its "Right now" is as of loading).
        state = page.locator(".department-line", has=select).locator(".status")
        expect(state).not_to_have_text("Closed")


def line(page: Page, slug: str):
    return page.locator(f'.department-line[data-department="{slug}"]')


def knock_at(page: Page, slug: str, name: str, topic: str = "") -> None:
    page.goto(f"/fachbereich/{slug}/")
    page.get_by_role("link", name="Go to the waiting room").click()
    expect(page.locator("#device-message")).to_have_text("Camera and microphone work.")
    page.get_by_label("Your name").fill(name)
    if topic:
        page.get_by_label("Your topic (optional)").fill(topic)
    page.get_by_role("button", name="Knock").click()
    expect(page.locator("#queue-position")).to_have_text(re.compile(r"^You are (next|number)"))


def board(page: Page, slug: str):
    return page.locator(f'[data-status-for="{slug}"]')


def test_presence_per_department_drives_the_public_board(team_page):
    anna, bernd, watcher = team_page(), team_page(), team_page()
    watcher.goto("/")
    for slug in ("team-a", "team-b", "team-c"):
        expect(board(watcher, slug)).to_have_text("Closed")

    # Signing in starts offline; Anna serves Bauamt only for now.
    sign_in(anna, "anna")
    expect(board(watcher, "team-b")).to_have_text("Closed")
    serve(anna, "Bauamt")
    expect(board(watcher, "team-b")).to_have_text("Open – free")
    expect(line(anna, "team-b").locator(".status")).to_have_text("Open – free")
    for slug in ("team-a", "team-c"):
        expect(board(watcher, slug)).to_have_text("Closed")

    # One click for all her departments; pausing one closes only that one.
    anna.get_by_label("Available").check()
    for slug in ("team-a", "team-b", "team-c"):
        expect(board(watcher, slug)).to_have_text("Open – free")
    serve(anna, "Chronik", "Paused")
    expect(board(watcher, "team-c")).to_have_text("Closed")
    expect(anna.get_by_label("Available")).not_to_be_checked()

    # Bernd serves Antrag too; signing out ends Anna's presence at once.
    sign_in(bernd, "bernd")
    serve(bernd, "Antrag")
    sign_out(anna)
    expect(board(watcher, "team-b")).to_have_text("Closed", timeout=5_000)
    expect(board(watcher, "team-a")).to_have_text("Open – free")

    # Closing his last console tab sets Bernd offline within seconds.
    closed_at = time.monotonic()
    bernd.close()
    expect(board(watcher, "team-a")).to_have_text("Closed", timeout=ALWAYS_CLOSED_SOON * 1000)
    assert time.monotonic() - closed_at < ALWAYS_CLOSED_SOON


FOCUSED_LABEL = "document.activeElement.getAttribute('aria-label') || document.activeElement.id || document.activeElement.tagName"


def test_console_queue_knocks_focus_gone_citizens_and_accessibility(team_page):
    anna, bernd = team_page(), team_page()
    sign_in(anna, "anna")
    sign_in(bernd, "bernd")
    assert_accessible(anna, "team console, nobody waiting")
    serve(anna, "Bauamt")
    serve(bernd, "Antrag")
    expect(line(anna, "team-b").locator(".status")).to_have_text("Open – free")

    # A knock at Bauamt reaches Anna, not Bernd (who serves Antrag only).
    kim = team_page()
    knock_at(kim, "team-b", "Kim Bauer", "Wohngeldschein")
    row = anna.locator(".queue-entry", has_text="Kim Bauer")
    expect(row).to_contain_text("Bauamt")
    expect(row).to_contain_text("Wohngeldschein")
    expect(anna.locator("#console-announce")).to_have_text(
        "New knock: Kim Bauer (Bauamt), topic: Wohngeldschein"
    )
    expect(line(anna, "team-b").locator(".waiting-count")).to_have_text("Waiting: 1")
    bernd.reload()
    expect(bernd.locator("#presence")).to_be_enabled()
    expect(bernd.locator(".queue-entry")).to_have_count(0)
    expect(bernd.locator("#queue-empty")).to_be_visible()
    assert_accessible(anna, "team console, one knock")

    # The first "Admit" is a few Tab presses from the top of the page.
    anna.reload()
    expect(row).to_be_visible()
    presses = 0
    while anna.evaluate(FOCUSED_LABEL) != "Admit: Kim Bauer":
        anna.keyboard.press("Tab")
        presses += 1
        assert presses <= 8, "the first Admit is too far down the tab order"

    # Focus stays on Kim's Admit button while another citizen knocks.
    lea = team_page()
    knock_at(lea, "team-b", "Lea Lang")
    expect(anna.locator(".queue-entry", has_text="Lea Lang")).to_be_visible()
    assert anna.evaluate(FOCUSED_LABEL) == "Admit: Kim Bauer"

    # Kim closes the tab: marked within seconds, announced in one sentence.
    kim.close()
    gone = row.locator(".entry-gone")
    expect(gone).to_have_text(re.compile(r"^Connection lost for 0:0\d$"), timeout=5_000)
    expect(anna.locator("#console-announce")).to_have_text("Connection to Kim Bauer lost.")
    assert anna.evaluate(FOCUSED_LABEL) == "Admit: Kim Bauer"
    assert_accessible(anna, "team console, a citizen gone")

    # Admitting someone who is gone asks first; cancelling keeps them in the queue.
    anna.keyboard.press("Enter")
    confirm = anna.get_by_role("dialog", name="Admit?")
    expect(confirm).to_contain_text("The connection to Kim Bauer has been lost for")
    assert_accessible(anna, "team console, confirm admitting a citizen who is gone")
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_be_hidden()
    assert anna.evaluate(FOCUSED_LABEL) == "Admit: Kim Bauer"

    # Declining Kim: focus moves to the same button of the next row, never <body>.
    anna.get_by_role("button", name="Decline: Kim Bauer").focus()
    anna.keyboard.press("Enter")
    anna.get_by_role("dialog", name="Decline Kim Bauer").get_by_role(
        "button", name="Send", exact=True
    ).click()
    expect(row).to_have_count(0)
    expect(anna.locator("#console-announce")).to_have_text("Kim Bauer is no longer waiting.")
    assert anna.evaluate(FOCUSED_LABEL) == "Decline: Lea Lang"

    # The filter shows one department.
    anna.get_by_label("Show", exact=True).select_option(label="Chronik")
    expect(anna.locator("#queue-empty")).to_be_visible()
    anna.get_by_label("Show", exact=True).select_option(label="Bauamt")
    expect(anna.locator(".queue-entry:visible")).to_have_count(1)
    assert_accessible(anna, "team console, filtered")

    # During a call, which starts in the console itself, the queue below it still counts
    # a knock, with the visual cue and one sentence for screen readers.
    anna.get_by_role("button", name="Admit: Lea Lang").click()
    expect(anna).to_have_url(re.compile(r"/gespraech/[\w-]+/$"))
    expect(anna.get_by_role("heading", name="Consultation: Bauamt")).to_be_focused()
    expect(anna.locator("#queue-count")).to_have_text("(0)")
    max_ = team_page()
    knock_at(max_, "team-b", "Max Moor", "Baugenehmigung")
    expect(anna.locator("#queue-count")).to_have_text("(1)")
    expect(anna.locator("#console-announce")).to_have_text(
        "New knock: Max Moor (Bauamt), topic: Baugenehmigung"
    )
    expect(anna.locator("#queue-heading")).to_have_class(re.compile(r"\bknock-cue\b"))
    assert_accessible(anna, "console in a call, with a knock")
    # One call at a time: admitting now is refused with a reason, and Max keeps waiting.
    anna.get_by_role("button", name="Admit: Max Moor").click()
    expect(anna.locator("#console-status")).to_have_text(
        "End the current consultation before admitting the next citizen."
    )
    expect(anna.locator(".queue-entry", has_text="Max Moor")).to_be_visible()
    anna.get_by_role("button", name="End consultation").click()
    expect(anna.get_by_role("heading", name="Staff console")).to_be_visible()
    sign_out(anna)
    sign_out(bernd)


def test_twelve_citizens_in_four_departments_fit_on_one_screen(team_page, team_server):
    # The screenshot is kept under test-artifacts/screenshots/, for a person to look at.
    manage(team_server.env, "shell", "-c", TWELVE, stdout=subprocess.DEVNULL)
    anna = team_page(viewport={"width": 1280, "height": 800})
    sign_in(anna, "anna")
    rows = anna.locator(".queue-entry")
    expect(rows).to_have_count(12)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    anna.screenshot(path=str(SCREENSHOTS / "console-four-departments-twelve-waiting.png"))
    for index in range(12):
        box = rows.nth(index).bounding_box()
        assert box is not None
        assert box["y"] >= 0 and box["y"] + box["height"] <= 800, (index, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, (index, box)
    assert_accessible(anna, "team console, twelve waiting")
    sign_out(anna)
