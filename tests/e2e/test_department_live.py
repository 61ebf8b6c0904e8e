"""A department's page keeps its "Right now" live: the way to the waiting room comes and
goes with the staff, without a reload (department-now.js)."""

import re

import pytest
from playwright.sync_api import expect

from .accessibility import assert_accessible
from .flows import OFFICE, set_presence, staff_login

pytestmark = pytest.mark.e2e


def test_the_way_to_the_waiting_room_comes_and_goes_with_the_staff(new_page):
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    citizen = new_page()
    citizen.goto(f"/fachbereich/{OFFICE}/")
    status = citizen.locator("#now-status")
    way_in = citizen.get_by_role("link", name="Go to the waiting room")
    expect(status).to_have_text("Open – free")
    expect(way_in).to_be_visible()

    # The last staff member goes: within opening hours, so "nobody available", and what
    # the citizen can do instead, as the page says when loaded that way.
    staff.get_by_label("Offline").check()
    expect(status).to_have_text("Nobody available right now")
    expect(way_in).to_be_hidden()
    expect(citizen.locator("#now-alternatives")).to_contain_text(
        "Within opening hours, but nobody from this office is available at the moment."
    )
    assert_accessible(citizen, "department page, turned unstaffed live")

    # Back: the way in is there again, said in the status line (a live region).
    staff.get_by_label("Available").check()
    expect(status).to_have_text("Open – free")
    expect(status).to_have_attribute("role", "status")
    expect(citizen.locator("#now-alternatives")).to_be_hidden()
    way_in.click()
    expect(citizen).to_have_url(re.compile(r"/anklopfen/$"))
