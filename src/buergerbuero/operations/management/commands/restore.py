from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from buergerbuero.operations.backup import BackupError
from buergerbuero.operations.restore import (
    check_backup,
    in_use,
    read_metadata,
    restore_backup,
)


class Command(BaseCommand):
    help = (
        "Replace the office's database with the backup in FILE (all or nothing), then apply "
        "missing migrations, repeat erasure requests made after the backup and run the "
        "privacy purge. Stop the office first (docs/operations.md, 'Backup and restore')."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A file written by manage.py backup.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only check that FILE can be restored here; change nothing.",
        )
        parser.add_argument(
            "--even-if-connected",
            action="store_true",
            help="Restore although other sessions are connected to the database "
            "(PostgreSQL) or an office process holds its file (SQLite): for sessions known "
            "not to be the office's.",
        )
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(
        self, *args, file: Path, check=False, interactive=True, even_if_connected=False, **options
    ):
        try:
            if check:
                found = check_backup(file)
                self.stdout.write(
                    f"{file} can be restored here: {found.database} database of "
                    f"{found.created_at}, {len(found.migrations)} migrations."
                )
                if found_in_use := in_use():
                    self.stdout.write(
                        f"{found_in_use} now: stop every instance of the office before the restore."
                    )
                return
            found = read_metadata(file)
            if interactive and not self._confirmed(file, found.created_at):
                raise CommandError("Restore cancelled.")
            restored = restore_backup(file, even_if_connected=even_if_connected)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the {restored.metadata.database} database from {file} "
            f"(backup of {restored.metadata.created_at})."
        )
        self.stdout.write(f"Migrations applied after the restore: {restored.migrated}")
        self.stdout.write(
            f"Erasure requests made after the backup, carried out again: "
            f"{restored.erasures_repeated}"
        )
        for kind, count in restored.purged.items():
            self.stdout.write(f"{kind}: {count} purged")

    def _confirmed(self, file: Path, created_at: str) -> bool:
        try:
            answer = input(
                f"This replaces every row of the office's database with the backup in {file} "
                f"({created_at}). Type 'yes' to continue: "
            )
        except EOFError:  # no terminal: nobody said yes
            return False
        return answer.strip() == "yes"
