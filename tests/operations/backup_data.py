"""An office's data for the backup tests, written and read through the ORM; imported by the
tests and by the `manage.py shell` processes of the command-line test."""

import json
from datetime import timedelta

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from buergerbuero.bookings.actions import book, next_free
from buergerbuero.bookings.configuration import add_closure
from buergerbuero.bookings.models import Booking, Closure
from buergerbuero.departments.models import Department, OpeningHours
from buergerbuero.waiting.actions import knock

from .. import factories

# The tables the issue names; each must hold rows, so the comparison covers them.
NAMED = (
    "departments.Department",
    "departments.OpeningHours",
    "bookings.Booking",
    "bookings.AppointmentKind",
    "departments.Closure",
    "bookings.BookingSettings",
    "staff.StaffProfile",
    "staff.Membership",
    "audit.AuditEvent",
    "waiting.QueueEntry",
    "auth.User",
)


def seed(old_booking: bool = False) -> None:
    now = timezone.now().replace(microsecond=123456)
    wohngeld = factories.make_department(slug="wohngeld", name="Wohngeld")
    factories.make_department(
        slug="kfz", name="Kfz-Zulassung", hours=[(0, 480, 720), (3, 840, 1080)], is_active=False
    )
    clerk = factories.make_staff(wohngeld, username="clerk")
    kind = factories.make_kind(wohngeld, minutes=20, name="Beratung")
    factories.make_kind(wohngeld, mode="in_person", name="Vor Ort")
    add_closure(wohngeld, now + timedelta(days=3), now + timedelta(days=4), "Ausflug", clerk)
    start = next_free(kind, now + timedelta(days=1), now=now)[0]
    book(kind, start, "Ayşe Yılmaz", email="a@example.org", topic="Antrag", staff_user=clerk)
    factories.make_booking(kind, now + timedelta(days=2), display_name="Jörg Ölmann", phone="01")
    if old_booking:  # its retention (30 days after the appointment) has ended
        factories.make_booking(kind, now - timedelta(days=60), display_name="Alt Kunde")
    knock(wohngeld, "Wartende Person", "Frage")


def change() -> None:
    """What happens after the backup, and must be undone by the restore."""
    knock(Department.objects.get(slug="wohngeld"), "Später gekommen")
    Closure.objects.all().delete()
    OpeningHours.objects.filter(department__slug="kfz").delete()
    Booking.objects.update(topic="geändert")
    Department.objects.filter(slug="wohngeld").update(name="Umbenannt")


def rows() -> dict[str, list]:
    """Every row of every table, as the ORM reads it, in a form that compares exactly."""
    found = {
        model._meta.label: [list(row) for row in model.objects.order_by("pk").values_list()]
        for model in apps.get_models(include_auto_created=True)
    }
    return json.loads(json.dumps(found, cls=DjangoJSONEncoder))
