"""A department closed or unstaffed: what its page offers instead, and the callback form."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from buergerbuero.access import CALLBACKS_KEY
from buergerbuero.waiting.callbacks import callback_windows, complete_callback
from buergerbuero.waiting.models import CallbackRequest

from ..factories import make_department, make_kind, make_staff

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", response.content.decode()).split())


def test_unstaffed_within_hours_says_so_and_offers_slots_related_and_callback(
    english, django_assert_max_num_queries
):
    office = make_department(slug="wohngeld", name="Wohngeld", accepts_callbacks=True)
    make_kind(office, name="Beratung")
    related_open = make_department(slug="sozialamt", name="Sozialamt")
    make_staff(related_open)
    related_closed = make_department(slug="jobcenter", name="Jobcenter")
    office.related_departments.set([related_open, related_closed])

    with django_assert_max_num_queries(40):
        response = english.get(reverse("public:department", args=["wohngeld"]))

    text = text_of(response)
    assert "Nobody available right now" in text
    assert (
        "Within opening hours, but nobody from this office is available at the moment. "
        "Someone may be back any minute." in text
    )
    slots = response.context["alternatives"].slots
    assert len(slots) == 3
    assert [slot.kind_name for slot in slots] == ["Beratung"] * 3
    assert (
        reverse(
            "bookings:book", args=["wohngeld", slots[0].kind_id, slots[0].starts_at.isoformat()]
        )
        in response.content.decode()
    )
    related = response.context["alternatives"].related_open
    assert [(r.department.slug, r.state) for r in related] == [("sozialamt", "open")]
    assert "Sozialamt: Open – free" in text
    assert "Jobcenter" not in text
    assert 'action="/fachbereich/wohngeld/rueckruf/"' in response.content.decode()


def test_open_department_offers_no_alternatives(english):
    office = make_department(slug="wohngeld", accepts_callbacks=True)
    make_staff(office)

    response = english.get(reverse("public:department", args=["wohngeld"]))

    assert response.context["alternatives"] is None
    assert "rueckruf" not in response.content.decode()
    assert english.get(reverse("public:alternatives", args=["wohngeld"])).status_code == 204


def test_waiting_room_fragment_of_an_unstaffed_office(english):
    office = make_department(slug="wohngeld", accepts_callbacks=True)

    response = english.get(reverse("public:alternatives", args=[office.slug]))

    assert response.status_code == 200
    # A link to the form, not the form: the waiting room stays as it is.
    assert (
        '<a href="/fachbereich/wohngeld/rueckruf/">Ask for a callback</a>'
        in response.content.decode()
    )
    assert "<form" not in response.content.decode()


def test_callback_request_is_stored_and_the_citizen_sees_it(english):
    office = make_department(slug="wohngeld", accepts_callbacks=True)
    window = callback_windows(office)[0]

    response = english.post(
        reverse("public:callback", args=["wohngeld"]),
        {"phone": "+49 30 1234567", "window": window.key, "topic": "Antrag"},
    )

    stored = CallbackRequest.objects.get()
    assert response["Location"] == reverse("public:callback_sent", args=["wohngeld", stored.pk])
    assert english.session[CALLBACKS_KEY] == [stored.pk]
    assert (stored.phone, stored.topic, stored.language) == ("+49301234567", "Antrag", "en")
    page = english.get(response["Location"])
    assert "+49301234567" in text_of(page)

    # Called back: the same address says so, under a heading that fits.
    complete_callback(stored.pk, make_staff(office, username="clerk"))
    page = text_of(english.get(response["Location"]))
    assert "The office has handled your callback request." in page
    assert "Callback request handled" in page and "Callback requested" not in page


def test_the_citizen_withdraws_a_callback_request(english, django_capture_on_commit_callbacks):
    """Changed their mind, or the matter settled itself: the request and the number are
    deleted at once, the consoles stop listing it, and the page says who ended it. A
    second click (or a reload of the answer) says the same, never an error."""
    from buergerbuero import notify

    office = make_department(slug="wohngeld", accepts_callbacks=True)
    window = callback_windows(office)[0]
    sent = english.post(
        reverse("public:callback", args=["wohngeld"]),
        {"phone": "+49 30 1234567", "window": window.key},
    )["Location"]
    stored = CallbackRequest.objects.get()
    withdraw = reverse("public:callback_withdraw", args=["wohngeld", stored.pk])
    assert f'action="{withdraw}"' in english.get(sent).content.decode()
    heard: list = []
    notify.listen(heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = english.post(withdraw)
    finally:
        notify.unlisten(heard.append)

    assert response["Location"] == sent
    assert not CallbackRequest.objects.exists()
    assert heard == [notify.CallbacksChanged(office.pk, withdrawn=True)]
    page = text_of(english.get(sent))
    assert "You have withdrawn your callback request." in page
    assert "Callback request withdrawn" in page and "Callback requested" not in page
    assert "+49301234567" not in page
    assert english.post(withdraw)["Location"] == sent
    assert "You have withdrawn your callback request." in text_of(english.get(sent))


def test_callback_errors_are_linked_to_their_fields(english):
    make_department(slug="wohngeld", accepts_callbacks=True)

    response = english.post(
        reverse("public:callback", args=["wohngeld"]), {"phone": "12", "window": "morgen"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert '<a href="#id_phone">Your telephone number: Please enter a telephone number' in html
    assert '<a href="#id_window">When may we call you?: Select a valid choice.' in html
    assert 'aria-describedby="id_phone_helptext id_phone_error"' in html
    assert 'aria-invalid="true"' in html
    assert CallbackRequest.objects.count() == 0


@override_settings(RATE_LIMITS={"callback": (2, 3600)})
def test_callback_requests_are_rate_limited(english):
    office = make_department(slug="wohngeld", accepts_callbacks=True)
    key = callback_windows(office)[0].key
    url = reverse("public:callback", args=["wohngeld"])

    codes = [
        english.post(url, {"phone": "030 1234567", "window": key}).status_code for _ in range(3)
    ]

    assert codes == [302, 302, 429]
    assert CallbackRequest.objects.count() == 2
