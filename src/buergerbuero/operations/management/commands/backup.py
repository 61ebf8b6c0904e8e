from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from buergerbuero.operations.backup import BackupError, write_backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the office's database (SQLite or PostgreSQL) to FILE, "
        "while the office keeps running. The file holds personal data: mode 0600."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Where to write the backup (replaced).")

    def handle(self, *args, file: Path, **options):
        try:
            found = write_backup(file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backup of the {found.database} database written to {file} "
            f"({found.size} bytes, {len(found.migrations)} migrations, {found.created_at})."
        )
