"""The console's appointment pages (console/booking_views.py): staff see and change the
bookings of their own departments only."""

from datetime import datetime

import pytest
from django.test import Client
from django.urls import reverse

from buergerbuero.bookings import actions
from buergerbuero.bookings.availability import available_slots
from buergerbuero.bookings.models import Booking

pytestmark = pytest.mark.django_db


def test_staff_day_view_only_for_own_departments(make_kind, make_staff):
    kind = make_kind()
    other = make_kind()
    anna = make_staff(kind.department)
    booked = actions.book(kind, available_slots(kind)[0][0], "Ada", phone="0211 1")
    client = Client()
    client.force_login(anna)
    day = booked.starts_at.astimezone(kind.department.zone).date()
    page = client.get(reverse("console:day", args=[kind.department.slug]) + f"?tag={day}")
    assert page.status_code == 200 and "Ada" in page.content.decode()
    assert client.get(reverse("console:day", args=[other.department.slug])).status_code == 403
    booking = Booking.objects.get()
    url = reverse("console:cancel_booking", args=[other.department.slug, booking.pk])
    assert client.post(url).status_code == 403
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_staff_cancel_with_message_and_no_show(make_kind, make_staff):
    kind = make_kind()
    anna = make_staff(kind.department)
    slots = [s for s, _ in available_slots(kind)]
    first = actions.book(kind, slots[0], "Ada", email="ada@example.org")
    second = actions.book(kind, slots[1], "Bob")
    client = Client()
    client.force_login(anna)
    slug = kind.department.slug
    client.post(
        reverse("console:cancel_booking", args=[slug, first.pk]),
        {"message": "Krankheit"},
    )
    client.post(reverse("console:mark_no_show", args=[slug, second.pk]))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.cancel_message, second.status) == (
        "cancelled",
        "Krankheit",
        "no_show",
    )
    assert first.mails.filter(kind="cancellation").count() == 1


def test_day_view_names_the_language_the_citizen_booked_in(make_kind, make_staff):
    kind = make_kind()
    anna = make_staff(kind.department)
    booked = actions.book(kind, available_slots(kind)[0][0], "Oksana", language="uk")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(anna)
    day = booked.starts_at.astimezone(kind.department.zone).date()
    text = client.get(reverse("console:day", args=[kind.department.slug]) + f"?tag={day}")
    assert "Language: Ukrainian" in text.content.decode()


@pytest.mark.parametrize("tag", ["0001-01-01", "9999-12-31", "9999-12-30", "2026-02-30", "x"])
def test_staff_day_view_of_a_day_out_of_reach_shows_today(make_kind, make_staff, tag):
    # Years 1 and 9999 overflowed in the department's zone or on the neighbouring days'
    # links: a 500 before.
    kind = make_kind()
    client = Client()
    client.force_login(make_staff(kind.department))
    page = client.get(reverse("console:day", args=[kind.department.slug]), {"tag": tag})
    today = datetime.now(kind.department.zone).date()
    assert (page.status_code, page.context["day"]) == (200, today)
