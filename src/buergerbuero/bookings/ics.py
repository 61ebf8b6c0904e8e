"""The appointment as an iCalendar file (RFC 5545), made with the icalendar library."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Booking, Mode


def booking_ics(booking: Booking) -> bytes:
    link = settings.SITE_URL + reverse("bookings:manage", args=[booking.token])
    calendar = Calendar()
    calendar.add("prodid", "-//Buergerbuero//Termin//DE")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{booking.pk}@buergerbuero")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", booking.starts_at)
    event.add("dtend", booking.ends_at)
    event.add("summary", f"{booking.department.name}: {booking.kind.name}")
    if booking.kind.mode == Mode.IN_PERSON and booking.kind.location:
        event.add("location", booking.kind.location)
    else:
        event.add("location", link)
    event.add("description", f"{booking.kind.name}\n{link}")
    event.add("url", link)
    event.add("status", "CANCELLED" if booking.status == "cancelled" else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
