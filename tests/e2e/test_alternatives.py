"""A department within its hours with nobody there, as a citizen and a staff member see it.

Wohngeld is open around the clock by its schedule, but Wanda, who serves it, is not
available; Sofia serves the related Sozialamt. A citizen (in German) reads that nobody is
there right now, sees the next free appointments and that the Sozialamt is open, and asks
for a callback; Wanda's console shows it at once, and marking it done deletes it. A citizen
waiting while Wanda pauses gets the same offer in the waiting room. The page in English
is axe-clean too, and reflows at 320 px.
"""

import re
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from ..server import ROOT, manage
from .accessibility import assert_accessible, horizontal_overflow
from .conftest import OfficeServer
from .flows import PASSWORD
from .test_console_team import line, serve, sign_in
from .test_language_marking import switch_language

DATA = """
from buergerbuero.bookings.models import AppointmentKind, BookingSettings
from buergerbuero.departments.models import Department, OpeningHours
from buergerbuero.staff.models import StaffProfile
from django.contrib.auth import get_user_model

departments = {}
for position, (slug, name) in enumerate(
    [("alt-wohngeld", "Wohngeld"), ("alt-sozial", "Sozialamt"), ("alt-kfz", "Kfz-Stelle")]
):
    department = Department.objects.create(
        slug=slug, name=name, position=300 + position, holiday_country="",
        accepts_callbacks=slug == "alt-wohngeld",
    )
    # Every day 00:00-23:59: within the hours whenever the test runs, and a day's hours end.
    OpeningHours.objects.bulk_create(
        OpeningHours(department=department, weekday=day, opens_minute=0, closes_minute=1439)
        for day in range(7)
    )
    departments[slug] = department
wohngeld = departments["alt-wohngeld"]
wohngeld.related_departments.set([departments["alt-sozial"], departments["alt-kfz"]])
BookingSettings.objects.create(
    department=wohngeld, slot_rhythm_minutes=30, min_notice_minutes=60, horizon_days=14
)
AppointmentKind.objects.create(department=wohngeld, name="Wohngeldberatung", duration_minutes=30)
for username, first, slug in [("wanda", "Wanda", "alt-wohngeld"), ("sofia", "Sofia", "alt-sozial")]:
    user = get_user_model().objects.create_user(username, password=PASSWORD, first_name=first)
    StaffProfile.objects.create(user=user).departments.set([departments[slug]])
"""
PHONE = "+49301234567"


@pytest.fixture(scope="module")
def alternatives_server(tmp_path_factory):
    server = OfficeServer(
        tmp_path_factory.mktemp("e2e-alternatives"), {"CONSOLE_RELEASE_SECONDS": "2"}
    )
    manage(server.env, "shell", "-c", f"PASSWORD = {PASSWORD!r}\n" + DATA)
    server.start()
    yield server
    server.close("e2e-alternatives")


@pytest.fixture
def office_page(new_page, alternatives_server):
    def make(**options) -> Page:
        page = new_page(base_url=alternatives_server.url, **options)
        return page

    return make


def callback_rows(server) -> int:
    script = (
        "from buergerbuero.waiting.models import CallbackRequest; "
        "print(CallbackRequest.objects.count())"
    )
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", script],
        env=server.env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout.strip().splitlines()[-1])


FOCUSED = "document.activeElement.id"


def german(page: Page) -> Page:
    page.goto("/")
    switch_language(page, "de")
    return page


