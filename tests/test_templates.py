"""Template hygiene that the template engine does not enforce."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "src" / "buergerbuero" / "templates"


def test_no_multiline_short_comments():
    # {# … #} ends at the line's end: a second line would be shown to people as text.
    broken = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)[:50]!r}"
        for path in TEMPLATES.rglob("*.*")
        for match in re.finditer(r"\{#(?:(?!#\}).)*\n", path.read_text())
    ]
    assert broken == []
