"""The whole story in real browsers: status board, knock, admit, call, screen, interpreter."""

import re

import pytest
from playwright.sync_api import expect

from .flows import (
    OFFICE,
    SENDING_AUDIO_ENERGY,
    knock,
    poll,
    remote_video_aspect,
    set_presence,
    staff_login,
    wait_for_media,
)

pytestmark = pytest.mark.e2e


def test_consultation_from_knock_to_hang_up(new_page):
    citizen = new_page()
    staff = new_page()

    # The overview shows the office closed while nobody is available ...
    citizen.goto("/")
    badge = citizen.locator(f'[data-status-for="{OFFICE}"]')
    expect(badge).to_have_text("Closed")

    # ... and open, without a reload, once a staff member is available.
    staff_login(staff)
    set_presence(staff, "Available")
    expect(badge).to_have_text("Open – free", timeout=2_000)

    knock(citizen, "Aylin Demir", "Antrag 4711")
    expect(citizen.locator("#queue-position")).to_have_text("You are next.")

    # Staff see the knock live and admit.
    entry = staff.locator(".queue-entry", has_text="Aylin Demir")
    expect(entry).to_contain_text("Antrag 4711")
    expect(entry).to_contain_text("Language: English")
    entry.get_by_role("button", name="Admit: Aylin Demir").click()

    expect(staff).to_have_url(re.compile(r"/gespraech/[\w-]+/$"))
    expect(citizen).to_have_url(re.compile(r"/gespraech/[\w-]+/$"))
    assert citizen.url == staff.url

    # Both sides decode the other's video and receive audio.
    wait_for_media(citizen, 1)
    wait_for_media(staff, 1)
    poll(citizen, SENDING_AUDIO_ENERGY)

    # The overview elsewhere now shows the office as busy.
    watcher = new_page()
    watcher.goto("/")
    expect(watcher.locator(f'[data-status-for="{OFFICE}"]')).to_have_text(
        "Open – in a consultation"
    )

    # The citizen shares the screen: 16:9 replaces the 4:3 camera at the staff side.
    assert abs(remote_video_aspect(staff, "Aylin Demir") - 4 / 3) < 0.01
    citizen.get_by_role("button", name="Share screen").click()
    staff.wait_for_function(
        """() => { const v = document.querySelector('video[aria-label="Aylin Demir"]');
                   return v && v.videoHeight && Math.abs(v.videoWidth / v.videoHeight - 16 / 9) < 0.02; }""",
        timeout=10_000,
    )
    expect(staff.locator("[data-peer] .media-state")).to_have_text("(sharing the screen)")

    # A chat message with markup arrives as text.
    citizen.get_by_label("Message").fill("<b>Az.</b> 12-345")
    citizen.get_by_role("button", name="Send", exact=True).click()
    expect(staff.locator("#chat-log")).to_contain_text("<b>Az.</b> 12-345")
    assert staff.locator("#chat-log b").count() == 0

    # Staff invite an interpreter, who joins by the link and sees both others.
    staff.get_by_role("button", name="Invite a third person").click()
    staff.get_by_label("Name of the person (optional)").fill("Dolmetscherin")
    staff.get_by_role("button", name="Create link").click()
    link = staff.get_by_label("Invitation link")
    expect(link).to_have_value(re.compile(r"/einladung/[\w-]{40,}/$"))
    interpreter = new_page()
    interpreter.goto(link.input_value())
    expect(interpreter.get_by_label("Your name")).to_have_value("Dolmetscherin")
    interpreter.get_by_role("button", name="Join").click()
    expect(interpreter).to_have_url(staff.url)
    wait_for_media(interpreter, 2)
    wait_for_media(staff, 2)
    wait_for_media(citizen, 2)

    # The link was single use.
    latecomer = new_page()
    latecomer.goto(link.input_value())
    expect(latecomer.get_by_role("heading")).to_have_text("This invitation link is not valid")

    # Staff end the consultation: the others see it ended; staff are back at the queue.
    staff.get_by_role("button", name="End consultation").click()
    expect(citizen.get_by_role("heading", name="The consultation has ended")).to_be_visible()
    expect(interpreter.get_by_role("heading", name="The consultation has ended")).to_be_visible()
    expect(staff.get_by_role("heading", name="Staff console")).to_be_visible()
    expect(badge).to_have_count(0)  # the citizen's page has moved on
    expect(watcher.locator(f'[data-status-for="{OFFICE}"]')).to_have_text("Open – free")

    for page in (citizen, staff, interpreter):
        assert page.console_errors == []


def test_queue_place_moves_and_decline_is_kind(new_page):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    first, second = new_page(), new_page()
    knock(first, "Erste Person")
    knock(second, "Zweite Person")
    expect(second.locator("#queue-position")).to_have_text("You are number 2 in the queue.")

    # A message to the whole queue reaches both. The console asks in a modal dialog:
    # Escape cancels and gives focus back, an empty text is refused with a message.
    message_all = staff.get_by_role("button", name="Message to everyone waiting")
    message_all.click()
    dialog = staff.get_by_role("dialog", name="Message to everyone waiting for")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Message:")).to_be_focused()
    staff.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(message_all).to_be_focused()
    message_all.click()
    dialog.get_by_role("button", name="Send", exact=True).click()
    expect(dialog.get_by_text("Please enter a message.")).to_be_visible()
    dialog.get_by_label("Message:").fill("About 10 more minutes")
    dialog.get_by_role("button", name="Send", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(first.locator("#staff-messages")).to_contain_text("About 10 more minutes")
    expect(second.locator("#staff-messages")).to_contain_text("About 10 more minutes")

    # The first leaves; the second moves up, live.
    first.get_by_role("button", name="Leave the queue").click()
    expect(first.locator("#final-message")).to_have_text("You have left the queue.")
    expect(second.locator("#queue-position")).to_have_text("You are next.")

    # A reload keeps the place.
    second.reload()
    expect(second.locator("#queue-position")).to_have_text("You are next.")

    # Declined with the staff member's own words.
    staff.get_by_role("button", name="Decline: Zweite Person").click()
    dialog = staff.get_by_role("dialog", name="Decline Zweite Person")
    dialog.get_by_label("Message for the citizen (optional):").fill(
        "Bitte kommen Sie morgen wieder."
    )
    dialog.get_by_role("button", name="Send", exact=True).click()
    expect(second.locator("#final-message")).to_have_text(
        "The office cannot see you today. Bitte kommen Sie morgen wieder."
    )
    expect(staff.locator("#queue-empty")).to_have_text("Nobody is waiting.")
    expect(staff.locator("#queue-empty")).to_be_visible()
    set_presence_offline = staff.get_by_label("Offline")
    set_presence_offline.check()
