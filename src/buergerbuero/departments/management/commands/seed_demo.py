"""Create (or refresh) the demo departments and demo staff logins."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from buergerbuero.bookings.models import AppointmentKind, BookingSettings
from buergerbuero.departments.demo import DEMO_APPOINTMENT_KINDS, DEMO_DEPARTMENTS
from buergerbuero.departments.models import Department, OpeningHours
from buergerbuero.staff.models import StaffProfile


class Command(BaseCommand):
    help = "Create the demo departments and a demo staff login (prints the login)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument("--password", default="demo-buergerbuero")

    @transaction.atomic
    def handle(self, *args, username, password, **options):
        departments = []
        for position, (slug, name, summary, hours) in enumerate(DEMO_DEPARTMENTS):
            department, _created = Department.objects.update_or_create(
                slug=slug, defaults={"name": name, "summary": summary, "position": position}
            )
            department.hours.all().delete()
            OpeningHours.objects.bulk_create(
                OpeningHours(department=department, weekday=d, opens_minute=o, closes_minute=c)
                for d, o, c in hours
            )
            departments.append(department)
            BookingSettings.objects.get_or_create(department=department)
            for position, (name, mode, minutes, location) in enumerate(
                DEMO_APPOINTMENT_KINDS.get(slug, [])
            ):
                AppointmentKind.objects.update_or_create(
                    department=department,
                    name=name,
                    defaults={
                        "mode": mode,
                        "duration_minutes": minutes,
                        "location": location,
                        "position": position,
                    },
                )
        user_model = get_user_model()
        user, _created = user_model.objects.get_or_create(
            username=username, defaults={"first_name": "Demo", "last_name": "Sachbearbeitung"}
        )
        user.set_password(password)
        user.is_staff = True
        user.is_superuser = True
        user.save()
        profile, _created = StaffProfile.objects.get_or_create(
            user=user, defaults={"is_administrator": True}
        )
        profile.departments.set(departments, through_defaults={"role": "lead"})
        self.stdout.write(f"{len(departments)} demo departments ready.")
        self.stdout.write(f"Demo staff login: user {username!r}, password {password!r}")
