"""The first administrator: `manage.py create_administrator it@kreis.example`.

The password comes from a prompt, or from --password-file (first line), never from the
command line (it would stay in the shell history and the process list).
"""

import getpass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from buergerbuero.audit.actions import record
from buergerbuero.audit.models import Action
from buergerbuero.staff.models import StaffProfile


class Command(BaseCommand):
    help = "Create an administrator (county IT) with a password from a prompt or a file."

    def add_arguments(self, parser):
        parser.add_argument("email", help="e-mail address, also the user name")
        parser.add_argument("--name", default="", help="first and last name")
        parser.add_argument(
            "--password-file", type=Path, help="file whose first line is the password"
        )

    def handle(self, *args, email, name, password_file, **options):
        email = email.strip().lower()
        User = get_user_model()
        if User.objects.filter(username__iexact=email).exists():
            raise CommandError(f"An account {email} exists already.")
        if password_file is not None:
            try:
                password = password_file.read_text().splitlines()[0]
            except (OSError, IndexError) as error:
                raise CommandError(
                    f"Cannot read a password from {password_file}: {error}"
                ) from None
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        first, _space, last = name.partition(" ")
        with transaction.atomic():
            user = User.objects.create_user(
                username=email, email=email, password=password, first_name=first, last_name=last
            )
            StaffProfile.objects.create(user=user, is_administrator=True)
            record(
                Action.ADD_MEMBER,
                actor=None,
                object_type="user",
                object_id=user.pk,
                detail="administrator (command)",
            )
        self.stdout.write(f"Administrator {email} created.")
