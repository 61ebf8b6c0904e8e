"""A department lead reads the statistics with the keyboard alone: no axe violation, the
period chosen and shown without a mouse, the charts and their table there."""

import re

import pytest
from playwright.sync_api import expect

from .accessibility import assert_accessible, screenshot
from .flows import staff_login
from .test_keyboard import by_label, tab_to

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_lead_reads_the_statistics_by_keyboard(new_page, scheme):
    lead = new_page(color_scheme=scheme)
    staff_login(lead, "e2e-lead")
    tab_to(lead, by_label("Statistics"))
    lead.keyboard.press("Enter")
    expect(
        lead.get_by_role("heading", name="Statistics of my departments", level=1)
    ).to_be_visible()
    assert_accessible(lead, f"statistics of all departments/{scheme}")

    tab_to(lead, by_label("E2E Office"))
    lead.keyboard.press("Enter")
    expect(lead.get_by_role("heading", name="Statistics: E2E Office")).to_be_visible()
    charts = lead.get_by_role("img")
    expect(charts).to_have_count(2)
    expect(charts.first).to_have_accessible_name(re.compile(r"^Consultations"))
    # Seeded: consultations on seven earlier days (server_data.py); today's bar too once
    # the ticker has counted the consultations of earlier tests.
    lead.wait_for_function(
        "document.querySelector('svg.bar-chart').querySelectorAll('rect.bar').length >= 7"
    )
    assert lead.locator("svg.bar-chart").first.locator("rect.bar").count() in (7, 8)
    table = lead.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(31)
    assert_accessible(lead, f"statistics of one department/{scheme}")
    screenshot(lead, f"statistics-{scheme}")

    tab_to(lead, lambda focused: focused["id"] == "period")
    lead.keyboard.press("ArrowDown")  # the next choice: per week
    tab_to(lead, by_label("Show"))
    lead.keyboard.press("Enter")
    expect(lead).to_have_url(re.compile(r"zeitraum=12w"))
    expect(lead.get_by_label("Period")).to_have_value("12w")
    expect(table.get_by_role("row")).to_have_count(13)
    # The wide table scrolls in a region of its own, which the keyboard reaches.
    region = tab_to(lead, lambda focused: focused["tag"] == "div")
    assert region["label"].startswith("Period Knocks Admitted")
    assert_accessible(lead, f"statistics per week/{scheme}")
