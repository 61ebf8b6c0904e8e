"""A staff member lost the phone with the authenticator app: remove it, so the next
login asks for the password only and the console offers to set up a new one."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from buergerbuero.staff import second_factor


class Command(BaseCommand):
    help = "Remove a staff member's authenticator app (lost or replaced phone)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if not second_factor.reset(user):
            self.stdout.write(f"{username} has no authenticator app.")
            return
        self.stdout.write(f"Authenticator app of {username} removed; the next login needs no code.")
