"""axe-core on the administration pages that test_administration does not reach, and one
administration form filled and sent by keyboard alone; and the console of a member whose
access an administrator just withdrew.

Pages: security settings, department edit, staff list and edit, the confirmation pages
(suspend, remove, deactivate, closure remove), forgot password and set password (each
also with its errors shown).
"""

import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ..server import ROOT, manage
from .accessibility import assert_accessible, axe_violations
from .conftest import OfficeServer
from .flows import PASSWORD
from .test_console_team import TEAM_DATA, sign_in

pytestmark = pytest.mark.e2e
SLOW = 30_000  # seven test runs may share two cores
ADMIN = "it@kreis.example"
ADMIN_PASSWORD = "admin-password-for-the-a11y-test"
CLOSURE = """
from datetime import timedelta

from buergerbuero.departments.models import Closure, Department
from django.utils import timezone

start = timezone.now() + timedelta(days=30)
Closure.objects.create(
    department=Department.objects.get(slug="team-d"),
    starts_at=start,
    ends_at=start + timedelta(hours=8),
    reason="Betriebsausflug",
)
"""
SET_LINK = """
from buergerbuero.staff.accounts import set_link_path
from django.contrib.auth import get_user_model

print(set_link_path(get_user_model().objects.get(username="bernd")))
"""


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory):
    var = tmp_path_factory.mktemp("e2e-admin-a11y")
    server = OfficeServer(var, {"CONSOLE_RELEASE_SECONDS": "2"})
    manage(server.env, "shell", "-c", f"PASSWORD = {PASSWORD!r}\n" + TEAM_DATA + CLOSURE)
    secret = Path(var) / "admin-password"
    secret.write_text(ADMIN_PASSWORD + "\n")
    manage(server.env, "create_administrator", ADMIN, "--password-file", str(secret))
    server.start()
    yield server
    server.close("e2e-admin-a11y")


@pytest.fixture
def admin_page(new_page, admin_server):
    def make(**options) -> Page:
        page = new_page(base_url=admin_server.url, **options)
        page.set_default_timeout(SLOW)
        return page

    return make


def sign_in_as_administrator(page: Page) -> None:
    page.goto("/konsole/anmelden/?next=/konsole/verwaltung/")
    page.get_by_label("User name").fill(ADMIN)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()


def focused(page: Page) -> str:
    return page.evaluate(
        "document.activeElement.id || document.activeElement.getAttribute('name')"
        " || document.activeElement.textContent.trim()"
    )


def tab_to(page: Page, target: str, limit: int = 40) -> int:
    """Tab until the element with id (or name, or text) `target` has focus; the presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if focused(page) == target:
            return presses
    raise AssertionError(f"{target} not reached in {limit} Tab presses; at {focused(page)}")


def test_administration_pages_are_accessible(admin_page, admin_server):
    admin = admin_page()
    sign_in_as_administrator(admin)
    found: list[str] = []

    def check(state: str) -> None:
        found.extend(axe_violations(admin, state))

    admin.get_by_role("link", name="Security").click()
    expect(admin.get_by_role("heading", name="Security settings")).to_be_visible()
    check("security settings")

    admin.goto("/konsole/verwaltung/")
    admin.get_by_role("link", name="Edit Antrag").click()
    expect(admin.get_by_role("heading", name="Edit Antrag")).to_be_visible()
    check("department edit")
    admin.goto("/konsole/verwaltung/")
    admin.get_by_role("link", name="Deactivate Antrag").click()
    check("confirm: deactivate a department")
    admin.goto("/konsole/verwaltung/")
    admin.get_by_role("link", name="Closures of Dokumente").click()
    admin.get_by_role("link", name="Remove").click()
    check("confirm: remove a closure")

    admin.get_by_role("link", name="Staff", exact=True).click()
    expect(admin.get_by_role("link", name="Suspend bernd")).to_be_visible()
    check("staff list")
    admin.get_by_role("link", name="Departments and roles of bernd").click()
    check("staff edit")
    admin.go_back()
    admin.get_by_role("link", name="Remove bernd").click()
    check("confirm: remove a member")

    citizen_side = admin_page()
    citizen_side.goto("/konsole/anmelden/")
    citizen_side.get_by_role("link", name="Forgot your password?").click()
    expect(citizen_side.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    found.extend(axe_violations(citizen_side, "forgot password"))
    citizen_side.get_by_role("button", name="Send link").click()
    expect(citizen_side.locator("#error-summary")).to_be_focused()
    found.extend(axe_violations(citizen_side, "forgot password with errors"))

    link = (
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "shell", "-c", SET_LINK],
            env=admin_server.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    citizen_side.goto(link)
    send = citizen_side.get_by_role("button", name="Set password")
    expect(send).to_be_visible()
    found.extend(axe_violations(citizen_side, "set password"))
    send.click()
    expect(citizen_side.locator("#error-summary")).to_be_focused()
    found.extend(axe_violations(citizen_side, "set password with errors"))

    assert found == [], "axe-core found WCAG 2.1 AA violations:\n" + "\n".join(found)


def test_a_department_is_edited_by_keyboard_alone(admin_page):
    admin = admin_page()
    sign_in_as_administrator(admin)
    admin.goto("/konsole/verwaltung/fachbereiche/team-c/")
    expect(admin.get_by_role("heading", name="Edit Chronik")).to_be_visible()

    # From the top of the page to the name, emptied, and sent with Enter.
    tab_to(admin, "id_name")
    admin.keyboard.press("Control+A")
    admin.keyboard.press("Delete")
    admin.keyboard.press("Enter")
    # The summary has focus and links to the field; following the link lands in it.
    summary = admin.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(admin.get_by_label("Name", exact=True)).to_have_attribute("aria-invalid", "true")
    assert_accessible(admin, "department edit with an error, by keyboard")
    admin.keyboard.press("Tab")
    assert admin.evaluate("document.activeElement.getAttribute('href')") == "#id_name"
    admin.keyboard.press("Enter")
    expect(admin.get_by_label("Name", exact=True)).to_be_focused()
    admin.keyboard.type("Chronik und Archiv")
    # On to the form's button, and sent with Space.
    tab_to(admin, "Save")
    admin.keyboard.press("Space")
    expect(admin.get_by_text("Department saved.")).to_be_visible()
    expect(admin.get_by_role("heading", name="Edit Chronik und Archiv")).to_be_visible()


def test_a_suspended_members_console_says_so_accessibly(admin_page):
    bernd = admin_page()
    sign_in(bernd, "bernd")
    admin = admin_page()
    sign_in_as_administrator(admin)
    admin.goto("/konsole/verwaltung/mitarbeitende/")
    admin.get_by_role("link", name="Suspend bernd").click()
    check = axe_violations(admin, "confirm: suspend a member")
    admin.locator("form button.primary").click()
    expect(bernd.locator("#console-status")).to_have_text(
        "Your access has changed. Please sign in again.", timeout=SLOW
    )
    expect(bernd.get_by_label("Available")).to_be_disabled()
    expect(bernd.locator(".queue-entry")).to_have_count(0)
    assert_accessible(bernd, "console, access changed")
    assert check == [], "\n".join(check)
