"""The citizens' languages: chosen by the browser's preference or the switcher, remembered
in a cookie that holds nothing but the language code, right to left for Arabic, dates in
each language's own words, and the citizen's language shown to staff at the knock."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from buergerbuero.waiting.desk import desk_of
from buergerbuero.waiting.models import QueueEntry

# The office's title in each language: proof the page is really in that language.
TITLES = {
    "de": "Virtuelles Bürgerbüro",
    "en": "Virtual citizen office",
    "tr": "Sanal Vatandaş Ofisi",
    "ar": "مكتب المواطنين الافتراضي",
    "uk": "Віртуальний офіс для громадян",
    "ru": "Виртуальная приёмная для граждан",
}


def test_every_language_has_a_title_here():
    assert set(TITLES) == {code for code, _name in settings.LANGUAGES}


@pytest.mark.django_db
@pytest.mark.parametrize("language", sorted(TITLES))
def test_the_browsers_preference_chooses_the_language(language):
    response = Client(HTTP_ACCEPT_LANGUAGE=f"{language},en;q=0.5").get("/")
    text = response.content.decode()
    assert response["Content-Language"] == language
    assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in text
    assert TITLES[language] in text
    # Without a choice, no language cookie is set.
    assert "django_language" not in response.cookies


@pytest.mark.django_db
def test_an_unknown_preference_falls_back_to_german():
    response = Client(HTTP_ACCEPT_LANGUAGE="ja,zh;q=0.8").get("/")
    assert response["Content-Language"] == "de"


@pytest.mark.django_db
def test_the_switcher_offers_every_language_by_its_own_name():
    text = Client(HTTP_ACCEPT_LANGUAGE="de").get("/").content.decode()
    for code, own_name in [
        ("de", "Deutsch"),
        ("en", "English"),
        ("tr", "Türkçe"),
        ("ar", "العربيّة"),
        ("uk", "Українська"),
        ("ru", "Русский"),
    ]:
        assert f'<option value="{code}" lang="{code}"' in text
        assert own_name in text


@pytest.mark.django_db
def test_the_choice_is_remembered_in_a_cookie_holding_only_the_code():
    first, second = Client(HTTP_ACCEPT_LANGUAGE="de"), Client(HTTP_ACCEPT_LANGUAGE="de")
    cookies = []
    for client in (first, second):
        response = client.post(reverse("set_language"), {"language": "uk", "next": "/"})
        assert response.status_code == 302
        cookies.append(response.cookies["django_language"])
    # The same for everyone who chose Ukrainian: it cannot tell one browser from another.
    assert [c.value for c in cookies] == ["uk", "uk"]
    assert int(cookies[0]["max-age"]) == 365 * 24 * 3600
    assert cookies[0]["httponly"] and cookies[0]["samesite"] == "Lax"
    # Remembered over the browser's own preference.
    response = first.get("/")
    assert response["Content-Language"] == "uk"
    assert TITLES["uk"] in response.content.decode()


@pytest.mark.django_db
def test_a_forged_language_is_ignored():
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    response = client.post(reverse("set_language"), {"language": "xx<script>", "next": "/"})
    assert "django_language" not in response.cookies
    assert client.get("/")["Content-Language"] == "de"


WHEN = datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "Dienstag, 1. Dezember 2026, 09:30"),
        ("en", "Tuesday, 1 December 2026, 09:30"),
        ("tr", "1 Aralık 2026, Salı, 09:30"),
        ("ar", "الثلاثاء، 1 ديسمبر 2026، 09:30"),
        ("uk", "вівторок, 1 грудня 2026 р., 09:30"),
        ("ru", "вторник, 1 декабря 2026 г., 09:30"),
    ],
)
def test_dates_and_times_follow_the_language(language, expected):
    with translation.override(language):
        shown = formats.date_format(WHEN, "DATETIME_FORMAT")
    assert shown.casefold() == expected.casefold()


@pytest.mark.parametrize(
    ("language", "expected"), [("de", "1.234,5"), ("en", "1,234.5"), ("tr", "1.234,5")]
)
def test_numbers_follow_the_language(language, expected):
    with translation.override(language):
        assert formats.number_format(1234.5, 1, force_grouping=True) == expected


@pytest.mark.django_db
def test_staff_see_the_language_the_citizen_knocked_in(make_department, make_staff):
    department = make_department()
    clerk = make_staff(department)
    citizen = Client(HTTP_ACCEPT_LANGUAGE="tr")
    response = citizen.post(
        reverse("public:knock", args=[department.slug]), {"display_name": "Ayşe"}
    )
    assert response.status_code == 302
    entry = QueueEntry.objects.get(display_name="Ayşe")
    assert entry.language == "tr"
    desk = desk_of(clerk.staff_profile.pk)
    [shown] = desk.waiting
    assert shown.language == "tr"
