"""Every change to a department's configuration: the department itself, its weekly
schedule and its closures. Each is validated here (so the pages, the commands and any
later API refuse the same input with the same sentence), runs in one transaction,
is audited and announced, so the status board shows it at once.
"""

import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import pairwise

from django.core.validators import validate_slug
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from buergerbuero import notify
from buergerbuero.audit.actions import record
from buergerbuero.audit.models import Action
from buergerbuero.errors import DomainError, InvalidInput

from .closures import known_region
from .models import MINUTES_PER_DAY, WEEKDAYS, Closure, Department, OpeningHours, minute_label

DEFAULT_ZONE = "Europe/Berlin"
DEPARTMENT_FIELDS = (
    "name",
    "slug",
    "summary",
    "description",
    "contact_phone",
    "contact_email",
    "contact_address",
    "time_zone",
    "holiday_subdivision",
    "accepts_callbacks",
)
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


class SlugTaken(InvalidInput):
    code = "slug_taken"
    message = _("Another department already uses this web address. Please choose another.")


class InvalidSlug(InvalidInput):
    code = "invalid_slug"
    message = _(
        "The web address may contain only lower-case letters, digits and hyphens, e.g. "
        "buergerservice."
    )


class UnknownTimeZone(InvalidInput):
    code = "unknown_time_zone"
    message = _("Please choose a time zone from the list, e.g. Europe/Berlin.")


# A form's own sentence for a zone that is not in the list (%(value)s: what was sent).
UNKNOWN_TIME_ZONE = _(
    "“%(value)s” is not a time zone we know. Please choose one from the list, e.g. Europe/Berlin."
)


class UnknownRegion(InvalidInput):
    code = "unknown_region"
    message = _("Unknown region code, e.g. NW for North Rhine-Westphalia.")


class InvalidSchedule(DomainError):
    """The weekly schedule has mistakes; `problems` names each (day and range)."""

    code = "invalid_schedule"
    message = _("The opening hours have mistakes. Nothing was saved.")

    def __init__(self, problems: list[tuple["TypedRange | None", str]]):
        super().__init__()
        # (the range the mistake is in, if one; the sentence naming day and range)
        self.problems = problems

    @property
    def sentences(self) -> list[str]:
        return [text for _where, text in self.problems]


class InvalidClosure(InvalidInput):
    code = "invalid_closure"
    message = _("The closure must end after it starts.")


@cache
def time_zones() -> list[str]:
    """Every time zone the system knows, Europe/Berlin first."""
    return [DEFAULT_ZONE, *sorted(zoneinfo.available_timezones() - {DEFAULT_ZONE})]


@dataclass(frozen=True)
class TypedRange:
    """One opening range as a person typed it: weekday 0 to 6, "HH:MM" and "HH:MM"."""

    weekday: int
    opens: str
    closes: str
    row: int = 0  # where the page showed it, to link a mistake to its field


def parse_time(text: str) -> int | None:
    """Minutes since midnight of "HH:MM" (00:00 to 24:00), None if it is not such a time."""
    match = _TIME.match(text.strip())
    if not match:
        return None
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        return None
    return hours * 60 + minutes


def day_name(weekday: int) -> str:
    return str(dict(WEEKDAYS)[weekday])


def validate_schedule(typed: Iterable[TypedRange]) -> list[tuple[int, int, int]]:
    """(weekday, opens, closes) minutes of every filled range, or InvalidSchedule naming
    each mistake. Rows left empty are skipped (the page always shows a spare one)."""
    problems: list[tuple[TypedRange | None, str]] = []
    ranges: list[tuple[int, int, int, TypedRange]] = []
    numbers: dict[int, int] = {}
    for entry in typed:
        if entry.weekday not in range(7):
            problems.append((None, str(_("Unknown weekday."))))
            continue
        opens_text, closes_text = entry.opens.strip(), entry.closes.strip()
        if not opens_text and not closes_text:
            continue
        number = numbers[entry.weekday] = numbers.get(entry.weekday, 0) + 1
        where = {"day": day_name(entry.weekday), "n": number}
        if not opens_text or not closes_text:
            problems.append(
                (
                    entry,
                    str(
                        _("%(day)s, range %(n)s: please fill in both the start and the end.")
                        % where
                    ),
                )
            )
            continue
        opens, closes = parse_time(opens_text), parse_time(closes_text)
        for text, minute in ((opens_text, opens), (closes_text, closes)):
            if minute is None:
                message = _(
                    "%(day)s, range %(n)s: “%(text)s” is not a time. Please write "
                    "HH:MM between 00:00 and 24:00, e.g. 08:30."
                ) % {**where, "text": text[:10]}
                problems.append((entry, str(message)))
        if opens is None or closes is None:
            continue
        if closes <= opens:
            message = _(
                "%(day)s, range %(n)s: the end (%(closes)s) must be after the start (%(opens)s)."
            ) % {**where, "opens": minute_label(opens), "closes": minute_label(closes)}
            problems.append((entry, str(message)))
            continue
        if opens >= MINUTES_PER_DAY:
            problems.append(
                (entry, str(_("%(day)s, range %(n)s: 24:00 can only be an end.") % where))
            )
            continue
        ranges.append((entry.weekday, opens, closes, entry))
    ranges.sort(key=lambda r: r[:3])
    for (day, o1, c1, _e), (next_day, o2, c2, second) in pairwise(ranges):
        if day == next_day and o2 < c1:
            message = _("%(day)s: %(first)s and %(second)s overlap.") % {
                "day": day_name(day),
                "first": f"{minute_label(o1)}–{minute_label(c1)}",
                "second": f"{minute_label(o2)}–{minute_label(c2)}",
            }
            problems.append((second, str(message)))
    if problems:
        raise InvalidSchedule(problems)
    return [r[:3] for r in ranges]


