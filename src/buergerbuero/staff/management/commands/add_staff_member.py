"""`manage.py add_staff_member lea@kreis.example --name "Lea Leitung" --department kfz:lead`

Creates the account in one step and mails the invitation to set a password.
"""

from django.core.management.base import BaseCommand, CommandError

from buergerbuero.audit.command_actor import command_actor
from buergerbuero.departments.models import Department
from buergerbuero.errors import DomainError
from buergerbuero.staff import accounts
from buergerbuero.staff.models import Role


class Command(BaseCommand):
    help = "Add a staff member (departments with role each) and send the invitation mail."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="")
        parser.add_argument(
            "--department",
            action="append",
            default=[],
            metavar="SLUG[:ROLE]",
            help="a department and the role there (staff or lead; default staff); repeatable",
        )
        parser.add_argument("--administrator", action="store_true")

    def handle(self, *args, email, name, department, administrator, **options):
        memberships = {}
        for item in department:
            slug, _colon, role = item.partition(":")
            role = role or Role.STAFF
            if role not in Role.values:
                raise CommandError(f"Unknown role {role!r}: staff or lead.")
            found = Department.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"No department {slug!r}.")
            memberships[found.pk] = role
        try:
            user = accounts.add_member(
                name=name or email,
                email=email,
                memberships=memberships,
                is_administrator=administrator,
                by=command_actor(),
            )
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{user.username} added; the invitation is on its way.")
