"""The easy-to-read page, the accessibility statement, the footer links and the help for
a blocked camera (public/info_pages.py, public/_device_help.html)."""

import itertools
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from buergerbuero.public.info_pages import (
    ContactLine,
    enforcement_body,
    feedback_contact,
    statement_date,
)

STATIC = Path(__file__).resolve().parents[2] / "src" / "buergerbuero" / "static"
DEVICE_CHECK_JS = STATIC / "bb" / "device-check.js"
# The cases of the device help, in page order; device-check.js opens them by data-browser.
HELP_CASES = ["chrome", "firefox", "safari-mac", "ios", "android", "samsung", "busy", "unsupported"]
ALL_SETTINGS = (
    "ACCESSIBILITY_CONTACT_NAME",
    "ACCESSIBILITY_CONTACT_EMAIL",
    "ACCESSIBILITY_CONTACT_PHONE",
    "ACCESSIBILITY_CONTACT_ADDRESS",
    "PRIVACY_CONTROLLER_NAME",
    "PRIVACY_CONTROLLER_ADDRESS",
    "PRIVACY_CONTROLLER_EMAIL",
)
NO_CONTACT_NOTE = (
    "The operator of this office has not entered a contact for feedback about accessibility yet."
)


@pytest.fixture
def no_contact(settings):
    """Neither an accessibility contact nor a privacy controller configured."""
    for name in ALL_SETTINGS:
        setattr(settings, name, "")
    return settings


class Outline(HTMLParser):
    """Headings (level, text), and every <details> with its attributes."""

    def __init__(self):
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.details: list[dict] = []
        self._level = 0

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self._level = int(tag[1])
            self.headings.append((self._level, ""))
        elif tag == "details":
            self.details.append(dict(attrs))

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag):
            self._level = 0

    def handle_data(self, data):
        if self._level:
            level, text = self.headings[-1]
            self.headings[-1] = (level, " ".join((text + " " + data).split()))


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def main_of(html: str) -> str:
    return html[html.index('<main id="main"') : html.index("</main>")]


def footer_of(html: str) -> str:
    return html[html.index('<footer class="site-footer">') :]


def assert_headings_in_order(headings: list[tuple[int, str]]) -> None:
    levels = [level for level, _text in headings]
    assert levels[0] == 1
    assert levels.count(1) == 1
    # Never a level skipped on the way down (h2 to h4).
    assert [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1] == []


# --- feedback_contact, statement_date, enforcement_body -------------------------------------


def test_contact_lists_the_accessibility_contact_in_page_order(no_contact):
    no_contact.ACCESSIBILITY_CONTACT_EMAIL = "barrierefrei@kreis.example"
    no_contact.ACCESSIBILITY_CONTACT_PHONE = "+49 2331 12345"
    no_contact.ACCESSIBILITY_CONTACT_NAME = "Kreis Beispiel, Beauftragte für Barrierefreiheit"
    no_contact.ACCESSIBILITY_CONTACT_ADDRESS = "Marktplatz 1\n12345 Beispielstadt"
    no_contact.PRIVACY_CONTROLLER_NAME = "Kreis Beispiel"
    assert feedback_contact() == [
        ContactLine("name", "Kreis Beispiel, Beauftragte für Barrierefreiheit"),
        ContactLine("address", "Marktplatz 1\n12345 Beispielstadt"),
        ContactLine("phone", "+49 2331 12345"),
        ContactLine("email", "barrierefrei@kreis.example"),
    ]


def test_contact_shows_only_the_fields_that_are_set(no_contact):
    no_contact.ACCESSIBILITY_CONTACT_PHONE = "02331 12345"
    no_contact.ACCESSIBILITY_CONTACT_EMAIL = "   "
    assert feedback_contact() == [ContactLine("phone", "02331 12345")]


def test_contact_is_never_mixed_with_the_privacy_controller(no_contact):
    no_contact.ACCESSIBILITY_CONTACT_EMAIL = "barrierefrei@kreis.example"
    no_contact.PRIVACY_CONTROLLER_NAME = "Kreis Beispiel"
    no_contact.PRIVACY_CONTROLLER_ADDRESS = "Marktplatz 1"
    assert feedback_contact() == [ContactLine("email", "barrierefrei@kreis.example")]


def test_contact_falls_back_to_the_privacy_controller(no_contact):
    no_contact.PRIVACY_CONTROLLER_NAME = "Kreis Beispiel"
    no_contact.PRIVACY_CONTROLLER_EMAIL = "datenschutz@kreis.example"
    assert feedback_contact() == [
        ContactLine("name", "Kreis Beispiel"),
        ContactLine("email", "datenschutz@kreis.example"),
    ]


def test_contact_is_empty_when_nothing_is_configured(no_contact):
    assert feedback_contact() == []


