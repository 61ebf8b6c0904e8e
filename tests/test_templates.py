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


def _described_and_present(html: str) -> tuple[set[str], set[str]]:
    described = {
        name for ids in re.findall(r'aria-describedby="([^"]+)"', html) for name in ids.split()
    }
    return described, set(re.findall(r' id="([^"]+)"', html))


def test_form_fields_carry_the_ids_the_widgets_point_to():
    # Django's widgets name <id>_helptext and <id>_error in aria-describedby: the shared
    # include must give help and errors exactly those ids, or nothing is read out.
    from django.template.loader import render_to_string

    from buergerbuero.bookings.forms import BookingForm
    from buergerbuero.public.forms import KnockForm

    knock = render_to_string("_form_fields.html", {"form": KnockForm(data={"display_name": ""})})
    described, present = _described_and_present(knock)
    assert described == {"id_display_name_helptext", "id_display_name_error", "id_topic_helptext"}
    assert described <= present
    assert knock.count('aria-invalid="true"') == 1

    booking = BookingForm(data={"display_name": "Berta", "email": "kaputt"})
    described, present = _described_and_present(
        render_to_string("_form_fields.html", {"form": booking})
    )
    assert described == {"id_email_error"}
    assert described <= present
