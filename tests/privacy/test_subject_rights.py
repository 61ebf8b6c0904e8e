"""A citizen with a booking link sees everything stored about the booking (Art. 15 GDPR)
and deletes it (Art. 17 GDPR); the anonymous statistics stay."""

import pytest
from django.core import mail
from django.db.models import Sum
from django.urls import reverse

from buergerbuero.bookings import actions as booking_actions
from buergerbuero.bookings.availability import available_slots
from buergerbuero.bookings.mails import send_due
from buergerbuero.bookings.models import Booking, BookingStatus, OccupiedCell, OutgoingMail
from buergerbuero.calls.models import Role
from buergerbuero.privacy.models import DailyStatistic
from buergerbuero.privacy.statistics import local_day
from buergerbuero.waiting import actions as queue_actions
from buergerbuero.waiting.models import EntryState

pytestmark = pytest.mark.django_db

EVERY_FIELD = [
    "Internal number",
    "Booking code",
    "Secret part of your booking link",
    "Department",
    "Appointment",
    "Begins",
    "Ends",
    "Parallel appointment number",
    "Name",
    "E-mail address",
    "Phone number",
    "Topic",
    "Language",
    "Status",
    "Booked at",
    "Booked by staff for you",
    "Cancelled at",
    "Message with the cancellation",
    "Waiting room entry",
]


@pytest.fixture
def booked(make_kind):
    kind = make_kind()
    start = available_slots(kind)[0][0]
    return booking_actions.book(
        kind, start, "Ada Lovelace", email="ada@example.org", phone="0170 123", topic="Wohngeld"
    )


def data_url(booking) -> str:
    return reverse("privacy:my_data", args=[booking.token])


def erase_url(booking) -> str:
    return reverse("privacy:erase", args=[booking.token])


def personal(booking) -> tuple:
    booking.refresh_from_db()
    return (booking.display_name, booking.email, booking.phone, booking.topic, booking.language)


def consulted(booking, clerk):
    """Checked in, admitted and talked to: the appointment took place."""
    entry = booking_actions.check_in(booking, now=booking.starts_at)
    room = queue_actions.admit(entry.pk, clerk)
    return entry, room


def test_my_data_lists_every_stored_field_and_the_mails(english, booked, django_assert_num_queries):
    send_due()
    with django_assert_num_queries(2):
        response = english.get(data_url(booked))
    assert response.status_code == 200
    held = response.context["held"]
    assert [label for label, _value in held.booking] == EVERY_FIELD
    assert len(held.booking) == len(Booking._meta.concrete_fields)
    values = dict(held.booking)
    assert (values["Name"], values["E-mail address"], values["Phone number"], values["Topic"]) == (
        "Ada Lovelace",
        "ada@example.org",
        "0170 123",
        "Wohngeld",
    )
    assert (values["Status"], values["Booked by staff for you"]) == ("booked", False)
    assert [(m.kind, m.to, m.sent_at is not None) for m in held.mails] == [
        ("confirmation", "ada@example.org", True)
    ]
    page = response.content.decode()
    assert "ada@example.org" in page and held.mails[0].subject in page
    assert "You have not entered the waiting room with this booking." in page


def test_my_data_shows_the_waiting_room_entry_and_the_seat_in_the_call(
    english, booked, make_staff, django_assert_num_queries
):
    entry, _room = consulted(booked, make_staff(booked.department))
    with django_assert_num_queries(3):
        response = english.get(data_url(booked))
    held = response.context["held"]
    assert held.queue_entry.pk == entry.pk
    assert [(p.role, p.display_name) for p in held.participations] == [
        (Role.CITIZEN, "Ada Lovelace")
    ]
    assert dict(held.booking)["Waiting room entry"] == entry.pk


def test_booking_page_links_to_my_data(english, booked):
    response = english.get(reverse("bookings:manage", args=[booked.token]))
    assert f'href="{data_url(booked)}"' in response.content.decode()