@pytest.mark.parametrize(
    ("line", "href"),
    [
        (ContactLine("phone", "+49 (0)2331 / 12-345"), "tel:+49233112345"),
        (ContactLine("phone", "02331 12345"), "tel:0233112345"),
        (ContactLine("email", "barrierefrei@kreis.example"), "mailto:barrierefrei@kreis.example"),
        (ContactLine("name", "Kreis Beispiel"), ""),
        (ContactLine("address", "Marktplatz 1"), ""),
    ],
)
def test_contact_line_links(line, href):
    assert line.href == href


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-05", date(2026, 3, 5)),
        (" 2026-03-05 ", date(2026, 3, 5)),
        ("", None),
        ("5.3.2026", None),
    ],
)
def test_statement_date_is_parsed_or_none(settings, value, expected):
    settings.ACCESSIBILITY_STATEMENT_DATE = value
    assert statement_date() == expected


def test_enforcement_body_from_settings(settings):
    settings.ACCESSIBILITY_ENFORCEMENT_NAME = " Schlichtungsstelle BGG "
    settings.ACCESSIBILITY_ENFORCEMENT_URL = ""
    assert enforcement_body() == {"name": "Schlichtungsstelle BGG", "url": ""}


# --- both pages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["public:easy_language", "public:sign_language", "public:accessibility"]
)
@pytest.mark.parametrize("language", ["de", "en"])
def test_page_renders_in_language_with_one_h1_and_ordered_headings(
    name, language, db, django_assert_num_queries
):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    with django_assert_num_queries(0):
        response = client.get(reverse(name))
    html = response.content.decode()
    headings = outline(main_of(html)).headings
    h1 = {
        "public:easy_language": "The virtual citizen office: easy to read",
        "public:sign_language": "Information in German Sign Language",
        "public:accessibility": "Accessibility statement",
    }[name]
    with translation.override(language):
        expected_h1 = translation.gettext(h1)
    assert (response.status_code, response["Content-Language"]) == (200, language)
    assert f'<html lang="{language}" dir="ltr">' in html
    assert headings[0] == (1, expected_h1)
    assert_headings_in_order(headings)


@pytest.mark.parametrize(
    "name", ["public:easy_language", "public:sign_language", "public:accessibility"]
)
def test_page_has_no_inline_script_or_style(english, name):
    html = english.get(reverse(name)).content.decode()
    assert re.findall(r"<script(?![^>]*\ssrc=)|<style|\sstyle=|\son\w+=", html) == []


@pytest.mark.parametrize(
    "name", ["public:easy_language", "public:sign_language", "public:accessibility"]
)
def test_page_refuses_post(english, name):
    assert english.post(reverse(name)).status_code == 405


# --- easy to read ---------------------------------------------------------------------------


def test_easy_language_explains_every_step_under_its_heading(english, no_contact):
    html = english.get(reverse("public:easy_language")).content.decode()
    assert [text for level, text in outline(main_of(html)).headings if level == 2] == [
        "On this page",
        "What is the virtual citizen office?",
        "What do you need?",
        "How do you knock?",
        "What is the waiting room?",
        "What happens in the video call?",
        "How do you end the video call?",
        "How do you book an appointment?",
        "Something does not work. What can you do?",
    ]
    # The buttons are named as the pages name them (their own messages).
    for button in ("Go to the waiting room", "Knock", "Leave the queue", "Hang up", "Book"):
        assert f"<p>Press the button “{button}”.</p>" in html
    assert "<p>Virtual means: on the internet.</p>" in html
    assert "<p>The office does not save your picture.</p>" in html
    assert '<a href="/barrierefreiheit/">Accessibility</a>' in html


def test_easy_language_pictograms_are_decorative(english):
    html = english.get(reverse("public:easy_language")).content.decode()
    svgs = re.findall(r"<svg[^>]*>", html)
    assert len(svgs) == 8
    assert all('aria-hidden="true"' in svg and 'focusable="false"' in svg for svg in svgs)


def test_easy_language_shows_phone_and_address_when_configured(english, no_contact):
    no_contact.ACCESSIBILITY_CONTACT_PHONE = "+49 2331 12345"
    no_contact.ACCESSIBILITY_CONTACT_ADDRESS = "Marktplatz 1\n12345 Beispielstadt"
    html = english.get(reverse("public:easy_language")).content.decode()
    assert '<p>The phone number is: <a href="tel:+49233112345">+49 2331 12345</a></p>' in html
    assert "<address>Marktplatz 1<br>12345 Beispielstadt</address>" in html


def test_easy_language_without_contact_still_says_where_to_go(english, no_contact):
    html = english.get(reverse("public:easy_language")).content.decode()
    assert "The phone number is:" not in html
    assert "<address>" not in html
    assert "<p>You can also go to the office in person.</p>" in html


