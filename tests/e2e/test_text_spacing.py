"""Text spacing (WCAG 1.4.12): a person who needs more room between lines, paragraphs,
letters and words sets it in their own style sheet; nothing may then be cut off or push
the page sideways.

The values are the criterion's: line height 1.5 times the font size, paragraphs 2 times
apart, letters 0.12 and words 0.16 times the font size apart, applied with !important as a
user style sheet or a bookmarklet does. Measured in German (the default, and the longest
words), on a phone (320 px) and on a desktop, on the citizen's pages and the console.
"""

import pytest
from playwright.sync_api import Page, expect

from .accessibility import horizontal_overflow, screenshot
from .flows import OFFICE, knock_in, staff_login_by_ids, wait_for_media, words

pytestmark = pytest.mark.e2e

SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p, li, dd, dt, blockquote { margin-block-end: 2em !important; }
"""

# Text cut off by its box: an element that hides what overflows it (or a button or a
# link styled as one, whose text would stick out of its frame) while its content is
# larger than the box. Text hidden on purpose for screen readers (.visually-hidden) is a
# one-pixel box by design.
CLIPPED = """() => [...document.body.querySelectorAll('*')].filter((el) => {
  const style = getComputedStyle(el);
  if (style.display === 'none' || style.visibility === 'hidden' || !el.getClientRects().length) return false;
  if (el.closest('.visually-hidden') || ['VIDEO', 'SELECT', 'INPUT', 'TEXTAREA', 'METER'].includes(el.tagName)) return false;
  if (!el.textContent.trim()) return false;
  const hides = ['hidden', 'clip'].includes(style.overflowX) || ['hidden', 'clip'].includes(style.overflowY);
  const framed = el.tagName === 'BUTTON' || el.classList.contains('button');
  if (!hides && !framed) return false;
  return el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
}).map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''} `
  + `(${el.scrollWidth}x${el.scrollHeight} in ${el.clientWidth}x${el.clientHeight}) "${el.textContent.trim().slice(0, 40)}"`)"""

WIDTHS = [320, 1280]


def spaced_out(page: Page, name: str) -> list[str]:
    """What is cut off or sticks out sideways on the page as it is now, with the 1.4.12
    spacing, at each width."""
    page.add_style_tag(content=SPACING)
    assert page.evaluate("getComputedStyle(document.body).letterSpacing") != "normal"
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            sticking_out = "; ".join(horizontal_overflow(page)[:8])
            problems.append(f"{name} at {width} px: {scroll} px wide ({sticking_out})")
        problems += [f"{name} at {width} px: cut off {p}" for p in page.evaluate(CLIPPED)]
        screenshot(page, f"text-spacing-{width}-{name}")
    return problems


def test_text_spacing_cuts_nothing_off_on_citizen_pages_and_the_console(new_page):
    # bypass_csp: the user's style sheet is added as a <style>, which the office's
    # Content-Security-Policy (style-src 'self') would rightly refuse from a page.
    staff = new_page(locale="de-DE", bypass_csp=True)
    staff.goto("/konsole/anmelden/")
    problems = spaced_out(staff, "staff-login")
    staff_login_by_ids(staff)

    citizen = new_page(locale="de-DE", bypass_csp=True)
    for path, name in [
        ("/", "overview"),
        (f"/fachbereich/{OFFICE}/", "department"),
        (f"/fachbereich/{OFFICE}/anklopfen/", "knock"),
        (f"/fachbereich/{OFFICE}/termin/", "booking-times"),
        ("/leichte-sprache/", "easy-language"),
        ("/barrierefreiheit/", "accessibility-statement"),
        ("/datenschutz/", "privacy"),
    ]:
        citizen.goto(path)
        problems += spaced_out(citizen, name)

    citizen.goto(f"/fachbereich/{OFFICE}/termin/")
    citizen.locator(".day-choice a").nth(1).click()
    citizen.locator("a.slot").nth(6).click()
    citizen.locator(".knock-form button[type=submit]").click()
    expect(citizen.locator(".field-error").first).to_be_visible()
    problems += spaced_out(citizen, "booking-form-errors")

    knock_in(citizen, "de", "Weit Gesperrt", "Wirtschaftsförderungsangelegenheiten")
    problems += spaced_out(citizen, "waiting-room")
    row = staff.locator(".queue-entry", has_text="Weit Gesperrt")
    expect(row.locator("button.admit")).to_be_visible()
    problems += spaced_out(staff, "console")
    row.locator("button.admit").click()
    wait_for_media(citizen, 1)
    wait_for_media(staff, 1)
    citizen.locator("#chat-input").fill("Guten Tag, ich habe eine Frage zur Förderung.")
    citizen.locator("#chat-input").press("Enter")
    expect(staff.locator("#chat-log")).to_contain_text("Frage zur Förderung")
    problems += spaced_out(citizen, "call")
    problems += spaced_out(staff, "call-staff")
    citizen.locator("#hang-up").click()
    expect(citizen.locator("h1")).to_have_text(words("de")("The consultation has ended"))
    problems += spaced_out(citizen, "ended")
    assert problems == [], "\n".join(problems)
