"""The county's IT connects its directory, as they would: an administrator maps the group
of Wohngeld's leads to the lead role, and a member of that group signs in on the normal
login page (LDAP, a real slapd) or with the county's account (OpenID Connect, a real
oidc-provider, authorisation code flow with PKCE) and lands in the console as lead of
Wohngeld. Logging out ends the session at the provider too; a directory that is down is
named on the login page while local accounts keep working."""

from datetime import datetime, timedelta

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from ..directory.servers import (
    OIDC_USERS,
    PASSWORD,
    OidcProvider,
    Slapd,
    group_dn,
)
from ..server import manage
from .accessibility import assert_accessible
from .conftest import OfficeServer
from .test_administration import BERLIN, SCHEDULE, shows_closed_tomorrow

pytestmark = pytest.mark.e2e

ADMIN_PASSWORD = "it-admin-pw-for-tests-321"
MAKE_ADMIN = f"""
from django.contrib.auth import get_user_model
from buergerbuero.staff.models import StaffProfile
user = get_user_model().objects.create_user("it-admin", password="{ADMIN_PASSWORD}")
StaffProfile.objects.create(user=user, is_administrator=True)
"""
APP_KEY = "3132333435363738393031323334353637383930"
ADD_APP = """
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
TOTPDevice.objects.create(
    user=get_user_model().objects.get(username="{user}"), name="app", confirmed=True, key="{key}"
)
"""
DEPARTMENT = "Wohngeldschein"
SLUG = "wohngeldschein"


class County:
    def __init__(self, tmp_path):
        self.office = OfficeServer(tmp_path / "office")
        self.slapd = Slapd(tmp_path / "slapd")
        self.provider = OidcProvider(
            tmp_path / "oidc.log",
            redirect_uris=[self.office.url + "/konsole/anmelden/landkreis/zurueck/"],
            logout_uris=[self.office.url + "/konsole/anmelden/"],
        )
        # The office's process reads these at start (docs/administration-directory.md).
        self.office.env.update(self.slapd.env())
        self.office.env.update(self.provider.env())
        manage(self.office.env, "shell", "-c", MAKE_ADMIN)


@pytest.fixture
def county(tmp_path):
    county = County(tmp_path)
    county.slapd.start()
    county.provider.start()
    county.office.start()
    try:
        yield county
    finally:
        county.provider.stop()
        county.slapd.stop()
        county.office.close("e2e-directory")


@pytest.fixture
def person(browser, county):
    """A browser of its own per person; nothing leaves this machine (the provider's
    development pages would ask for a web font)."""
    contexts = []

    def make():
        context = browser.new_context(base_url=county.office.url, locale="en-US")
        context.set_default_timeout(15_000)
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith("http://127.0.0.1:")
                else route.abort()
            ),
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def log_in(page, username, password, then=""):
    page.goto("/konsole/anmelden/" + (f"?next={then}" if then else ""))
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def add_mapping(page, directory, group):
    page.get_by_label("Directory", exact=True).select_option(label=directory)
    page.get_by_label("Group", exact=True).fill(group)
    page.get_by_label("Department").select_option(label=DEPARTMENT)
    page.get_by_label("Role").select_option(label="department lead")
    page.get_by_role("button", name="Add mapping").click()
    expect(page.get_by_text("The mapping was added.")).to_be_visible()


def lands_as_lead_of_wohngeld(page):
    expect(page.get_by_role("heading", name="Staff console")).to_be_visible()
    links = page.locator("a", has_text="Appointments:")
    expect(links).to_have_text([f"Appointments: {DEPARTMENT}"])
    page.goto(f"/konsole/termine/{SLUG}/einstellungen/")
    expect(
        page.get_by_role("heading", name=f"Appointment settings: {DEPARTMENT}", level=1)
    ).to_be_visible()


