"""A place that survives a sleeping tab: a citizen whose page goes to the background and
is then frozen (as a phone suspends a tab it does not show) keeps the place well past the
normal grace, finds it on return, and staff see them as "in the background", never as
present. One called meanwhile may come back in at the front."""

import contextlib
import re

import pytest
from playwright.sync_api import Page, expect

from .accessibility import assert_accessible
from .flows import knock, set_presence, staff_login

pytestmark = pytest.mark.e2e

# Four seconds of normal grace (pings every second; room for a busy machine to load the
# waiting room, which also starts the camera): every place not heard from for
# longer expires at the next sweep, unless its page said it was going to the background.
SHORT_GRACE = {"QUEUE_GRACE_SECONDS": "4", "QUEUE_BACKGROUND_GRACE_SECONDS": "600"}

# What a browser does when the citizen switches to another app: the page turns hidden.
# Headless Chromium never hides a page by itself, so its visibility is overridden.
HIDE = """() => {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
  Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
  document.dispatchEvent(new Event("visibilitychange"));
}"""
SHOW = """() => {
  delete document.visibilityState;
  delete document.hidden;
  document.dispatchEvent(new Event("visibilitychange"));
}"""


# Pages paused by fall_asleep and not woken yet: a test that fails while one sleeps must
# not leave it paused, or closing it waits forever.
SLEEPING: list = []


@pytest.fixture(autouse=True)
def wake_sleepers(new_page):
    """Set up after (so torn down before) the pages: wakes any page a failed test left
    paused."""
    yield
    while SLEEPING:
        session = SLEEPING.pop()
        with contextlib.suppress(Exception):  # the page may be gone already
            session.send("Debugger.resume")


def fall_asleep(page: Page):
    """Hide the page, then stop its JavaScript as a phone's browser suspends a tab it
    does not show: no timers, so no pings, and no message handled until it wakes (the
    socket stays open and holds what arrives). Returns the DevTools session that wakes it.

    The debugger's pause, not Page.setWebLifecycleState "frozen": Chromium ignores that
    for a page it considers visible, and headless pages always are."""
    page.evaluate(HIDE)
    session = page.context.new_cdp_session(page)
    session.send("Debugger.enable")
    session.send("Debugger.pause")
    SLEEPING.append(session)
    return session


def wake_up(page: Page, session, show: bool = True) -> None:
    """`show=False` for a page that leaves at once when it wakes (it follows a call link)."""
    SLEEPING.remove(session)
    session.send("Debugger.resume")
    session.send("Debugger.disable")
    if show:
        page.evaluate(SHOW)


def test_a_sleeping_tab_keeps_its_place_past_the_normal_grace(own_server, new_page):
    server = own_server(SHORT_GRACE)
    staff = new_page(base_url=server.url)
    staff_login(staff)
    set_presence(staff, "Available")
    ahead = new_page(base_url=server.url)
    sleeper = new_page(base_url=server.url)
    knock(ahead, "Geht Weg")
    knock(sleeper, "Schläft Ein")
    expect(sleeper.locator("#queue-position")).to_have_text("You are number 2 in the queue.")

    session = fall_asleep(sleeper)
    row = staff.locator(".queue-entry", has_text="Schläft Ein")
    expect(row.locator(".entry-background")).to_have_text(
        re.compile(r"^In the background for \d:\d\d$")
    )
    expect(row).to_have_class(re.compile(r"\bbackground\b"))
    expect(row.locator(".entry-gone")).to_be_hidden()
    assert_accessible(staff, "console, a citizen in the background")

    # The citizen ahead closes their tab for good: once the sweeper has given up that
    # place, the frozen page has been unheard for longer than the normal grace too.
    ahead.context.close()
    expect(staff.locator(".queue-entry", has_text="Geht Weg")).to_have_count(0, timeout=30_000)
    expect(row.locator(".entry-background")).to_be_visible()

    wake_up(sleeper, session)
    expect(sleeper.locator("#queue-position")).to_have_text("You are next.")
    expect(sleeper.locator("#back-note")).to_have_text("Welcome back – your place was kept.")
    assert_accessible(sleeper, "waiting room, back from the background")
    expect(row.locator(".entry-background")).to_be_hidden()
    expect(row).not_to_have_class(re.compile(r"\bbackground\b"))
    assert (sleeper.console_errors, staff.console_errors) == ([], [])


def sleeper_first_in_line(server, new_page):
    """A staff member available, "Verpasst Anruf" first in the queue and "Kommt Später"
    behind them."""
    staff = new_page(base_url=server.url)
    staff_login(staff)
    set_presence(staff, "Available")
    sleeper = new_page(base_url=server.url)
    later = new_page(base_url=server.url)
    knock(sleeper, "Verpasst Anruf")
    knock(later, "Kommt Später")
    expect(later.locator("#queue-position")).to_have_text("You are number 2 in the queue.")
    return staff, sleeper, later


