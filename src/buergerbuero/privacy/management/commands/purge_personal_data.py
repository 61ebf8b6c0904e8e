from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from buergerbuero.privacy.purge import purge_expired


class Command(BaseCommand):
    help = "Delete or anonymise personal data whose retention period has ended."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be purged and change nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        # The dry run does the real work and rolls it back, so its counts are exact.
        with transaction.atomic():
            counts = purge_expired(timezone.now())
            transaction.set_rollback(dry_run)
        verb = "would be purged" if dry_run else "purged"
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count} {verb}")
