"""Error pages (DEBUG off): the office's design, the visitor's language with the right
lang and dir, a way back; the 500 page without the database; the CSRF page translated."""

import pytest
from django.test import Client, override_settings

HEADINGS = {
    "de": {
        400: "Die Anfrage konnte nicht verarbeitet werden",
        403: "Zugriff verweigert",
        404: "Seite nicht gefunden",
        500: "Etwas ist schiefgegangen",
        "csrf": "Das Formular konnte nicht gesendet werden",
    },
    "en": {
        400: "The request could not be processed",
        403: "Access denied",
        404: "Page not found",
        500: "Something went wrong",
        "csrf": "The form could not be sent",
    },
    "ar": {
        400: "تعذّرت معالجة الطلب",
        403: "الوصول مرفوض",
        404: "الصفحة غير موجودة",
        500: "حدث خطأ ما",
        "csrf": "تعذّر إرسال النموذج",
    },
}
HTML_TAG = {
    "de": '<html lang="de" dir="ltr">',
    "en": '<html lang="en" dir="ltr">',
    "ar": '<html lang="ar" dir="rtl">',
}
OVERVIEW_LINK = {"de": "Alle Fachbereiche", "en": "All departments", "ar": "جميع الأقسام"}


def visitor(language: str | None, **options) -> Client:
    """A browser without cookies; `language` in Accept-Language (None: the default)."""
    headers = {"accept-language": language} if language else {}
    return Client(headers=headers, raise_request_exception=False, **options)


def assert_error_page(response, status: int, language: str, kind) -> str:
    text = response.content.decode()
    assert response.status_code == status
    assert HTML_TAG[language] in text
    assert f"<h1>{HEADINGS[language][kind]}</h1>" in text
    assert f'<li><a href="/">{OVERVIEW_LINK[language]}</a></li>' in text
    assert 'href="/static/bb/site.css"' in text  # the office's design, not Django's page
    assert "<script" not in text and "style=" not in text
    return text


@pytest.mark.parametrize("language", ["de", "en", "ar"])
@override_settings(ROOT_URLCONF="tests.operations.raising_urls")
@pytest.mark.parametrize("status", [400, 403, 500])
def test_raised_errors_render_the_office_page(db, language, status):
    response = visitor(None if language == "de" else language).get(f"/test/{status}/")
    assert_error_page(response, status, language, status)


@pytest.mark.parametrize("language", ["de", "en", "ar"])
def test_unknown_page_is_the_office_404(db, language):
    response = visitor(None if language == "de" else language).get("/gibt-es-nicht/")
    assert_error_page(response, 404, language, 404)


def test_a_host_not_allowed_gets_the_office_400(db):
    response = visitor("en").get("/", headers={"host": "evil.example"})
    text = assert_error_page(response, 400, "en", 400)
    assert "Back to the previous page" not in text


def test_a_link_back_to_the_page_the_visitor_came_from(db):
    came_from = "http://testserver/fachbereich/wohngeld/"
    response = visitor("en").get("/gibt-es-nicht/", headers={"referer": came_from})
    text = assert_error_page(response, 404, "en", 404)
    assert f'<li><a href="{came_from}">Back to the previous page</a></li>' in text


def test_no_link_back_to_another_site(db):
    response = visitor("en").get("/gibt-es-nicht/", headers={"referer": "https://evil.example/"})
    text = assert_error_page(response, 404, "en", 404)
    assert "evil.example" not in text and "Back to the previous page" not in text


@override_settings(ROOT_URLCONF="tests.operations.raising_urls")
def test_the_500_page_needs_no_database():
    # No `db` fixture: any query fails the request. A session cookie would make the
    # session, login and messages context processors query; the 500 page runs none.
    client = visitor("en")
    client.cookies["sessionid"] = "a" * 32
    response = client.get("/test/500/?x=1")
    text = assert_error_page(response, 500, "en", 500)
    assert '<li><a href="/test/500/?x=1">Try again</a></li>' in text


@pytest.mark.parametrize("language", ["de", "en", "ar"])
def test_csrf_failure_page_in_the_visitors_language(db, language):
    client = visitor(None if language == "de" else language, enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "tr"})
    text = assert_error_page(response, 403, language, "csrf")
    # Its language switcher works: a fresh token (Django's own page has none).
    assert 'name="csrfmiddlewaretoken"' in text