def admit_the_sleeper(staff, name):
    row = staff.locator(".queue-entry", has_text=name)
    expect(row.locator(".entry-background")).to_be_visible()
    # Staff are never shown a sleeping page as present: admitting asks first.
    row.get_by_role("button", name=f"Admit: {name}").click()
    dialog = staff.locator("#confirm-dialog")
    expect(dialog.locator("#confirm-dialog-text")).to_have_text(
        re.compile(
            rf"^The page of {name} has been in the background for \d:\d\d: they may "
            r"not notice the call\. Should they miss it, they can come back to the front of "
            r"the queue\. Admit anyway\?$"
        )
    )
    dialog.get_by_role("button", name="Admit anyway").click()
    expect(staff).to_have_url(re.compile(r"/gespraech/[\w-]+/$"))


def test_an_admission_unanswered_while_asleep_returns_the_citizen_to_the_front(
    own_server, new_page
):
    server = own_server({**SHORT_GRACE, "CALL_NO_SHOW_SECONDS": "2"})
    staff, sleeper, later = sleeper_first_in_line(server, new_page)

    session = fall_asleep(sleeper)
    admit_the_sleeper(staff, "Verpasst Anruf")
    # Nobody answers: the office ends the call (which started in the console) and puts the
    # citizen back at the front, instead of leaving staff in an empty call.
    expect(staff).to_have_url(re.compile(r"/konsole/"), timeout=30_000)
    expect(staff.get_by_role("status").filter(has_text="Nobody answered")).to_have_text(
        "Nobody answered the call, so it was ended. The citizen waits again at the front of "
        "the queue."
    )
    row = staff.locator(".queue-entry", has_text="Verpasst Anruf")
    expect(row.locator(".entry-called")).to_have_text(
        "Called before – back at the front of the queue"
    )
    expect(staff.locator(".queue-entry").first).to_contain_text("Verpasst Anruf")
    # Still asleep, and still shown as such: never as present.
    expect(row.locator(".entry-background")).to_be_visible()
    assert_accessible(staff, "console, an admission nobody answered")

    # Woken, the page never opened a call: it is first in the queue and says why.
    wake_up(sleeper, session)
    expect(sleeper).to_have_url(re.compile(r"/warteraum/[\w-]+/$"))
    expect(sleeper.locator("#queue-position")).to_have_text("You are next.")
    expect(sleeper.locator("#back-note")).to_have_text(
        "You were called while you were away from this page. Your place is kept: you are at "
        "the front of the queue."
    )
    expect(sleeper.get_by_role("button", name="Join the call now")).to_be_hidden()
    assert_accessible(sleeper, "waiting room, back at the front after an unanswered call")
    expect(later.locator("#queue-position")).to_have_text("You are number 2 in the queue.")

    # Shown now: admitted again, the call starts at once.
    expect(row.locator(".entry-background")).to_be_hidden()
    row.get_by_role("button", name="Admit: Verpasst Anruf").click()
    expect(sleeper).to_have_url(re.compile(r"/gespraech/[\w-]+/$"))
    expect(staff).to_have_url(re.compile(r"/gespraech/[\w-]+/$"))
    assert (sleeper.console_errors, staff.console_errors) == ([], [])


def test_a_call_ended_by_staff_while_asleep_is_offered_at_the_front(own_server, new_page):
    server = own_server(SHORT_GRACE)
    staff, sleeper, later = sleeper_first_in_line(server, new_page)

    session = fall_asleep(sleeper)
    admit_the_sleeper(staff, "Verpasst Anruf")
    # The staff member is in the call (the office has welcomed their socket), then they
    # hang up before the citizen came.
    staff.wait_for_function("() => Boolean(window.bbCall?.state.me)", timeout=30_000)
    staff.get_by_role("button", name="End consultation").click()
    expect(staff).to_have_url(re.compile(r"/konsole/"), timeout=15_000)

    # Woken, the page never opened the call, which is over: it may take the front place.
    wake_up(sleeper, session)
    expect(sleeper.locator("#queue-position")).to_have_text(
        "You were called while this page was in the background, and the call has ended. "
        "You can take your place again, at the front of the queue."
    )
    expect(sleeper.get_by_role("button", name="Join the call now")).to_be_hidden()
    assert_accessible(sleeper, "waiting room, a call missed in the background")
    sleeper.get_by_role("button", name="Take my place at the front").click()
    expect(sleeper.locator("#queue-position")).to_have_text("You are next.")
    expect(later.locator("#queue-position")).to_have_text("You are number 2 in the queue.")
    row = staff.locator(".queue-entry", has_text="Verpasst Anruf")
    expect(row.locator(".entry-called")).to_have_text(
        "Called before – back at the front of the queue"
    )
    expect(staff.locator(".queue-entry").first).to_contain_text("Verpasst Anruf")
    assert sleeper.console_errors == []
