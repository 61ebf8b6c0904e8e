"""People's display settings are respected: text at 200 %, reduced motion, dark mode.

Text size: the browser's default font size doubled (what "very large text" does) must
not push content sideways or cut it off (WCAG 1.4.4). Site.css sizes text in rem and em,
so the root font size is the switch that browsers' text-size settings turn.
"""

import pytest
from playwright.sync_api import expect

from .accessibility import horizontal_overflow, screenshot
from .flows import OFFICE, knock, set_presence, staff_login

pytestmark = pytest.mark.e2e

# Text that no longer fits its box and is hidden rather than wrapped (text hidden on
# purpose for screen readers, .visually-hidden, is a one-pixel box by design).
CLIPPED = """() => [...document.body.querySelectorAll('*')].filter((el) => {
  const style = getComputedStyle(el);
  const hides = ['hidden', 'clip'].includes(style.overflowX) || ['hidden', 'clip'].includes(style.overflowY);
  return hides && el.textContent.trim() && el.tagName !== 'VIDEO'
    && !el.classList.contains('visually-hidden')
    && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1);
}).map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' + el.textContent.trim().slice(0, 40))"""

PAGES = [
    ("/", "overview"),
    (f"/fachbereich/{OFFICE}/", "department"),
    (f"/fachbereich/{OFFICE}/anklopfen/", "knock"),
    (f"/fachbereich/{OFFICE}/termin/", "booking"),
    ("/leichte-sprache/", "easy-language"),
    ("/barrierefreiheit/", "accessibility-statement"),
    ("/datenschutz/", "privacy"),
    ("/konsole/anmelden/", "staff-login"),
]


def _double_text(page):
    page.evaluate("document.documentElement.style.fontSize = '200%'")


def test_text_at_200_percent_neither_overflows_nor_is_cut_off(new_page):
    page = new_page()
    problems = []
    for path, name in PAGES:
        page.goto(path)
        _double_text(page)
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 32
        problems += [f"{name}: {p}" for p in horizontal_overflow(page)]
        problems += [f"{name}: clipped {p}" for p in page.evaluate(CLIPPED)]
        screenshot(page, f"text-200-{name}")
    staff = new_page()
    staff_login(staff)
    set_presence(staff, "Available")
    knock(page, "Groß Schrift")
    _double_text(page)
    expect(page.locator("#queue-position")).not_to_have_text("Connecting…")
    problems += [f"waiting: {p}" for p in horizontal_overflow(page)]
    problems += [f"waiting: clipped {p}" for p in page.evaluate(CLIPPED)]
    screenshot(page, "text-200-waiting")
    page.get_by_role("button", name="Leave the queue").click()
    expect(page.locator("#final-message")).to_be_visible()
    assert problems == [], "\n".join(problems)


def test_reduced_motion_turns_off_every_animation_and_transition(new_page):
    page = new_page(reduced_motion="reduce")
    moving = []
    for path, name in PAGES:
        page.goto(path)
        moving += page.evaluate(
            """(name) => [...document.querySelectorAll('*')].filter((el) => {
                 const s = getComputedStyle(el);
                 const long = (v) => v.split(',').some((d) => parseFloat(d) > 0.01);
                 return (s.animationName !== 'none' && long(s.animationDuration))
                   || long(s.transitionDuration) || s.scrollBehavior === 'smooth';
               }).map((el) => name + ': ' + el.tagName.toLowerCase() + '.' + el.className)""",
            name,
        )
    assert moving == []


def test_dark_mode_follows_the_system_setting(new_page):
    light, dark = new_page(color_scheme="light"), new_page(color_scheme="dark")
    colours = []
    for page in (light, dark):
        page.goto("/")
        colours.append(page.evaluate("getComputedStyle(document.body).backgroundColor"))
    assert colours[0] == "rgb(255, 255, 255)"
    assert colours[1] != colours[0]
    # Both colour schemes pass axe's contrast checks: tests/e2e/test_accessibility.py.
