"""Passing a citizen on, and a citizen answering the office, as staff and citizen see it.

Anna serves Bauamt (and the team's other departments), Bernd serves Antrag. Ada knocked at
Bauamt before Bob knocked at Antrag; Anna passes Ada on to Antrag with a note: Bernd sees
her first, with the note, and Ada's page says where she is now. Bernd asks Ada for her
file number; she answers from the waiting room, and the answer appears under her entry.
"""

import pytest
from playwright.sync_api import Page, expect

from ..server import manage
from .accessibility import assert_accessible
from .conftest import OfficeServer
from .flows import PASSWORD
from .test_console_team import TEAM_DATA, board, knock_at, serve, sign_in


@pytest.fixture(scope="module")
def transfer_server(tmp_path_factory):
    server = OfficeServer(tmp_path_factory.mktemp("e2e-transfer"), {"CONSOLE_RELEASE_SECONDS": "2"})
    manage(server.env, "shell", "-c", f"PASSWORD = {PASSWORD!r}\n" + TEAM_DATA)
    server.start()
    yield server
    server.close("e2e-transfer")


@pytest.fixture
def office_page(new_page, transfer_server):
    def make(**options) -> Page:
        return new_page(base_url=transfer_server.url, **options)

    return make


FOCUSED = "document.activeElement.getAttribute('aria-label') || document.activeElement.id"


def test_pass_on_keeps_the_knock_time_and_the_citizen_answers(office_page):
    anna, bernd, ada, bob = office_page(), office_page(), office_page(), office_page()
    sign_in(anna, "anna")
    sign_in(bernd, "bernd")
    serve(anna, "Bauamt")
    serve(bernd, "Antrag")
    knock_at(ada, "team-b", "Ada Apfel")
    knock_at(bob, "team-a", "Bob Birne")
    expect(bernd.locator(".queue-entry .entry-name")).to_have_text(["Bob Birne"])

    # Anna passes Ada on, by keyboard, with a note for the colleague.
    row = anna.locator(".queue-entry", has_text="Ada Apfel")
    row.get_by_role("button", name="Pass on: Ada Apfel").focus()
    anna.keyboard.press("Enter")
    dialog = anna.get_by_role("dialog", name="Pass Ada Apfel on to another department")
    expect(dialog).to_be_visible()
    department = dialog.get_by_label("Department (open now)")
    # Only departments open now, and not her own: Chronik and Dokumente are unstaffed.
    expect(department.locator("option:not([hidden])")).to_have_text(["Antrag"])
    assert anna.evaluate(FOCUSED) == "transfer-department"
    dialog.get_by_label("Note for the colleague (optional):").fill("Needs a registration")
    assert_accessible(anna, "console, pass-on dialog")
    dialog.get_by_role("button", name="Pass on", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(anna.locator("#console-status")).to_have_text("Passed on.")
    # Anna serves Antrag too: Ada stays in her list, and focus is back on Ada's row.
    assert anna.evaluate(FOCUSED) == "Pass on: Ada Apfel"

    # Bernd sees Ada before Bob (she knocked first), with the note.
    expect(bernd.locator(".queue-entry .entry-name")).to_have_text(["Ada Apfel", "Bob Birne"])
    ada_row = bernd.locator(".queue-entry", has_text="Ada Apfel")
    expect(ada_row.locator(".entry-passed-on")).to_have_text(
        "Passed on from Bauamt: Needs a registration"
    )
    expect(ada_row.locator(".entry-department")).to_have_text("Antrag")

    # Ada's page says where she is now; the note was for the colleague only.
    expect(ada.get_by_role("heading", level=1)).to_have_text("Waiting room: Antrag")
    expect(ada.locator("#passed-on")).to_have_text(
        "You have been passed on to Antrag. You keep your place by the time you knocked."
    )
    expect(ada.locator("#queue-position")).to_have_text("You are next.")
    expect(bob.locator("#queue-position")).to_have_text("You are number 2 in the queue.")

    # Bernd asks for the file number; Ada answers; Bernd sees the answer under her entry.
    expect(ada.locator("#reply-form")).to_be_hidden()
    ada_row.get_by_role("button", name="Send message: Ada Apfel").click()
    bernd.locator("#text-dialog-input").fill("Please tell us your file number.")
    bernd.locator("#text-dialog-send").click()
    expect(ada.locator(".staff-message")).to_have_text(
        "Message from the office: Please tell us your file number."
    )
    ada.get_by_label("Your answer to the office (it is not stored):").fill("AZ 4711")
    ada.get_by_role("button", name="Send answer").click()
    expect(ada.locator("#reply-status")).to_have_text("Your answer was sent to the office.")
    expect(ada.locator(".citizen-reply")).to_have_text("You: AZ 4711")
    expect(ada_row.locator(".entry-reply")).to_have_text(["Reply: AZ 4711"])
    expect(bernd.locator("#console-announce")).to_have_text("Reply from Ada Apfel: AZ 4711")
    assert_accessible(bernd, "console with a passed-on citizen and a reply")
    assert_accessible(ada, "waiting room after being passed on, with an answer")
    # Relayed, never stored: a reload of the console forgets it.
    bernd.reload()
    expect(bernd.locator(".queue-entry .entry-name")).to_have_text(["Ada Apfel", "Bob Birne"])
    expect(bernd.locator(".entry-reply")).to_have_count(0)

    # Ada leaves: the way back leads to the department she was passed on to.
    ada.get_by_role("button", name="Leave the queue").click()
    back = ada.get_by_role("link", name="Back to the department")
    expect(back).to_be_visible()
    back.click()
    expect(ada.get_by_role("heading", level=1)).to_have_text("Antrag")


def test_an_answer_the_office_refuses_is_given_back_not_shown_as_sent(office_page):
    """Too many answers in a short time: the refused one is not left in the citizen's list
    as if it had been sent; its words are back in the field, focused, with the office's
    reason read out as the field's description."""
    bernd, cem = office_page(), office_page()
    sign_in(bernd, "bernd")
    serve(bernd, "Antrag")
    cem.goto("/")  # the department open on the public board before Cem knocks there
    expect(board(cem, "team-a")).to_have_text("Open – free")
    knock_at(cem, "team-a", "Cem Cent")
    row = bernd.locator(".queue-entry", has_text="Cem Cent")
    row.get_by_role("button", name="Send message: Cem Cent").click()
    bernd.locator("#text-dialog-input").fill("Anything else we should know?")
    bernd.locator("#text-dialog-send").click()

    field = cem.get_by_label("Your answer to the office (it is not stored):")
    status = cem.locator("#reply-status")
    for n in range(1, 11):  # RATE_REPLY: ten in five minutes
        field.fill(f"Answer {n}")
        cem.get_by_role("button", name="Send answer").click()
        expect(status).to_have_text("Your answer was sent to the office.")
    field.fill("One more thing")
    cem.get_by_role("button", name="Send answer").click()

    refused = "Too many messages in a short time. Please wait a moment."
    expect(status).to_have_text(refused)
    expect(cem.locator(".citizen-reply")).to_have_count(10)
    expect(cem.locator(".citizen-reply").last).to_have_text("You: Answer 10")
    expect(field).to_have_value("One more thing")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(refused)
    cem_row = bernd.locator(".queue-entry", has_text="Cem Cent")
    expect(cem_row.locator(".entry-reply", has_text="Answer 10")).to_have_count(1)
    expect(cem_row.locator(".entry-reply", has_text="One more thing")).to_have_count(0)
    assert_accessible(cem, "waiting room with a refused answer")
