"""`manage.py add_department kfz "Kfz-Zulassung" --time-zone Europe/Berlin`"""

from django.core.management.base import BaseCommand, CommandError

from buergerbuero.audit.command_actor import command_actor
from buergerbuero.departments import actions
from buergerbuero.errors import DomainError


class Command(BaseCommand):
    help = "Create a department (same validation as the administration page)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("name")
        parser.add_argument("--summary", default="")
        parser.add_argument("--time-zone", default=actions.DEFAULT_ZONE)
        parser.add_argument("--holidays", default="NW", help="region code of public holidays")

    def handle(self, *args, slug, name, summary, time_zone, holidays, **options):
        fields = {
            "slug": slug,
            "name": name,
            "summary": summary,
            "time_zone": time_zone,
            "holiday_subdivision": holidays,
        }
        try:
            department = actions.create_department(fields, by=command_actor())
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Department {department.slug} created.")
