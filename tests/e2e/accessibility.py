"""Accessibility checks for browser tests: axe-core on the page as it is, and screenshots.

axe-core comes from the npm registry (tests/e2e/package.json, installed by `make browser`).
It is evaluated through the DevTools protocol rather than added as a <script>: the office's
Content-Security-Policy (script-src 'self') would rightly refuse an inline script.
"""

import json
from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import Page

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = HERE.parents[1] / "test-artifacts" / "screenshots"
# WCAG 2.1 levels A and AA: what BITV 2.0 (via EN 301 549) requires.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# And axe's best practices (landmarks, heading order, unique names): not required by law,
# but what a screen-reader user navigates by; an audit by hand found its failures real.
AXE_TAGS = [*WCAG_21_AA, "best-practice"]


@cache
def _axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"axe-core not found at {AXE}: run `make browser` (npm ci in tests/e2e)")
    return AXE.read_text()


def axe_violations(page: Page, state: str) -> list[str]:
    """Every WCAG 2.1 A/AA and best-practice violation axe finds on the page now, one
    readable line each."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        """async (tags) => {
          const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                             resultTypes: ['violations']});
          return r.violations.map((v) => ({id: v.id, help: v.help,
            nodes: v.nodes.map((n) => n.target.join(' ') + ' — ' + n.failureSummary)}));
        }""",
        AXE_TAGS,
    )
    return [
        f"[{state}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"][:5]) for v in result
    ]


def assert_accessible(page: Page, state: str) -> None:
    violations = axe_violations(page, state)
    assert violations == [], (
        "axe-core found WCAG 2.1 AA or best-practice violations:\n" + "\n".join(violations)
    )


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot under test-artifacts/screenshots/, part of the test output."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def horizontal_overflow(page: Page) -> list[str]:
    """Elements sticking out to the side of the viewport (content that forces sideways
    scrolling, WCAG 1.4.10 reflow)."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const out = [];
          for (const el of document.body.querySelectorAll('*')) {
            const box = el.getBoundingClientRect();
            if (!box.width || getComputedStyle(el).visibility === 'hidden') continue;
            if (el.closest('.skip-link')) continue;
            // Inside a region that scrolls sideways itself (a wide data table).
            let scroller = el.parentElement, inside = false;
            while (scroller && scroller !== document.body) {
              if (['auto', 'scroll'].includes(getComputedStyle(scroller).overflowX)) { inside = true; break; }
              scroller = scroller.parentElement;
            }
            if (inside) continue;
            if (box.right > width + 1 || box.left < -1) {
              out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''} ${Math.round(box.left)}..${Math.round(box.right)} > ${width}`);
            }
          }
          return out;
        }"""
    )


def dump(data) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False)