def test_erasing_an_upcoming_booking_cancels_it_frees_the_time_and_sends_nothing(english, booked):
    start = booked.starts_at
    response = english.post(erase_url(booked), {"confirm": "yes"}, follow=True)

    assert response.redirect_chain == [(data_url(booked), 302)]
    assert "Your data has been deleted." in response.content.decode()
    assert personal(booked) == ("", "", "", "", "")
    assert booked.status == BookingStatus.CANCELLED
    assert OccupiedCell.objects.count() == 0
    assert OutgoingMail.objects.count() == 0
    assert send_due() == 0 and mail.outbox == []
    assert start in [s for s, _seat in available_slots(booked.kind)]
    statistic = DailyStatistic.objects.get(
        department=booked.department, day=local_day(start, booked.department)
    )
    assert (statistic.bookings, statistic.cancelled, statistic.no_shows) == (1, 1, 0)


def test_erasing_while_waiting_takes_the_citizen_out_of_the_queue(english, booked):
    entry = booking_actions.check_in(booked, now=booked.starts_at)

    english.post(erase_url(booked), {"confirm": "yes"})

    entry.refresh_from_db()
    assert (entry.state, entry.display_name, entry.topic) == (EntryState.LEFT, "", "")
    assert personal(booked) == ("", "", "", "", "") and booked.status == BookingStatus.CANCELLED


def test_erasing_after_the_consultation_keeps_its_outcome_and_the_staff_name(
    english, booked, make_staff
):
    clerk = make_staff(booked.department)
    entry, room = consulted(booked, clerk)

    english.post(erase_url(booked), {"confirm": "yes"})

    booked.refresh_from_db()
    entry.refresh_from_db()
    assert (booked.status, entry.state, entry.display_name) == (
        BookingStatus.WAITING,
        EntryState.ADMITTED,
        "",
    )
    names = dict(room.participants.values_list("role", "display_name"))
    assert names == {Role.STAFF: clerk.get_full_name(), Role.CITIZEN: ""}
    # Summed over days: late in the evening the knock (today) and the booking (its
    # appointment's day) fall on different days.
    totals = DailyStatistic.objects.filter(department=booked.department).aggregate(
        knocks=Sum("knocks"), admitted=Sum("admitted"), bookings=Sum("bookings")
    )
    assert totals == {"knocks": 1, "admitted": 1, "bookings": 1}


def test_erasing_needs_the_confirmation(english, booked):
    response = english.post(erase_url(booked), {}, follow=True)
    assert "Please confirm that your data should be deleted." in response.content.decode()
    assert personal(booked) == ("Ada Lovelace", "ada@example.org", "0170 123", "Wohngeld", "")


def test_erasing_is_rate_limited_like_cancelling(english, booked, settings, make_kind):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "cancel": (1, 3600)}
    other = booking_actions.book(
        booked.kind, available_slots(booked.kind)[0][0], "Grace Hopper", email="g@example.org"
    )
    english.post(erase_url(other), {"confirm": "yes"})
    response = english.post(erase_url(booked), {"confirm": "yes"}, follow=True)
    assert "Too many attempts. Please try again later." in response.content.decode()
    assert personal(booked) == ("Ada Lovelace", "ada@example.org", "0170 123", "Wohngeld", "")


def test_erasing_twice_changes_nothing_more(english, booked):
    english.post(erase_url(booked), {"confirm": "yes"})
    response = english.post(erase_url(booked), {"confirm": "yes"})
    assert response.status_code == 302
    assert personal(booked) == ("", "", "", "", "")


def test_erase_is_post_only_and_unknown_links_are_not_found(english, booked):
    assert english.get(erase_url(booked)).status_code == 405
    assert english.get(reverse("privacy:my_data", args=["nope"])).status_code == 404
    assert (
        english.post(reverse("privacy:erase", args=["nope"]), {"confirm": "yes"}).status_code == 404
    )