def test_unstaffed_office_offers_alternatives_and_a_callback_staff_complete(
    office_page, alternatives_server
):
    sofia, wanda = office_page(), office_page()
    citizen = german(office_page())
    sign_in(sofia, "sofia")
    serve(sofia, "Sozialamt")
    expect(line(sofia, "alt-sozial").locator(".status")).to_have_text("Open – free")
    # Wanda is signed in but not available: Wohngeld is within its hours, and unstaffed.
    sign_in(wanda, "wanda")
    expect(wanda.locator("#callback-requests")).to_have_count(0)

    citizen.goto("/fachbereich/alt-wohngeld/")
    now_box = citizen.locator(".now-box")
    expect(now_box.locator("> .status")).to_have_text("Gerade niemand erreichbar")
    expect(now_box.locator(".staffed-next")).to_have_text(
        "Innerhalb der Öffnungszeiten, aber im Moment ist niemand aus diesem Büro erreichbar. "
        "Es kann jederzeit wieder jemand da sein."
    )
    expect(now_box).to_contain_text("Die heutigen Öffnungszeiten laut Plan enden um 23:59.")
    slots = citizen.get_by_role("list", name="Nächste freie Termine").get_by_role("link")
    expect(slots).to_have_count(3)
    expect(slots.first).to_contain_text("(Wohngeldberatung)")
    # Only the related department open now, with its live status words.
    expect(citizen.locator(".related-open li")).to_have_text(["Sozialamt: Geöffnet – frei"])
    assert_accessible(citizen, "department page, unstaffed, German")

    # A wrong number: the errors are listed, linked to their field, and focused.
    form = citizen.locator(".callback-form")
    form.get_by_label("Ihre Telefonnummer").fill("12")
    form.get_by_role("button", name="Rückruf erbitten").click()
    summary = citizen.locator("#error-summary")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name=re.compile("^Ihre Telefonnummer: Bitte geben Sie"))
    link.click()
    assert citizen.evaluate(FOCUSED) == "id_phone"
    expect(citizen.locator("#id_phone")).to_have_attribute("aria-invalid", "true")
    assert_accessible(citizen, "callback form with an error, German")
    citizen.get_by_label("Ihre Telefonnummer").fill("+49 30 123 45 67")
    citizen.get_by_label("Ihr Anliegen (optional)").fill("Wohngeldantrag 2026")
    citizen.get_by_role("button", name="Rückruf erbitten").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Rückruf erbeten")
    expect(citizen.get_by_role("heading", level=1)).to_be_focused()
    expect(citizen.locator(".callback-summary")).to_contain_text(PHONE)
    assert_accessible(citizen, "callback requested, German")

    # Wanda's console shows it without a reload, and says so.
    request = wanda.locator(".callback-request")
    expect(request).to_have_count(1)
    expect(request.locator(".callback-phone")).to_have_text(PHONE)
    expect(request.locator(".callback-topic")).to_have_text("Wohngeldantrag 2026")
    expect(wanda.locator("#console-announce")).to_have_text("New callback request.")
    assert_accessible(wanda, "console with a callback request")
    assert callback_rows(alternatives_server) == 1

    # Called back: marked done, and gone, from the console and from the database.
    request.get_by_role("button", name=f"Called back – delete: {PHONE}").click()
    expect(wanda.locator(".messages")).to_have_text(
        "Callback marked as done; the request is deleted."
    )
    expect(wanda.locator(".callback-request")).to_have_count(0)
    assert callback_rows(alternatives_server) == 0
    citizen.reload()
    expect(citizen.locator(".notice")).to_have_text("Das Büro hat Ihren Rückrufwunsch erledigt.")


def test_the_citizen_withdraws_a_callback_and_the_console_drops_it(
    office_page, alternatives_server
):
    wanda = office_page()
    citizen = german(office_page())
    sign_in(wanda, "wanda")
    citizen.goto("/fachbereich/alt-wohngeld/rueckruf/")
    citizen.get_by_label("Ihre Telefonnummer").fill("+49 30 123 45 67")
    citizen.get_by_role("button", name="Rückruf erbitten").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Rückruf erbeten")
    request = wanda.locator(".callback-request")
    expect(request).to_have_count(1)

    citizen.get_by_role("button", name="Meinen Rückrufwunsch zurückziehen").click()
    expect(citizen.locator(".notice")).to_have_text(
        "Sie haben Ihren Rückrufwunsch zurückgezogen. Ihre Telefonnummer wurde gelöscht."
    )
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Rückrufwunsch zurückgezogen")
    expect(citizen.get_by_role("heading", level=1)).to_be_focused()
    expect(citizen.locator(".callback-summary")).to_have_count(0)
    assert_accessible(citizen, "callback withdrawn, German")
    # Gone from Wanda's console without a reload, said in its live region, and gone from
    # the database.
    expect(request).to_have_count(0)
    expect(wanda.locator("#console-announce")).to_have_text(
        "A citizen has withdrawn their callback request."
    )
    assert callback_rows(alternatives_server) == 0


