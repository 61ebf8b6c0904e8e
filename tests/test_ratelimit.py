"""Rate limits fail safe: with the shared cache (Redis) unreachable, every limited action
still answers, never with a 500, and its limit still holds, counted in the process."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from buergerbuero import ratelimit
from buergerbuero.bookings.availability import available_slots
from buergerbuero.bookings.models import Booking
from buergerbuero.waiting.models import QueueEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def english():
    return Client(headers={"accept-language": "en"})


def test_knocks_are_limited_in_the_process_while_redis_is_down(
    redis_down, office_with_clerk, english, settings, caplog
):
    department, _ = office_with_clerk
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "knock": (2, 3600)}
    url = reverse("public:knock", args=[department.slug])
    with caplog.at_level(logging.INFO, logger="buergerbuero.ratelimit"):
        statuses = [english.post(url, {"display_name": f"Bot {n}"}).status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert QueueEntry.objects.count() == 2
    # One line for the outage, not one (let alone a traceback) per request.
    ours = [r for r in caplog.records if r.name == "buergerbuero.ratelimit"]
    assert [(r.levelname, r.exc_info) for r in ours] == [("WARNING", None)]
    assert (
        ours[0]
        .getMessage()
        .startswith("the shared cache (rate limits) unreachable (ConnectionError: ")
    )


def test_booking_and_codes_are_limited_while_redis_is_down(redis_down, make_kind, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "book": (2, 3600), "code": (2, 3600)}
    kind = make_kind()
    client = Client(headers={"accept-language": "en"})
    slots = [s for s, _ in available_slots(kind)]
    book = [
        client.post(
            reverse("bookings:book", args=[kind.department.slug, kind.pk, s.isoformat()]),
            {"display_name": "Bot"},
        ).status_code
        for s in slots[:3]
    ]
    assert book == [302, 302, 429]
    assert Booking.objects.count() == 2
    booking = Booking.objects.first()
    assert booking is not None
    url = reverse("bookings:check_in_by_code", args=[kind.department.slug])
    codes = [client.post(url, {"code": c}).status_code for c in ["AAAAAAAAAA", "BBBBBBBBBB"]]
    assert codes == [302, 302]  # back to the form, which says the code is unknown
    # The right code too is refused once over the limit.
    response = client.post(url, {"code": booking.code}, follow=True)
    assert "Too many attempts" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_invitation_links_are_limited_while_redis_is_down(redis_down, settings, english):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "invitation": (2, 3600)}
    statuses = [
        english.get(reverse("public:invitation", args=[f"guess{n}"])).status_code for n in range(3)
    ]
    assert statuses == [410, 410, 429]


def test_counts_move_back_to_redis_when_it_answers_again(redis_down, settings, caplog):
    with caplog.at_level(logging.INFO, logger="buergerbuero.ratelimit"):
        assert [ratelimit.count("k", 60) for _ in range(2)] == [1, 2]  # in the process
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        ratelimit._retry_at = 0.0  # the pause before asking the shared cache again is over
        assert ratelimit.count("k", 60) == 1  # the shared cache's own count
    assert [r.levelname for r in caplog.records] == ["WARNING", "INFO"]
    assert caplog.records[1].getMessage() == "the shared cache (rate limits) answers again"
