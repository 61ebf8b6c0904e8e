"""Booking pages over HTTP: bad input changes nothing, links reveal one booking only,
rate limits hold. The staff's side is in tests/console/test_booking_views.py."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from buergerbuero.bookings import actions
from buergerbuero.bookings.availability import available_slots
from buergerbuero.bookings.models import Booking, OccupiedCell

pytestmark = pytest.mark.django_db


def book_url(kind, start):
    return reverse("bookings:book", args=[kind.department.slug, kind.pk, start.isoformat()])


def test_booking_form_books_and_redirects_to_the_booking(client, make_kind):
    kind = make_kind()
    start = available_slots(kind)[0][0]
    response = client.post(book_url(kind, start), {"display_name": "Ada", "email": ""})
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("bookings:manage", args=[booking.token])
    page = client.get(response["Location"])
    assert booking.code[:5] in page.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"display_name": ""}, "display_name"),
        ({"display_name": "x" * 61}, "display_name"),
        ({"display_name": "\u200b\u200b"}, "display_name"),
        ({"display_name": "Ada", "email": "not-an-address"}, "email"),
        ({"display_name": "Ada", "topic": "t" * 201}, "topic"),
    ],
)
def test_booking_form_rejects_bad_input_and_books_nothing(client, make_kind, data, field):
    kind = make_kind()
    start = available_slots(kind)[0][0]
    response = client.post(book_url(kind, start), data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert Booking.objects.count() == 0 and OccupiedCell.objects.count() == 0


def test_booking_a_past_or_taken_time_explains_and_offers_others(client, make_kind):
    kind = make_kind()
    past = timezone.now().replace(microsecond=0) - timedelta(days=2)
    response = client.post(book_url(kind, past), {"display_name": "Ada"})
    assert response.status_code == 409
    assert response.context["problem"] == "not_bookable"
    start = available_slots(kind)[0][0]
    actions.book(kind, start, "First")
    response = client.post(book_url(kind, start), {"display_name": "Second"})
    assert response.status_code == 409
    assert response.context["problem"] == "slot_taken"
    assert response.context["alternatives"][0] > start
    assert Booking.objects.count() == 1


def test_malformed_slot_in_the_url_is_not_found(client, make_kind):
    kind = make_kind()
    for start in ["yesterday", "2026-11-30T10:00:00"]:  # garbage, and a time without zone
        url = reverse("bookings:book", args=[kind.department.slug, kind.pk, start])
        assert client.get(url).status_code == 404


def test_booking_link_shows_only_that_booking(client, make_kind):
    kind = make_kind()
    slots = [s for s, _ in available_slots(kind)]
    mine = actions.book(kind, slots[0], "Mine", email="mine@example.org")
    other = actions.book(kind, slots[1], "Other", email="other@example.org")
    page = client.get(reverse("bookings:manage", args=[mine.token])).content.decode()
    assert "Mine" in page and "Other" not in page and other.code not in page
    assert (
        client.get(reverse("bookings:manage", args=["guess" + mine.token[5:]])).status_code == 404
    )


def test_booking_is_rate_limited_per_client(client, make_kind, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "book": (2, 3600)}
    kind = make_kind()
    slots = [s for s, _ in available_slots(kind)]
    assert [
        client.post(book_url(kind, s), {"display_name": "Bot"}).status_code for s in slots[:3]
    ] == [302, 302, 429]
    assert Booking.objects.count() == 2


def test_code_guessing_is_rate_limited(client, make_kind, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "code": (3, 3600)}
    kind = make_kind()
    booking = actions.book(kind, available_slots(kind)[0][0], "Ada")
    url = reverse("bookings:check_in_by_code", args=[kind.department.slug])
    for guess in ["AAAAAAAAAA", "BBBBBBBBBB", "CCCCCCCCCC"]:
        client.post(url, {"code": guess})
    # Even the right code is refused once over the limit.
    response = client.post(url, {"code": booking.code}, follow=True)
    assert "Too many attempts" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_code_of_another_department_is_unknown(client, make_kind):
    kind = make_kind()
    other = make_kind()
    booking = actions.book(kind, available_slots(kind)[0][0], "Ada")
    url = reverse("bookings:check_in_by_code", args=[other.department.slug])
    response = client.post(url, {"code": booking.code}, follow=True)
    assert "We do not know this booking code for this department." in response.content.decode()


def test_booking_page_after_the_window_offers_rebooking_and_knocking(client, make_kind, settings):
    settings.BOOKING_LATE_MINUTES = 15
    kind = make_kind()
    booking = actions.book(kind, available_slots(kind)[0][0], "Spät")
    Booking.objects.filter(pk=booking.pk).update(
        starts_at=timezone.now() - timedelta(minutes=20),
        ends_at=timezone.now() + timedelta(minutes=10),
    )
    page = client.get(reverse("bookings:manage", args=[booking.token]))
    assert page.context["too_late"] is True and page.context["can_check_in"] is False
    assert reverse("bookings:choose", args=[kind.department.slug]) in page.content.decode()
    response = client.post(reverse("bookings:check_in", args=[booking.token]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("bookings:manage", args=[booking.token])
    booking.refresh_from_db()
    assert booking.status == "booked" and booking.queue_entry is None


def test_a_move_token_with_a_nul_moves_nothing_and_the_slots_still_show(client, make_kind):
    # PostgreSQL refuses a NUL in a query: before the token was checked, a 500.
    kind = make_kind()
    booking = actions.book(kind, available_slots(kind)[0][0], "Ada")
    url = reverse("bookings:choose", args=[kind.department.slug])
    pages = {
        name: client.get(url, {"verschieben": token})
        for name, token in [
            ("token", booking.token),
            ("NUL", "\x00"),
            ("token and NUL", booking.token + "\x00"),
        ]
    }
    assert {name: (r.status_code, r.context["moving"]) for name, r in pages.items()} == {
        "token": (200, booking),
        "NUL": (200, None),
        "token and NUL": (200, None),
    }


HOURS = [(d, 8 * 60, 10 * 60) for d in range(7)]


def test_times_are_chosen_by_day_and_only_that_days_times_show(client, make_kind):
    kind = make_kind(minutes=30, hours=HOURS, horizon=6, subdivision="")
    url = reverse("bookings:choose", args=[kind.department.slug])
    by_day = {}
    for start, _seat in available_slots(kind):
        by_day.setdefault(start.astimezone(kind.department.zone).date(), []).append(start)
    first, second = sorted(by_day)[:2]

    page = client.get(url)
    assert page.context["days"] == [(d, len(starts)) for d, starts in sorted(by_day.items())]
    assert (page.context["day"], page.context["times"]) == (first, by_day[first])
    html = page.content.decode()
    assert f'href="?art={kind.pk}&amp;tag={second.isoformat()}#zeiten"' in html
    assert html.count('class="button slot"') == len(by_day[first])
    assert "4 free times" in html

    chosen = client.get(url, {"art": kind.pk, "tag": second.isoformat()})
    assert (chosen.context["day"], chosen.context["times"]) == (second, by_day[second])
    assert chosen.content.decode().count('class="button slot"') == 4


@pytest.mark.parametrize("tag", ["morgen", "2026-13-01", "\x00", "9" * 300, ""])
def test_a_day_that_is_no_date_shows_the_first_day(client, make_kind, tag):
    kind = make_kind(minutes=30, hours=HOURS, horizon=6, subdivision="")
    page = client.get(reverse("bookings:choose", args=[kind.department.slug]), {"tag": tag})
    assert (page.status_code, page.context["day"]) == (200, page.context["days"][0][0])


def test_a_day_without_free_times_says_so_and_shows_no_times(client, make_kind):
    kind = make_kind(minutes=30, hours=HOURS, horizon=6, subdivision="")
    past = (timezone.now() - timedelta(days=3)).date()
    page = client.get(reverse("bookings:choose", args=[kind.department.slug]), {"tag": past})
    html = page.content.decode()
    assert (page.status_code, page.context["day"], page.context["times"]) == (200, None, [])
    assert "(any more). Please choose another day." in html
    assert 'class="button slot"' not in html


def test_cancelling_asks_first_and_a_second_confirmation_changes_nothing(client, make_kind):
    kind = make_kind()
    booking = actions.book(kind, available_slots(kind)[0][0], "Ada", email="ada@example.org")
    url = reverse("bookings:cancel", args=[booking.token])
    manage = reverse("bookings:manage", args=[booking.token])
    assert f'href="{url}"' in client.get(manage).content.decode()

    question = client.get(url)
    assert question.status_code == 200
    assert "Yes, cancel the appointment" in question.content.decode()
    # A POST that does not answer the question (an old page's one-click form) asks it.
    assert client.post(url).status_code == 200
    booking.refresh_from_db()
    assert booking.status == "booked"

    first = client.post(url, {"confirm": "yes"}, follow=True)
    second = client.post(url, {"confirm": "yes"}, follow=True)
    assert [str(m) for m in first.context["messages"]] == ["Your appointment is cancelled."]
    assert [str(m) for m in second.context["messages"]] == [
        "This appointment is already cancelled."
    ]
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert booking.mails.filter(kind="cancellation").count() == 1
    # The question is not asked again about a cancelled appointment.
    assert client.get(url).url == manage


def test_qr_code_is_a_standalone_svg_of_the_size_the_page_gives_it(client, make_kind):
    kind = make_kind()
    booking = actions.book(kind, available_slots(kind)[0][0], "Ada")
    response = client.get(reverse("bookings:qr", args=[booking.token]))
    assert response["Content-Type"] == "image/svg+xml"
    svg = ElementTree.fromstring(response.content)  # noqa: S314 (our own response)
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    size = svg.get("width")
    assert svg.get("height") == size and int(size) > 100
    page = client.get(reverse("bookings:manage", args=[booking.token])).content.decode()
    assert f'width="{size}" height="{size}" class="booking-qr"' in page