def set_weekly_schedule(department: Department, typed: Iterable[TypedRange], by) -> None:
    """Replace the department's weekly opening hours, all or nothing."""
    ranges = validate_schedule(typed)
    with transaction.atomic():
        Department.objects.select_for_update().filter(pk=department.pk).first()
        OpeningHours.objects.filter(department=department).delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(department=department, weekday=d, opens_minute=o, closes_minute=c)
            for d, o, c in ranges
        )
        detail = " ".join(f"{d}:{minute_label(o)}-{minute_label(c)}" for d, o, c in ranges)
        _audit(Action.SET_SCHEDULE, by, department, detail)
        notify.announce_on_commit(notify.StaffingChanged((department.pk,)))


def _clean_fields(fields: dict, department: Department | None) -> dict:
    cleaned = {key: fields[key] for key in DEPARTMENT_FIELDS if key in fields}
    if "slug" in cleaned:
        slug = cleaned["slug"] = str(cleaned["slug"]).strip()
        try:
            validate_slug(slug)
        except Exception:
            raise InvalidSlug from None
        if slug != slug.lower() or len(slug) > 60:
            raise InvalidSlug
        taken = Department.objects.filter(slug=slug)
        if department is not None:
            taken = taken.exclude(pk=department.pk)
        if taken.exists():
            raise SlugTaken
    if "time_zone" in cleaned and cleaned["time_zone"] not in time_zones():
        raise UnknownTimeZone
    if "holiday_subdivision" in cleaned:
        code = cleaned["holiday_subdivision"] = str(cleaned["holiday_subdivision"]).strip().upper()
        # A department without holidays (country "") gets Germany's once a region is set.
        country = cleaned["holiday_country"] = (department and department.holiday_country) or "DE"
        if not known_region(country, code):
            raise UnknownRegion
    if "name" in cleaned and not str(cleaned["name"]).strip():
        raise InvalidInput(_("Please enter the department's name."))
    return cleaned


def _related(fields: dict, department: Department | None) -> list[Department] | None:
    """The related departments asked for (None: not asked), never the department itself."""
    if "related_departments" not in fields:
        return None
    wanted = [
        d
        for d in fields["related_departments"] or []
        if department is None or d.pk != department.pk
    ]
    return sorted(wanted, key=lambda d: d.pk)


def create_department(fields: dict, by) -> Department:
    cleaned = _clean_fields(fields, None)
    related = _related(fields, None)
    with transaction.atomic():
        department = Department.objects.create(**cleaned)
        if related is not None:
            department.related_departments.set(related)
        _audit(Action.CREATE_DEPARTMENT, by, department, department.slug)
        notify.announce_on_commit(notify.StaffingChanged((department.pk,)))
    return department


def update_department(department: Department, fields: dict, by) -> Department:
    cleaned = _clean_fields(fields, department)
    related = _related(fields, department)
    with transaction.atomic():
        changed = sorted(k for k, v in cleaned.items() if getattr(department, k) != v)
        for key, value in cleaned.items():
            setattr(department, key, value)
        department.save()
        if related is not None:
            before = sorted(department.related_departments.values_list("pk", flat=True))
            if before != [d.pk for d in related]:
                department.related_departments.set(related)
                changed = sorted([*changed, "related_departments"])
        _audit(Action.CHANGE_DEPARTMENT, by, department, " ".join(changed))
        notify.announce_on_commit(notify.StaffingChanged((department.pk,)))
    return department


def set_active(department: Department, active: bool, by) -> None:
    """Deactivate (hidden from citizens, no knocks, no bookings; nothing is deleted) or
    reactivate a department."""
    with transaction.atomic():
        Department.objects.filter(pk=department.pk).update(is_active=active)
        department.is_active = active
        action = Action.REACTIVATE_DEPARTMENT if active else Action.DEACTIVATE_DEPARTMENT
        _audit(action, by, department)
        notify.announce_on_commit(notify.StaffingChanged((department.pk,)))


def add_closure(
    department: Department, starts_at: datetime, ends_at: datetime, reason: str, by
) -> Closure:
    if starts_at >= ends_at:
        raise InvalidClosure
    with transaction.atomic():
        closure = Closure.objects.create(
            department=department, starts_at=starts_at, ends_at=ends_at, reason=reason
        )
        record(
            Action.ADD_CLOSURE,
            actor=by,
            department_id=department.pk,
            object_type="closure",
            object_id=closure.pk,
            detail=f"{starts_at.isoformat()} – {ends_at.isoformat()}",
        )
        notify.announce_on_commit(notify.StaffingChanged((department.pk,)))
    return closure


def remove_closure(department: Department, closure_id: int, by) -> bool:
    """Remove one of the department's closures; False if there was none with that id."""
    with transaction.atomic():
        deleted, _counts = Closure.objects.filter(pk=closure_id, department=department).delete()
        if deleted:
            record(
                Action.REMOVE_CLOSURE,
                actor=by,
                department_id=department.pk,
                object_type="closure",
                object_id=closure_id,
            )
            notify.announce_on_commit(notify.StaffingChanged((department.pk,)))
    return bool(deleted)


def _audit(action: Action, by, department: Department, detail: str = "") -> None:
    record(
        action,
        actor=by,
        department_id=department.pk,
        object_type="department",
        object_id=department.pk,
        detail=detail,
    )
