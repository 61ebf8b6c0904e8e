"""Marking the office's own content with the language it is written in (WCAG 3.1.2).

Department names, descriptions, appointment kinds and staff messages are typed by the
office in one language (settings.OFFICE_CONTENT_LANGUAGE, German by default), whatever
language the page is in. On a page in another language they carry `lang`, so a screen
reader switches its voice and hyphenation follows the right rules; on a page in that
language nothing is added. `dir="auto"` keeps a left-to-right name in order on an Arabic
page ("Wirtschaftsförderung" stays whole, its punctuation on the right side).
"""

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


def content_language() -> str | None:
    """The office's content language when it differs from the page's, else None."""
    office = settings.OFFICE_CONTENT_LANGUAGE
    page = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return None if office.split("-")[0] == page else office


@register.filter
def office_text(value):
    """Inline office content: `{{ department.name|office_text }}`."""
    if value in (None, ""):
        return ""
    language = content_language()
    if language is None:
        return value
    return format_html('<span lang="{}" dir="auto">{}</span>', language, value)


@register.simple_tag
def office_lang():
    """Attributes for an element that holds only office content: `<p{% office_lang %}>`
    (with their leading space, so that a page in the office's language keeps `<p>`)."""
    language = content_language()
    return format_html(' lang="{}" dir="auto"', language) if language else mark_safe("")


@register.simple_tag
def written_lang(language: str):
    """Like office_lang, for text written in `language` (a decline message in the staff
    console's language); empty `language`: the office's."""
    if not language:
        return office_lang()
    page = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if language.split("-")[0] == page:
        return mark_safe("")
    return format_html(' lang="{}" dir="auto"', language)


@register.simple_tag
def office_language_code():
    """For scripts that show office content (staff messages): empty when not needed."""
    return content_language() or ""
