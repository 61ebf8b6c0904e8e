"""A call whose signalling loses a message on its way still connects.

A socket that closes just as it sends, or a message the office could not pass on (Redis
away for a moment), must not leave both sides at "Connecting…" until someone hangs up:
the side that offered looks again and sends its offer again (mesh.js, PATIENCE_MS). Each
page here loses the first offer or answer that reaches it, before the page sees it.
"""

import pytest
from playwright.sync_api import expect

from .flows import knock, set_presence, staff_login, wait_for_media

pytestmark = pytest.mark.e2e

LOSE_FIRST = """(kind) => {
  let lost = false;
  window.__lost = 0;
  const listen = WebSocket.prototype.addEventListener;
  WebSocket.prototype.addEventListener = function (type, handler, options) {
    if (type !== 'message') return listen.call(this, type, handler, options);
    return listen.call(this, type, (event) => {
      try {
        const message = JSON.parse(event.data);
        if (!lost && message.type === 'signal' && message.description?.type === kind) {
          lost = true;
          window.__lost += 1;
          return;
        }
      } catch {}
      handler.call(this, event);
    }, options);
  };
}"""


@pytest.mark.parametrize("kind", ["offer", "answer"])
def test_a_call_connects_although_its_first_offer_or_answer_was_lost(new_page, kind):
    staff = new_page()
    citizen = new_page()
    for page in (staff, citizen):
        page.context.add_init_script(f"({LOSE_FIRST})({kind!r})")
    staff_login(staff)
    set_presence(staff, "Available")
    knock(citizen, "Lena Verloren")
    expect(citizen.locator("#queue-position")).to_have_text("You are next.")

    staff.get_by_role("button", name="Admit: Lena Verloren").click()
    wait_for_media(citizen, 1)
    wait_for_media(staff, 1)
    # The message was lost indeed, on one side or the other.
    assert staff.evaluate("window.__lost") + citizen.evaluate("window.__lost") >= 1
    expect(citizen.locator("#call-status")).to_have_text("You are now connected with Erika Muster.")

    staff.get_by_role("button", name="End consultation").click()
    expect(citizen.get_by_role("heading", name="The consultation has ended")).to_be_visible()
