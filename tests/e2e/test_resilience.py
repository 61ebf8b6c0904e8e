"""A reload, a dropped connection or a server restart loses no waiting citizen."""

import re

import pytest
from playwright.sync_api import expect

from .flows import knock, set_presence, staff_login, wait_for_media

pytestmark = pytest.mark.e2e


def test_waiting_citizen_survives_a_server_restart(own_server, new_page):
    server = own_server()
    staff = new_page(base_url=server.url)
    citizen = new_page(base_url=server.url)
    staff_login(staff)
    set_presence(staff, "Available")
    knock(citizen, "Jana Neustart")
    expect(citizen.locator("#queue-position")).to_have_text("You are next.")

    server.stop()
    expect(citizen.locator("#office-note")).to_contain_text("Connection lost – reconnecting.")
    server.start()

    # Both sides come back by themselves; the queue was in the database.
    expect(citizen.locator("#queue-position")).to_have_text("You are next.", timeout=20_000)
    expect(citizen.locator("#office-note")).to_be_hidden(timeout=30_000)
    entry = staff.locator(".queue-entry", has_text="Jana Neustart")
    # The console marked her connection lost while the server was away, and unmarks it
    # once her waiting room is back (admitting a citizen marked so asks first).
    expect(entry).not_to_have_class(re.compile(r"\bgone\b"), timeout=20_000)
    entry.get_by_role("button", name="Admit: Jana Neustart").click(timeout=20_000)
    expect(citizen).to_have_url(re.compile(r"/gespraech/[\w-]+/$"))
    wait_for_media(citizen, 1)
    wait_for_media(staff, 1)


def test_place_expires_only_after_the_grace_period(own_server, new_page):
    server = own_server({"QUEUE_GRACE_SECONDS": "3"})
    staff = new_page(base_url=server.url)
    staff_login(staff)
    set_presence(staff, "Available")
    leaving, staying = new_page(base_url=server.url), new_page(base_url=server.url)
    knock(leaving, "Geht Weg")
    knock(staying, "Bleibt Da")
    expect(staying.locator("#queue-position")).to_have_text("You are number 2 in the queue.")

    # The first citizen's browser goes away for good (tab closed, no "leave").
    leaving.context.close()
    # The sweeper runs every ten seconds; after grace + sweep the place is given up.
    expect(staying.locator("#queue-position")).to_have_text("You are next.", timeout=20_000)
    expect(staff.locator(".queue-entry", has_text="Geht Weg")).to_have_count(0)
    expect(staff.locator(".queue-entry", has_text="Bleibt Da")).to_have_count(1)