# --- accessibility statement ---------------------------------------------------------------


def test_statement_has_the_sections_of_the_eu_model(english):
    html = english.get(reverse("public:accessibility")).content.decode()
    assert outline(main_of(html)).headings == [
        (1, "Accessibility statement"),
        (2, "Scope of this statement"),
        (2, "State of compliance"),
        (3, "Content that is not accessible"),
        (2, "How this statement was prepared"),
        (2, "Feedback and contact"),
        (2, "Enforcement procedure"),
    ]
    assert "This web application is partially compliant with" in html
    assert "Screen readers cannot read them." in html
    assert "status display" in html


def test_statement_says_what_the_tests_check_and_lists_known_limitations(english, settings):
    settings.DGS_VIDEO_URL = ""
    html = english.get(reverse("public:accessibility")).content.decode()
    limitations = re.findall(r"<li>\s*<p><strong>([^<]+)</strong>", html)
    assert limitations == [
        "Video consultations.",
        "Shared screens.",
        "Text chat.",
        "German Sign Language.",
        "Pages that are not tested automatically.",
    ]
    assert '<a href="/gebaerdensprache/">Information in German Sign Language</a>' in html
    tests = html[html.index('<ul class="accessibility-tests">') :]
    tests = tests[: tests.index("</ul>")]
    assert tests.count("<li>") == 8
    assert "WCAG 1.4.12" in tests
    assert "best practices" in tests
    assert "320 pixels" in tests
    assert "in every state" not in html


def test_statement_drops_the_sign_language_limitation_once_the_video_is_there(
    english, settings, tmp_path
):
    settings.DGS_VIDEO_URL = "/medien/dgs.webm"
    settings.DGS_CAPTIONS_URL = "/medien/dgs.vtt"
    html = english.get(reverse("public:accessibility")).content.decode()
    assert "German Sign Language.</strong>" not in html
    assert "Pages that are not tested automatically.</strong>" in html


def test_statement_shows_only_configured_contact_lines(english, no_contact):
    no_contact.ACCESSIBILITY_CONTACT_EMAIL = "barrierefrei@kreis.example"
    html = english.get(reverse("public:accessibility")).content.decode()
    contact = html[html.index('<address class="accessibility-contact">') :]
    contact = contact[: contact.index("</address>")]
    assert " ".join(contact.split()) == (
        '<address class="accessibility-contact"> E-mail: '
        '<a href="mailto:barrierefrei@kreis.example">barrierefrei@kreis.example</a><br>'
    )
    assert NO_CONTACT_NOTE not in html


def test_statement_shows_every_contact_line(english, no_contact):
    no_contact.ACCESSIBILITY_CONTACT_NAME = "Kreis Beispiel"
    no_contact.ACCESSIBILITY_CONTACT_ADDRESS = "Marktplatz 1\n12345 Beispielstadt"
    no_contact.ACCESSIBILITY_CONTACT_PHONE = "02331 12345"
    no_contact.ACCESSIBILITY_CONTACT_EMAIL = "barrierefrei@kreis.example"
    html = english.get(reverse("public:accessibility")).content.decode()
    contact = html[html.index('<address class="accessibility-contact">') :]
    contact = " ".join(contact[: contact.index("</address>")].split())
    assert contact == (
        '<address class="accessibility-contact"> <strong>Kreis Beispiel</strong><br> '
        "Marktplatz 1<br>12345 Beispielstadt<br> "
        'Phone: <a href="tel:0233112345">02331 12345</a><br> '
        'E-mail: <a href="mailto:barrierefrei@kreis.example">barrierefrei@kreis.example</a><br>'
    )


def test_statement_falls_back_to_the_privacy_controller(english, no_contact):
    no_contact.PRIVACY_CONTROLLER_NAME = "Kreis Beispiel"
    html = english.get(reverse("public:accessibility")).content.decode()
    assert "<strong>Kreis Beispiel</strong>" in html
    assert NO_CONTACT_NOTE not in html


def test_statement_tells_the_operator_to_configure_a_contact(english, no_contact):
    html = english.get(reverse("public:accessibility")).content.decode()
    assert f'<p class="notice error">{NO_CONTACT_NOTE}</p>' in html
    assert '<address class="accessibility-contact">' not in html


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "Thursday, 5 March 2026"), ("de", "Donnerstag, 5. März 2026")],
)
def test_statement_date_in_the_current_language(settings, language, shown):
    settings.ACCESSIBILITY_STATEMENT_DATE = "2026-03-05"
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(reverse("public:accessibility"))
    assert f'<time datetime="2026-03-05">{shown}</time>' in response.content.decode()


