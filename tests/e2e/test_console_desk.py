"""The console's desk in the states the team test does not reach: the member who covers
ten departments with twelve citizens waiting across them, the minutes each has waited,
the knock sentence with its topic, the message dialogs and paused presence (axe-clean).

Zora serves ten departments (the team's four and six more). The screenshot of her console
is kept under test-artifacts/screenshots/ (accessibility.SCREENSHOTS) for a person to
look at.
"""

import subprocess

import pytest
from playwright.sync_api import Page, expect

from ..server import manage
from .accessibility import SCREENSHOTS, assert_accessible
from .conftest import OfficeServer
from .flows import PASSWORD
from .test_console_team import TEAM_DATA, line, serve, sign_in, sign_out

pytestmark = pytest.mark.e2e
SLOW = 30_000  # seven test runs may share two cores

TEN_DATA = """
from buergerbuero.departments.models import Department, OpeningHours
from buergerbuero.staff.models import StaffProfile
from django.contrib.auth import get_user_model

names = ["Einwohner", "Fundbüro", "Gewerbe", "Hundesteuer", "Jugendamt", "Kfz"]
for position, name in enumerate(names):
    department = Department.objects.create(
        slug="ten-" + name[0].lower(), name=name, position=200 + position
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(department=department, weekday=day, opens_minute=0, closes_minute=1440)
        for day in range(7)
    )
user = get_user_model().objects.create_user("zora", password=PASSWORD, first_name="Zora")
StaffProfile.objects.create(user=user).departments.set(
    Department.objects.filter(slug__regex=r"^(team|ten)-")
)
"""

# Twelve citizens across the ten departments, the first of them waiting for twelve minutes.
TWELVE_IN_TEN = """
from datetime import timedelta

from buergerbuero.departments.models import Department
from buergerbuero.waiting.models import QueueEntry
from django.utils import timezone

QueueEntry.objects.filter(state="waiting").update(state="expired")
departments = list(Department.objects.filter(slug__regex=r"^(team|ten)-").order_by("position"))
assert len(departments) == 10
now = timezone.now()
for n in range(12):
    entry = QueueEntry.objects.create(
        department=departments[n % 10],
        display_name=f"Person {n + 1:02d} Mustermann",
        topic=["Wohngeldschein", "Fundsache", "Anmeldung"][n % 3],
        language=["de", "tr", "ar", "uk"][n % 4],
        seen_at=now,
    )
    QueueEntry.objects.filter(pk=entry.pk).update(
        created_at=now - timedelta(minutes=12 if n == 0 else 1, seconds=n)
    )
"""

FOCUSED = (
    "document.activeElement.getAttribute('aria-label') || document.activeElement.id"
    " || document.activeElement.tagName"
)


@pytest.fixture(scope="module")
def desk_server(tmp_path_factory):
    server = OfficeServer(tmp_path_factory.mktemp("e2e-desk"), {"CONSOLE_RELEASE_SECONDS": "2"})
    manage(server.env, "shell", "-c", f"PASSWORD = {PASSWORD!r}\n" + TEAM_DATA + TEN_DATA)
    server.start()
    yield server
    server.close("e2e-desk")


@pytest.fixture
def desk_page(new_page, desk_server):
    def make(**options) -> Page:
        page = new_page(base_url=desk_server.url, **options)
        page.set_default_timeout(SLOW)
        return page

    return make


