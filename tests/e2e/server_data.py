"""Run inside the server's database (manage.py shell -c; never imported): the e2e departments and staff.

An office open around the clock, so the tests do not depend on the time they run at.
"""

import os

from django.contrib.auth import get_user_model

from buergerbuero.departments.models import Department, OpeningHours
from buergerbuero.staff.models import StaffProfile

PASSWORD = os.environ["E2E_STAFF_PASSWORD"]

office = Department.objects.create(
    slug="e2e-office",
    name="E2E Office",
    summary="Always open for the browser tests",
    description="Wir beraten zu allem, was die Browsertests brauchen.",
    holiday_country="",  # open on public holidays too, whatever day the tests run
)
OpeningHours.objects.bulk_create(
    OpeningHours(department=office, weekday=day, opens_minute=0, closes_minute=1440)
    for day in range(7)
)
staff = get_user_model().objects.create_user(
    "e2e-staff", password=PASSWORD, first_name="Erika", last_name="Muster"
)
StaffProfile.objects.create(user=staff).departments.set([office])

# Appointments: bookable right away, every half hour around the clock.
from buergerbuero.bookings.models import AppointmentKind, BookingSettings  # noqa: E402

BookingSettings.objects.create(
    department=office, buffer_minutes=0, min_notice_minutes=0, horizon_days=7
)
AppointmentKind.objects.create(
    department=office, name="Videoberatung", mode="video", duration_minutes=30
)

# A team lead who may change booking rules and read the record of processing activities:
# the accessibility tests visit those pages too.
from django.contrib.auth.models import Permission  # noqa: E402

lead = get_user_model().objects.create_user(
    "e2e-lead", password=PASSWORD, first_name="Lena", last_name="Leitung"
)
StaffProfile.objects.create(user=lead).departments.set([office], through_defaults={"role": "lead"})
lead.user_permissions.set(Permission.objects.filter(codename="view_processing_record"))

# Statistics: anonymous figures of earlier days (the ticker computes today's itself and
# leaves hours older than a day alone), so the lead's charts have bars to draw.
from datetime import timedelta  # noqa: E402

from django.utils import timezone  # noqa: E402

from buergerbuero.statistics.models import HourlyFigures  # noqa: E402

hour = timezone.now().replace(minute=0, second=0, microsecond=0)
HourlyFigures.objects.bulk_create(
    HourlyFigures(
        department=office,
        hour=hour - timedelta(days=days),
        knocks=days + 2,
        admitted=days + 1,
        declined=1,
        consultations=days + 1,
        wait_seconds={"60": 1, str(60 * days): days},
        consultation_seconds={"600": days + 1},
    )
    for days in range(2, 9)
)
