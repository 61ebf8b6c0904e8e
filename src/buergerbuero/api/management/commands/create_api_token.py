"""manage.py create_api_token NAME --scope appointments:read --department SLUG [--days N]"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from buergerbuero.api.models import Scope
from buergerbuero.api.tokens import issue_token
from buergerbuero.departments.models import Department


class Command(BaseCommand):
    help = "Issue an API token for one integration; prints it once (only a hash is kept)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="who uses it, e.g. 'Call centre Kreis'")
        parser.add_argument(
            "--scope", action="append", required=True, choices=Scope.values, dest="scopes"
        )
        parser.add_argument(
            "--department", action="append", required=True, dest="departments", metavar="SLUG"
        )
        parser.add_argument("--days", type=int, default=365, help="valid for (default 365)")

    def handle(self, *args, name, scopes, departments, days, **options):
        found = list(Department.objects.filter(slug__in=departments))
        missing = sorted(set(departments) - {d.slug for d in found})
        if missing:
            raise CommandError(f"unknown departments: {', '.join(missing)}")
        if days < 1:
            raise CommandError("--days must be at least 1")
        token, text = issue_token(
            name, scopes, found, expires_at=timezone.now() + timedelta(days=days)
        )
        self.stdout.write(
            f"API token for {name} (prefix {token.prefix}, expires "
            f"{token.expires_at:%Y-%m-%d}); shown only now:\n{text}"
        )