def test_a_member_of_ten_departments_sees_twelve_citizens_on_one_screen(desk_page, desk_server):
    manage(desk_server.env, "shell", "-c", TWELVE_IN_TEN, stdout=subprocess.DEVNULL)
    zora = desk_page(viewport={"width": 1280, "height": 800})
    # The page's clock, to move a minute on without waiting for it.
    zora.clock.install()
    sign_in(zora, "zora")
    rows = zora.locator(".queue-entry")
    expect(rows).to_have_count(12, timeout=SLOW)
    expect(zora.locator(".department-line")).to_have_count(10)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    zora.screenshot(path=str(SCREENSHOTS / "console-ten-departments-twelve-waiting.png"))

    # Every row on the first screen, and the page not much taller than it.
    for index in range(12):
        box = rows.nth(index).bounding_box()
        assert box is not None
        assert box["y"] >= 0 and box["y"] + box["height"] <= 800, (index, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, (index, box)
    # The ten department lines run on below the queue in the side column: each of them
    # compact (name, presence, state and count, and the button to write to everyone
    # waiting there), so the page ends within two screens.
    for index in range(10):
        box = zora.locator(".department-line").nth(index).bounding_box()
        assert box is not None and box["height"] <= 90, (index, box)
    height = zora.evaluate("document.documentElement.scrollHeight")
    assert height <= 2 * 800, height
    # The first "Admit" a few Tab presses from the top, before the ten department lines.
    presses = 0
    while zora.evaluate(FOCUSED) != "Admit: Person 01 Mustermann":
        zora.keyboard.press("Tab")
        presses += 1
        assert presses <= 8, "the first Admit is too far down the tab order"
    assert_accessible(zora, "console, ten departments, twelve waiting")

    # How long each has waited, counted on in place each minute: the same row, the same
    # text node's neighbours, nothing said to screen readers.
    first = rows.first.locator(".entry-details")
    expect(first).to_have_text("waiting 12 min")
    expect(rows.nth(1).locator(".entry-details")).to_have_text("waiting 1 min")
    rows.first.evaluate("(row) => { row.dataset.marked = 'yes'; }")
    announced = zora.locator("#console-announce").text_content()
    zora.clock.fast_forward("01:00")
    expect(first).to_have_text("waiting 13 min")
    assert rows.first.get_attribute("data-marked") == "yes"
    assert zora.locator("#console-announce").text_content() == announced
    assert zora.evaluate(FOCUSED) == "Admit: Person 01 Mustermann"
    sign_out(zora)


def test_message_dialogs_and_paused_presence_are_accessible(desk_page):
    anna = desk_page()
    sign_in(anna, "anna")
    serve(anna, "Bauamt")
    expect(line(anna, "team-b").locator(".status")).to_have_text("Open – free")

    # The knock is announced with the citizen's topic.
    kim = desk_page()
    kim.goto("/fachbereich/team-b/")
    kim.get_by_role("link", name="Go to the waiting room").click()
    expect(kim.locator("#device-message")).to_have_text("Camera and microphone work.", timeout=SLOW)
    kim.get_by_label("Your name").fill("Kim Bauer")
    kim.get_by_label("Your topic (optional)").fill("Wohngeldschein")
    kim.get_by_role("button", name="Knock").click()
    expect(anna.locator("#console-announce")).to_have_text(
        "New knock: Kim Bauer (Bauamt), topic: Wohngeldschein", timeout=SLOW
    )
    row = anna.locator(".queue-entry", has_text="Kim Bauer")
    expect(row.locator(".entry-details")).to_have_text("waiting <1 min")

    # The message dialog for one citizen, and the one for everyone waiting.
    anna.get_by_role("button", name="Send message: Kim Bauer").click()
    dialog = anna.get_by_role("dialog", name="Message to Kim Bauer")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Message:")).to_be_focused()
    assert_accessible(anna, "console, message dialog")
    # Sent empty: the dialog says why, at the field.
    dialog.get_by_role("button", name="Send", exact=True).click()
    expect(dialog.get_by_label("Message:")).to_have_attribute("aria-invalid", "true")
    assert_accessible(anna, "console, message dialog with an error")
    anna.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(anna.get_by_role("button", name="Send message: Kim Bauer")).to_be_focused()

    everyone = line(anna, "team-b").get_by_role("button", name="Message to everyone waiting")
    everyone.click()
    dialog = anna.get_by_role("dialog", name="Message to everyone waiting for Bauamt")
    expect(dialog).to_be_visible()
    assert_accessible(anna, "console, message to everyone dialog")
    anna.keyboard.press("Escape")
    expect(everyone).to_be_focused()

    # Paused: the department closes for new knocks; Kim is still listed.
    serve(anna, "Bauamt", "Paused")
    expect(line(anna, "team-b").locator(".status")).to_have_text("Closed")
    expect(row).to_be_visible()
    assert_accessible(anna, "console, paused in a department")
    anna.get_by_label("Offline").check()
    expect(anna.get_by_label("Offline")).to_be_checked()
    assert_accessible(anna, "console, offline everywhere")
    kim.get_by_role("button", name="Leave the queue").click()
    expect(row).to_have_count(0)
    sign_out(anna)
