"""Information pages for everyone: the office in easy-to-read language, and the
accessibility statement (BITV 2.0 § 7, the EU model of implementing decision 2018/1523).

What the pages show comes from the settings (ACCESSIBILITY_*, PRIVACY_CONTROLLER_*); the
functions below decide which of it is configured, the views only render."""

from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .sign_language import configured_video

ContactKind = Literal["name", "address", "phone", "email"]
# The order of the lines on the page: who, where, then how to reach them.
CONTACT_FIELDS: tuple[ContactKind, ...] = ("name", "address", "phone", "email")


@dataclass(frozen=True)
class ContactLine:
    kind: ContactKind
    value: str

    @property
    def href(self) -> str:
        """A link for the phone number and the e-mail address; empty for the others."""
        if self.kind == "email":
            return f"mailto:{self.value}"
        if self.kind == "phone":
            # "+49 (0)2331 / 12-345" dials as +49233112345: keep the plus and the digits,
            # and drop a "(0)" that people write after the country code.
            number = self.value.replace("(0)", "") if self.value.startswith("+") else self.value
            return "tel:" + "".join(c for c in number if c.isdigit() or c == "+")
        return ""


def _lines(prefix: str, kinds: tuple[ContactKind, ...]) -> list[ContactLine]:
    lines = []
    for kind in kinds:
        value = str(getattr(settings, f"{prefix}_{kind.upper()}", "") or "").strip()
        if value:
            lines.append(ContactLine(kind, value))
    return lines


def feedback_contact() -> list[ContactLine]:
    """Who takes feedback about barriers, one line per configured field.

    ACCESSIBILITY_CONTACT_* when any of them is set (only those, never mixed with other
    settings); otherwise the controller named in the privacy notice (PRIVACY_CONTROLLER_*:
    the same public body, so a valid contact); empty when neither is configured, and the
    statement then tells the operator to configure it."""
    return _lines("ACCESSIBILITY_CONTACT", CONTACT_FIELDS) or _lines(
        "PRIVACY_CONTROLLER", ("name", "address", "email")
    )


def statement_date() -> date | None:
    """ACCESSIBILITY_STATEMENT_DATE (YYYY-MM-DD), or None when it is empty or malformed:
    the page then says the operator must set it, instead of failing."""
    try:
        return date.fromisoformat(str(settings.ACCESSIBILITY_STATEMENT_DATE).strip())
    except ValueError:
        return None


def enforcement_body() -> dict[str, str]:
    return {
        "name": str(settings.ACCESSIBILITY_ENFORCEMENT_NAME or "").strip(),
        "url": str(settings.ACCESSIBILITY_ENFORCEMENT_URL or "").strip(),
    }


def _by_kind(lines: list[ContactLine]) -> dict[str, ContactLine]:
    return {line.kind: line for line in lines}


@require_safe
def easy_language(request):
    return render(request, "public/easy_language.html", {"contact": _by_kind(feedback_contact())})


@require_safe
def accessibility(request):
    return render(
        request,
        "public/accessibility.html",
        {
            "site": request.get_host(),
            "contact_lines": feedback_contact(),
            "statement_date": statement_date(),
            "enforcement": enforcement_body(),
            "sign_language_video": configured_video() is not None,
        },
    )
