"""manage.py write_openapi: docs/openapi.json from the code (checked by tests/api)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from buergerbuero.api.openapi import DOCUMENT, openapi_text


class Command(BaseCommand):
    help = "Write the API's OpenAPI document to docs/openapi.json."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=DOCUMENT)

    def handle(self, *args, output, **options):
        output.write_text(openapi_text())
        self.stdout.write(f"wrote {output}")