def test_statement_without_a_valid_date_tells_the_operator(english, settings):
    settings.ACCESSIBILITY_STATEMENT_DATE = "soon"
    html = english.get(reverse("public:accessibility")).content.decode()
    assert "<time" not in html
    assert (
        '<p class="notice error">The operator of this office has not entered the date of this '
        "statement yet.</p>" in html
    )


def test_statement_links_the_enforcement_body_when_its_address_is_set(english, settings):
    settings.ACCESSIBILITY_ENFORCEMENT_NAME = "Ombudsstelle"
    settings.ACCESSIBILITY_ENFORCEMENT_URL = "https://ombudsstelle.example/"
    html = english.get(reverse("public:accessibility")).content.decode()
    assert "within six weeks, you can turn to the enforcement body." in html
    assert '<p><a href="https://ombudsstelle.example/">Ombudsstelle</a></p>' in html


def test_statement_names_the_enforcement_body_without_an_address(english, settings):
    settings.ACCESSIBILITY_ENFORCEMENT_NAME = "Ombudsstelle"
    settings.ACCESSIBILITY_ENFORCEMENT_URL = ""
    html = english.get(reverse("public:accessibility")).content.decode()
    assert "<p>Ombudsstelle</p>" in html
    assert "The operator of this office has not entered the enforcement body yet." not in html
    assert (
        '<p class="notice error">The operator of this office has not entered the web address '
        "of the enforcement body yet.</p>" in html
    )


def test_statement_without_an_enforcement_body_tells_the_operator(english, settings):
    settings.ACCESSIBILITY_ENFORCEMENT_NAME = ""
    html = english.get(reverse("public:accessibility")).content.decode()
    assert (
        '<p class="notice error">The operator of this office has not entered the enforcement '
        "body yet.</p>" in html
    )


# --- footer and overview -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "public:overview",
        "public:easy_language",
        "public:sign_language",
        "public:accessibility",
        "privacy:notice",
    ],
)
def test_footer_links_the_information_pages(english, name, db):
    footer = footer_of(english.get(reverse(name)).content.decode())
    assert re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', footer) == [
        ("/datenschutz/", "Privacy notice"),
        ("/barrierefreiheit/", "Accessibility"),
        ("/leichte-sprache/", "Easy to read"),
        ("/gebaerdensprache/", "Sign language"),
    ]


def test_overview_links_easy_language_and_sign_language_at_the_top(english, db):
    main = main_of(english.get(reverse("public:overview")).content.decode())
    links = main[main.index('<p class="easy-language-link accessible-versions">') :]
    links = links[: links.index("</p>")]
    assert re.findall(r'<a href="([^"]+)">(?:<svg.*?</svg>)?([^<]+)</a>', links) == [
        ("/leichte-sprache/", "Easy to read"),
        ("/gebaerdensprache/", "Sign language"),
    ]
    assert 'class="sign-language-symbol" aria-hidden="true"' in links
    assert main.index("<h1>") < main.index(links) < main.index('<p class="lead">')


# --- device help ---------------------------------------------------------------------------


def test_knock_page_has_one_help_per_browser(english, office_with_clerk):
    department, _clerk = office_with_clerk
    html = english.get(reverse("public:knock", args=[department.slug])).content.decode()
    device_check = html[html.index('<section class="device-check"') :]
    page = outline(device_check)
    assert [(d["id"], d["data-browser"]) for d in page.details] == [
        (f"device-help-{case}", case) for case in HELP_CASES
    ]
    assert all(d["data-msg-shown"] for d in page.details)
    # Closed without JavaScript: every case readable, none opened for the wrong browser.
    assert ["open" in d for d in page.details] == [False] * len(HELP_CASES)
    # Under the device check's h2.
    assert (3, "Camera or microphone blocked? How to allow them") in page.headings
    assert 'data-msg-blocked="Your browser blocked the camera and microphone."' in html
    assert '<a href="/leichte-sprache/">' in device_check


def test_device_help_include_defaults_to_a_top_level_heading():
    # For a page without a surrounding h2 (the call page may include it later).
    with translation.override("en"):
        html = render_to_string("public/_device_help.html")
    assert (
        '<h2 id="device-help-heading" tabindex="-1">'
        "Camera or microphone blocked? How to allow them</h2>" in html
    )
    assert [d["data-browser"] for d in outline(html).details] == HELP_CASES


def test_device_check_script_opens_only_cases_the_help_has():
    source = DEVICE_CHECK_JS.read_text()
    browser_key = source[source.index("export function browserKey") :]
    browser_key = browser_key[: browser_key.index("\n}\n")]
    opened = set(re.findall(r'return "([a-z-]+)"', browser_key))
    opened |= set(re.findall(r'\b(?:busy|unsupported): "([a-z-]+)"', source))
    assert opened == set(HELP_CASES)
