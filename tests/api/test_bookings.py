"""Booking, moving and cancelling through the API: the pages' actions, rules and limits."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from buergerbuero.bookings.models import Booking, BookingStatus


@pytest.fixture
def kind(make_kind):
    return make_kind(minutes=30, name="Beratung")


def free(api, kind, n=0) -> str:
    slug = kind.department.slug
    return api.get(f"/api/v1/departments/{slug}/kinds/{kind.pk}/slots").json()["slots"][n]


def book(api, kind, start, **fields):
    body = {
        "department": kind.department.slug,
        "kind": kind.pk,
        "starts_at": start,
        "display_name": "Ada",
        **fields,
    }
    return api.post("/api/v1/bookings", body, content_type="application/json")


def test_book_move_cancel(api, kind):
    start = free(api, kind)
    created = book(api, kind, start, email="ada@example.org")
    assert created.status_code == 201
    body = created.json()
    booking = Booking.objects.get()
    assert body["token"] == booking.token
    assert (body["status"], body["kind"], body["department"]) == (
        "booked",
        kind.pk,
        kind.department.slug,
    )
    assert body["manage_url"].endswith(f"/termin/{booking.token}/")

    later = free(api, kind, 3)
    moved = api.post(
        f"/api/v1/bookings/{booking.token}/move",
        {"starts_at": later},
        content_type="application/json",
    )
    assert moved.status_code == 200
    booking.refresh_from_db()
    assert booking.starts_at.isoformat().replace("+00:00", "Z") == later

    cancelled = api.post(f"/api/v1/bookings/{booking.token}/cancel")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    again = api.post(f"/api/v1/bookings/{booking.token}/cancel")
    assert (again.status_code, again.json()["code"]) == (409, "not_active")


def test_a_taken_slot_offers_alternatives(api, kind):
    start = free(api, kind)
    assert book(api, kind, start).status_code == 201
    response = book(api, kind, start)
    assert response.status_code == 409
    assert response.json()["code"] == "slot_taken"
    assert len(response.json()["alternatives"]) > 0


def test_a_time_that_is_no_slot(api, kind):
    response = book(api, kind, (timezone.now() - timedelta(days=1)).isoformat())
    assert (response.status_code, response.json()["code"]) == (409, "not_bookable")


def test_the_name_is_required_as_on_the_page(api, kind):
    response = book(api, kind, free(api, kind), display_name="   ")
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["display_name"]


def test_malformed_json_and_wrong_types(api, kind):
    malformed = api.post("/api/v1/bookings", "{nope", content_type="application/json")
    assert (malformed.status_code, malformed.json()["code"]) == (400, "malformed_json")
    wrong = api.post(
        "/api/v1/bookings",
        {"department": 1, "kind": "x", "starts_at": "soon", "display_name": 5},
        content_type="application/json",
    )
    assert (wrong.status_code, wrong.json()["code"]) == (422, "invalid_input")
    naive = book(api, kind, "2030-01-01T10:00:00")
    assert naive.status_code == 422
    unknown_field = book(api, kind, free(api, kind), admin=True)
    assert unknown_field.status_code == 422


def test_unknown_or_odd_tokens_are_404(api, db):
    for token in ["nothing-here", "a%00b"]:
        response = api.get(f"/api/v1/bookings/{token}")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_booking_shares_the_pages_rate_limit(api, kind, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "book": (1, 3600)}
    assert book(api, kind, free(api, kind)).status_code == 201
    response = book(api, kind, free(api, kind, 2))
    assert (response.status_code, response.json()["code"]) == (429, "rate_limited")
    assert Booking.objects.filter(status=BookingStatus.BOOKED).count() == 1


def test_cancelling_shares_the_pages_rate_limit(api, kind, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "cancel": (0, 3600)}
    token = book(api, kind, free(api, kind)).json()["token"]
    response = api.post(f"/api/v1/bookings/{token}/cancel")
    assert (response.status_code, response.json()["code"]) == (429, "rate_limited")


def test_no_csrf_token_needed_no_cookie_used(kind):
    # The API authenticates by token or by nothing, never by a cookie, so a program
    # without the pages' CSRF token can book.
    program = Client(enforce_csrf_checks=True)
    slot = program.get(f"/api/v1/departments/{kind.department.slug}/kinds/{kind.pk}/slots").json()[
        "slots"
    ][0]
    assert book(program, kind, slot).status_code == 201
