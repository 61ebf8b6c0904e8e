"""Statistics for department leads: one page per department, one for all the departments
a lead leads, and the same figures per day and department as CSV.

Open only to leads of the department and administrators (staff/permissions.may_lead).
The figures come from buergerbuero.statistics (anonymous hourly figures); nothing here
reads a queue entry, a booking or a name.
"""

import csv
from collections.abc import Sequence
from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from buergerbuero.departments.models import Department
from buergerbuero.staff.permissions import led_departments, may_lead
from buergerbuero.statistics.report import (
    COUNTS,
    DEFAULT_PERIOD,
    PERIODS,
    Figures,
    Period,
    Report,
    report,
)

from .charts import bar_chart, duration, duration_ceiling

PERIOD_PARAMETER = "zeitraum"


def _led(request, slug) -> Department:
    department = get_object_or_404(Department, slug=slug)
    if not may_lead(request.user, department.pk):
        raise PermissionDenied
    return department


def _all_led(request) -> list[Department]:
    departments = list(led_departments(request.user).order_by("name"))
    if not departments:
        raise PermissionDenied
    return departments


def _period(request) -> Period:
    # The form offers only these; anything else (a tampered address) shows the default.
    return PERIODS.get(request.GET.get(PERIOD_PARAMETER, ""), PERIODS[DEFAULT_PERIOD])


def _today(departments: Sequence[Department]) -> date:
    zone = departments[0].zone if len(departments) == 1 else None
    return timezone.localdate(timezone=zone)


def _label(unit: str, start: date) -> str:
    if unit == "week":
        return _("week of %(date)s") % {"date": formats.date_format(start, "SHORT_DATE_FORMAT")}
    if unit == "month":
        return formats.date_format(start, "YEAR_MONTH_FORMAT")
    return formats.date_format(start, "SHORT_DATE_FORMAT")


def _charts(result: Report, labels: list[str]) -> list:
    rows = result.rows
    consultations = [row.counts["consultations"] for row in rows]
    waits = [row.wait_median for row in rows]
    return [
        bar_chart(
            "chart-consultations",
            _("Consultations"),
            _("Consultations per %(unit)s; the figures are in the table below.")
            % {"unit": _unit_name(result.period.unit)},
            labels,
            list(consultations),
            [str(value) for value in consultations],
            unit_format=lambda top: str(int(top)),
        ),
        bar_chart(
            "chart-wait",
            _("Median wait (minutes:seconds)"),
            _(
                "Median wait from knock to admission per %(unit)s; "
                "the figures are in the table below."
            )
            % {"unit": _unit_name(result.period.unit)},
            labels,
            [value for value in waits],
            [duration(value) for value in waits],
            unit_format=lambda top: duration(int(top)),
            ceiling=duration_ceiling,
        ),
    ]


def _unit_name(unit: str) -> str:
    return {"day": _("day"), "week": _("week"), "month": _("month")}[unit]


def _page(request, departments: list[Department], department: Department | None):
    period = _period(request)
    result = report(departments, period, _today(departments))
    labels = [_label(period.unit, row.start) for row in result.rows if row.start]
    # Times on the page ("final up to") in the department's zone; the office's for several.
    with timezone.override(department.zone if department else timezone.get_default_timezone()):
        return _render(request, department, departments, period, result, labels)


def _render(request, department, departments, period, result, labels):
    return render(
        request,
        "console/statistics.html",
        {
            "department": department,
            "departments": departments,
            "period": period,
            "periods": PERIODS.values(),
            "parameter": PERIOD_PARAMETER,
            "report": result,
            "rows": list(zip(labels, result.rows, strict=True)),
            "charts": _charts(result, labels),
        },
    )


@never_cache
@login_required
def overview(request):
    return _page(request, _all_led(request), None)


@never_cache
@login_required
def department_page(request, slug):
    department = _led(request, slug)
    return _page(request, [department], department)


CSV_COLUMNS = [
    "date",
    "department",
    "department_name",
    *COUNTS,
    "wait_median_seconds",
    "wait_p90_seconds",
    "consultation_median_seconds",
    "consultation_p90_seconds",
]


def _cell(text: str) -> str:
    # A spreadsheet runs a cell that starts like a formula; a name is never one.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(request, departments: list[Department], name: str) -> HttpResponse:
    period = _period(request)
    today = _today(departments)
    result = report(departments, period, today)
    first = result.rows[0].start or today
    known = {(dept.pk, figures.start): figures for dept, figures in result.daily}
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statistik-{name}-{first}-{today}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    day = first
    while day <= today:
        for department in departments:
            figures = known.get((department.pk, day)) or Figures(day)
            writer.writerow(
                [
                    day.isoformat(),
                    department.slug,
                    _cell(department.name),
                    *(figures.counts[count] for count in COUNTS),
                    *(
                        "" if value is None else value
                        for value in (
                            figures.wait_median,
                            figures.wait_p90,
                            figures.length_median,
                            figures.length_p90,
                        )
                    ),
                ]
            )
        day += timedelta(days=1)
    return response


@never_cache
@login_required
def overview_csv(request):
    return _csv(request, _all_led(request), "alle")


@never_cache
@login_required
def department_csv(request, slug):
    department = _led(request, slug)
    return _csv(request, [department], department.slug)
