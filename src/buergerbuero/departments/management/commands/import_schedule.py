"""`manage.py import_schedule kfz hours.csv` (or .json): replace a department's weekly
opening hours, validated exactly as on the administration page (all or nothing).

CSV: one range a line, `weekday,opens,closes` with weekday 0 (Monday) … 6 (Sunday) or
mon … sun, times HH:MM; a header line `weekday,opens,closes` is allowed.
JSON: `[{"weekday": 0, "opens": "08:00", "closes": "12:00"}, …]`.
"""

import csv
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from buergerbuero.audit.command_actor import command_actor
from buergerbuero.departments import actions
from buergerbuero.departments.models import Department

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def weekday(value) -> int:
    text = str(value).strip().lower()[:3]
    if text in DAYS:
        return DAYS.index(text)
    if text.isdigit() and int(text) < 7:
        return int(text)
    raise CommandError(f"Unknown weekday {value!r}: 0-6 or mon-sun.")


def read(path: Path) -> list[actions.TypedRange]:
    try:
        text = path.read_text()
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error}") from None
    if path.suffix.lower() == ".json":
        try:
            rows = json.loads(text)
            return [
                actions.TypedRange(weekday(r["weekday"]), str(r["opens"]), str(r["closes"]), i)
                for i, r in enumerate(rows)
            ]
        except (ValueError, KeyError, TypeError) as error:
            raise CommandError(f"Not a list of weekday/opens/closes objects: {error}") from None
    typed = []
    for i, row in enumerate(csv.reader(text.splitlines())):
        if not row or row[0].strip().lower() == "weekday":
            continue
        if len(row) != 3:
            raise CommandError(f"Line {i + 1}: expected weekday,opens,closes.")
        typed.append(actions.TypedRange(weekday(row[0]), row[1], row[2], i))
    return typed


class Command(BaseCommand):
    help = "Replace a department's weekly opening hours from a CSV or JSON file."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("file", type=Path)

    def handle(self, *args, slug, file, **options):
        department = Department.objects.filter(slug=slug).first()
        if department is None:
            raise CommandError(f"No department {slug!r}.")
        try:
            actions.set_weekly_schedule(department, read(file), by=command_actor())
        except actions.InvalidSchedule as error:
            raise CommandError("\n".join(error.sentences)) from None
        self.stdout.write(f"Opening hours of {slug} replaced.")