def test_county_it_connects_ldap_and_oidc(county, person):
    admin = person()
    # An administrator serves no department: straight to the directory page.
    log_in(admin, "it-admin", ADMIN_PASSWORD, then="/konsole/verzeichnis/")
    expect(admin.get_by_text("No groups are mapped yet")).to_be_visible()
    assert_accessible(admin, "directory-mappings-empty")
    # A mistake first: neither a group nor a department.
    admin.get_by_role("button", name="Add mapping").click()
    summary = admin.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(admin.get_by_label("Group", exact=True)).to_have_attribute(
        "aria-describedby", "id_group-error id_group-help"
    )
    assert_accessible(admin, "directory-mappings-errors")
    add_mapping(admin, "LDAP / Active Directory", group_dn("wohngeld-leitung"))
    add_mapping(admin, "OpenID Connect", "/wohngeld-leitung")
    rows = admin.locator("table.mapping-table tbody tr")
    expect(rows).to_have_count(2)
    assert_accessible(admin, "directory-mappings")

    # Anna is in cn=wohngeld-leitung in the LDAP directory.
    anna = person()
    log_in(anna, "anna", PASSWORD)
    lands_as_lead_of_wohngeld(anna)

    # Olga is in /wohngeld-leitung at the county's OpenID Connect provider.
    olga = person()
    olga.goto("/konsole/anmelden/")
    olga.get_by_role("link", name="Sign in with the county's account").click()
    olga.locator("input[name=login]").fill("olga")
    olga.locator("input[name=password]").fill("any")
    olga.get_by_role("button", name="Sign-in").click()
    olga.get_by_role("button", name="Continue").click()  # consent
    lands_as_lead_of_wohngeld(olga)
    olga.goto("/konsole/")
    olga.get_by_role("button", name="Log out").click()
    olga.get_by_role("button", name="Yes, sign me out").click()
    expect(olga.get_by_role("heading", name="Staff login")).to_be_visible()
    # The provider's session ended too: it asks for the sign-in again.
    olga.get_by_role("link", name="Sign in with the county's account").click()
    expect(olga.locator("input[name=login]")).to_be_visible()

    # Olga sets up an authenticator app: after the provider, the office asks its code.
    manage(county.office.env, "shell", "-c", ADD_APP.format(user="olga", key=APP_KEY))
    olga.locator("input[name=login]").fill("olga")
    olga.locator("input[name=password]").fill("any")
    olga.get_by_role("button", name="Sign-in").click()
    code_page = olga.get_by_role("heading", name="Code from your authenticator app")
    consent = olga.get_by_role("button", name="Continue")
    expect(code_page.or_(consent)).to_be_visible()
    if consent.is_visible():
        consent.click()
    expect(code_page).to_be_visible()
    assert_accessible(olga, "directory-code")
    olga.get_by_label("Code shown by the app").fill(f"{totp(bytes.fromhex(APP_KEY)):06d}")
    olga.get_by_role("button", name="Continue").click()
    lands_as_lead_of_wohngeld(olga)

    # Paul's group is mapped to nothing: refused, with the reason.
    paul = person()
    paul.goto("/konsole/anmelden/")
    paul.get_by_role("link", name="Sign in with the county's account").click()
    paul.locator("input[name=login]").fill("paul")
    paul.locator("input[name=password]").fill("any")
    paul.get_by_role("button", name="Sign-in").click()
    paul.get_by_role("button", name="Continue").click()
    expect(paul.get_by_role("heading", name="Staff login")).to_be_visible()
    expect(paul.get_by_text("Your directory account is not in any group")).to_be_visible()
    assert set(OIDC_USERS) == {"olga", "paul"}

    # The directory goes down: directory accounts are told so, local ones still sign in.
    county.slapd.stop()
    anna_again = person()
    log_in(anna_again, "anna", PASSWORD)
    expect(anna_again.get_by_text("The directory is not reachable at the moment")).to_be_visible()
    assert_accessible(anna_again, "login-directory-down")
    local = person()
    log_in(local, "it-admin", ADMIN_PASSWORD, then="/konsole/verzeichnis/")
    expect(local.get_by_role("heading", name="Directory groups")).to_be_visible()


def sign_in_at_the_provider(page, login):
    page.goto("/konsole/anmelden/")
    page.get_by_role("link", name="Sign in with the county's account").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()  # consent
    expect(page.get_by_role("heading", name="Staff console")).to_be_visible()


def fill_hours(page, hours):
    for day, ranges in hours.items():
        for number, (opens, closes) in enumerate(ranges, 1):
            page.get_by_label(f"{day}, range {number}, from").fill(opens)
            page.get_by_label(f"{day}, range {number}, until").fill(closes)
    page.get_by_role("button", name="Save opening hours").click()
    expect(page.get_by_text("Opening hours saved.")).to_be_visible()