def test_a_callback_asked_for_while_the_console_was_offline_shows_when_it_is_back(
    office_page, alternatives_server
):
    """Wanda's network drops; a citizen asks for a callback meanwhile, announced to no
    console of hers. When her console's socket is back, the request is in her list and
    said in its live region (also the moment between a console's rendering and its
    socket's opening)."""
    wanda = office_page()
    citizen = german(office_page())
    sockets = {"down": False, "current": None}

    def route(ws) -> None:
        if sockets["down"]:
            ws.close(code=1006)  # the office cannot be reached for now
            return
        ws.connect_to_server()
        sockets["current"] = ws

    wanda.route_web_socket(re.compile(r"/ws/konsole/$"), route)
    sign_in(wanda, "wanda")
    # (Playwright hands the socket to `route` while this test waits on the page.)
    expect(wanda.locator("#queue-empty")).to_be_visible()  # the socket's first snapshot
    expect(wanda.locator(".callback-request")).to_have_count(0)

    sockets["down"] = True
    sockets["current"].close(code=1006)
    citizen.goto("/fachbereich/alt-wohngeld/rueckruf/")
    citizen.get_by_label("Ihre Telefonnummer").fill("+49 30 765 43 21")
    citizen.get_by_role("button", name="Rückruf erbitten").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Rückruf erbeten")
    assert callback_rows(alternatives_server) == 1
    expect(wanda.locator(".callback-request")).to_have_count(0)

    sockets["down"] = False
    expect(wanda.locator(".callback-request")).to_have_count(1, timeout=20_000)
    expect(wanda.locator("#console-announce")).to_have_text("New callback request.")
    citizen.get_by_role("button", name="Meinen Rückrufwunsch zurückziehen").click()
    expect(wanda.locator(".callback-request")).to_have_count(0)


def test_waiting_room_offers_alternatives_when_staff_step_away(office_page):
    sofia, wanda = office_page(), office_page()
    citizen = german(office_page())
    sign_in(sofia, "sofia")
    serve(sofia, "Sozialamt")
    expect(line(sofia, "alt-sozial").locator(".status")).to_have_text("Open – free")
    sign_in(wanda, "wanda")
    serve(wanda, "Wohngeld")
    # Her presence is stored when her console shows the office open.
    expect(line(wanda, "alt-wohngeld").locator(".status")).to_have_text("Open – free")

    citizen.goto("/fachbereich/alt-wohngeld/anklopfen/")
    expect(citizen.locator("#device-message")).to_have_text("Kamera und Mikrofon funktionieren.")
    citizen.get_by_label("Ihr Name").fill("Ada Apfel")
    citizen.get_by_role("button", name="Anklopfen").click()
    expect(citizen.locator("#queue-position")).to_have_text("Sie sind als Nächstes an der Reihe.")
    expect(citizen.locator("#waiting-alternatives")).to_be_hidden()

    serve(wanda, "Wohngeld", "Paused")
    section = citizen.get_by_role("region", name="Was Sie in der Zwischenzeit tun können")
    expect(section).to_be_visible()
    expect(section.locator(".staffed-next")).to_contain_text(
        "im Moment ist niemand aus diesem Büro"
    )
    expect(section.locator(".related-open li")).to_have_text(["Sozialamt: Geöffnet – frei"])
    expect(section.locator(".next-slots a")).to_have_count(3)
    expect(section.get_by_role("link", name="Rückruf erbitten")).to_have_attribute(
        "href", "/fachbereich/alt-wohngeld/rueckruf/"
    )
    assert_accessible(citizen, "waiting room with alternatives, German")

    # Back at the desk: the offer goes, the place stays.
    serve(wanda, "Wohngeld")
    expect(citizen.locator("#waiting-alternatives")).to_be_hidden()
    expect(citizen.locator("#queue-position")).to_have_text("Sie sind als Nächstes an der Reihe.")


def test_alternatives_in_english_are_accessible_and_reflow(office_page):
    citizen = office_page(viewport={"width": 320, "height": 640})

    # Wanda's console of the test before is released within seconds of closing.
    for _attempt in range(30):
        citizen.goto("/fachbereich/alt-wohngeld/")
        if citizen.locator(".now-box > .status").text_content() == "Nobody available right now":
            break
        citizen.wait_for_timeout(500)
    expect(citizen.locator(".now-box > .status")).to_have_text("Nobody available right now")
    expect(citizen.get_by_role("heading", name="Ask for a callback")).to_be_visible()
    assert horizontal_overflow(citizen) == []
    assert_accessible(citizen, "department page, unstaffed, English, 320 px")

    citizen.goto("/fachbereich/alt-wohngeld/rueckruf/")
    citizen.get_by_role("button", name="Ask for a callback").click()
    expect(citizen.locator("#error-summary")).to_be_focused()
    expect(citizen.locator("#error-summary li")).to_have_text(
        ["Your telephone number: This field is required."]
    )
    assert horizontal_overflow(citizen) == []
    assert_accessible(citizen, "callback form with an error, English, 320 px")
