"""Reading the hourly figures for a lead: per day, week or month, per department or
summed over several, in each department's local time. One query for the figures and one
for the aggregation's state, however many days and departments."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.utils.translation import gettext_lazy as _

from buergerbuero.departments.models import Department

from .histogram import Histogram, from_json, merge, percentile
from .models import Aggregation, HourlyFigures

COUNTS = (
    "knocks",
    "admitted",
    "declined",
    "left",
    "expired",
    "consultations",
    "bookings",
    "cancelled",
    "no_shows",
)


@dataclass(frozen=True)
class Period:
    key: str
    label: object
    unit: str  # "day", "week", "month"
    length: int


PERIODS = {
    period.key: period
    for period in (
        Period("30d", _("Last 30 days, per day"), "day", 30),
        Period("12w", _("Last 12 weeks, per week"), "week", 12),
        Period("12m", _("Last 12 months, per month"), "month", 12),
    )
}
DEFAULT_PERIOD = "30d"


def start_of(unit: str, day: date) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def starts(period: Period, today: date) -> list[date]:
    """The first day of each of the period's days, weeks or months, oldest first."""
    last = start_of(period.unit, today)
    found = [last]
    for _step in range(period.length - 1):
        previous = found[-1] - timedelta(days=1)
        found.append(start_of(period.unit, previous))
    return found[::-1]


@dataclass
class Figures:
    """The figures of one day, week or month (or a whole period)."""

    start: date | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    waits: list[Histogram] = field(default_factory=list)
    lengths: list[Histogram] = field(default_factory=list)

    def add(self, row: tuple) -> None:
        for name, value in zip(COUNTS, row[2:-2], strict=True):
            self.counts[name] += value
        self.waits.append(from_json(row[-2]))
        self.lengths.append(from_json(row[-1]))

    def wait(self, p: int) -> int | None:
        return percentile(merge(self.waits), p)

    def length(self, p: int) -> int | None:
        return percentile(merge(self.lengths), p)

    @property
    def wait_median(self) -> int | None:
        return self.wait(50)

    @property
    def wait_p90(self) -> int | None:
        return self.wait(90)

    @property
    def length_median(self) -> int | None:
        return self.length(50)

    @property
    def length_p90(self) -> int | None:
        return self.length(90)


@dataclass
class Report:
    period: Period
    rows: list[Figures]
    total: Figures
    # (department, Figures of one day), for the CSV: every day of every department.
    daily: list[tuple[Department, Figures]]
    final_until: datetime | None
    ran_at: datetime | None


def _rows(departments: Sequence[Department], first: date, last: date) -> Iterable[tuple]:
    # A day's bounds differ by department zone; a day's margin either side covers them all.
    begin = datetime.combine(first - timedelta(days=1), time(0), tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=2), time(0), tzinfo=UTC)
    return HourlyFigures.objects.filter(
        department__in=[d.pk for d in departments], hour__gte=begin, hour__lt=end
    ).values_list("department_id", "hour", *COUNTS, "wait_seconds", "consultation_seconds")


def report(departments: Sequence[Department], period: Period, today: date) -> Report:
    firsts = starts(period, today)
    by_id = {department.pk: department for department in departments}
    buckets = {start: Figures(start) for start in firsts}
    daily: dict[tuple[int, date], Figures] = defaultdict(Figures)
    total = Figures()
    for row in _rows(departments, firsts[0], today):
        department = by_id[row[0]]
        day = row[1].astimezone(department.zone).date()
        if not firsts[0] <= day <= today:
            continue
        buckets[start_of(period.unit, day)].add(row)
        daily[department.pk, day].add(row)
        total.add(row)
    state = Aggregation.objects.filter(pk=1).first()
    return Report(
        period=period,
        rows=[buckets[start] for start in firsts],
        total=total,
        daily=[
            (by_id[department_id], _dated(figures, day))
            for (department_id, day), figures in sorted(
                daily.items(), key=lambda item: (item[0][1], by_id[item[0][0]].slug)
            )
        ],
        final_until=state.closed_until if state else None,
        ran_at=state.ran_at if state else None,
    )


def _dated(figures: Figures, day: date) -> Figures:
    figures.start = day
    return figures