def test_directory_leads_set_up_their_department(county, person):
    """The issue's story through the directory: the administrator creates Bauamt and adds
    its two leads by their county accounts (Anna in LDAP, Olga at the OpenID Connect
    provider, by e-mail; neither group is mapped). Anna signs in through LDAP, gives the
    hours in HH:MM and closes tomorrow; Olga signs in at the provider and adds Wednesday
    morning. The public page shows tomorrow closed and the right next opening each time."""
    admin = person()
    log_in(admin, "it-admin", ADMIN_PASSWORD, then="/konsole/verwaltung/")
    admin.get_by_role("link", name="New department").click()
    admin.get_by_label("Name").fill("Bauamt")
    admin.get_by_label("Web address").fill("bauamt")
    admin.get_by_role("button", name="Create department").click()
    expect(admin.get_by_role("heading", name="Opening hours of Bauamt")).to_be_visible()
    for name, directory, account in (
        ("Anna Leitner", "LDAP / Active Directory", "anna"),
        ("Olga Oberhaupt", "OpenID Connect", "olga@kreis.test"),
    ):
        admin.goto("/konsole/verwaltung/mitarbeitende/neu/")
        admin.get_by_label("Name", exact=True).fill(name)
        # The directory's fields appear for a county account only.
        expect(admin.get_by_label("Directory account")).to_be_hidden()
        admin.get_by_label("County account (directory): signs in through the directory").check()
        expect(admin.get_by_label("Directory account")).to_be_visible()
        admin.get_by_label("Directory", exact=True).select_option(label=directory)
        admin.get_by_label("Directory account").fill(account)
        admin.get_by_label("Bauamt", exact=True).select_option("lead")
        if account == "anna":
            assert_accessible(admin, "administration-add-directory-member")
        admin.get_by_role("button", name="Add staff member").click()
        expect(
            admin.get_by_text(
                f"{account} was added. They sign in with their county account and get the "
                "roles given here."
            )
        ).to_be_visible()
    expect(admin.get_by_text("County account (directory)")).to_have_count(2)

    # Retention for the new department: a mistake named at its field, then saved.
    admin.get_by_role("link", name="Retention", exact=True).click()
    admin.get_by_role("link", name="Retention of Bauamt").click()
    admin.get_by_label("Bookings: days after the appointment").fill("99999")
    admin.get_by_role("button", name="Save").click()
    expect(admin.locator("#error-summary")).to_be_focused()
    expect(admin.locator("#error-summary li")).to_have_text(
        [
            "Bookings: days after the appointment: At most 3650 days (ten years). Leave it "
            "empty for the default."
        ]
    )
    assert_accessible(admin, "administration-retention-error")
    admin.get_by_label("Bookings: days after the appointment").fill("90")
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("Retention periods of Bauamt saved.")).to_be_visible()
    expect(admin.get_by_role("row", name="Bauamt")).to_contain_text("90 *")
    assert_accessible(admin, "administration-retention")

    anna = person()
    log_in(anna, "anna", PASSWORD, then="/konsole/verwaltung/")
    expect(anna.get_by_role("heading", name="Administration")).to_be_visible()
    anna.get_by_role("link", name="Opening hours of Bauamt").click()
    fill_hours(
        anna,
        {
            "Monday": [("08:00", "12:00")],
            "Tuesday": [("08:00", "12:00")],
            "Thursday": [("08:00", "12:00"), ("14:00", "18:00")],
        },
    )
    anna.goto("/konsole/verwaltung/")
    anna.get_by_role("link", name="Closures of Bauamt").click()
    tomorrow = datetime.now(BERLIN).date() + timedelta(days=1)
    anna.get_by_label("From").fill(f"{tomorrow.isoformat()}T00:00")
    anna.get_by_label("Until").fill(f"{(tomorrow + timedelta(days=1)).isoformat()}T00:00")
    anna.get_by_role("button", name="Add closure").click()
    expect(anna.get_by_text("Closure saved.")).to_be_visible()
    citizen = person()
    shows_closed_tomorrow(citizen, "bauamt", tomorrow)

    olga = person()
    sign_in_at_the_provider(olga, "olga")
    olga.goto("/konsole/verwaltung/")
    olga.get_by_role("link", name="Opening hours of Bauamt").click()
    expect(olga.get_by_label("Thursday, range 2, until")).to_have_value("18:00")
    fill_hours(olga, {"Wednesday": [("09:00", "11:00")]})
    shows_closed_tomorrow(citizen, "bauamt", tomorrow, {**SCHEDULE, 2: [(540, 660)]})
