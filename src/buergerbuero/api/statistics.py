"""The staff statistics endpoint's body: the figures a lead sees on the console's
statistics page (buergerbuero.statistics.report), for one department, as JSON."""

from django.utils import timezone

from buergerbuero.departments.models import Department
from buergerbuero.statistics.report import COUNTS, PERIODS, Figures, report

from . import schemas


def _figures(figures: Figures) -> dict:
    return {
        **{name: figures.counts[name] for name in COUNTS},
        "wait_median_seconds": figures.wait_median,
        "wait_p90_seconds": figures.wait_p90,
        "consultation_median_seconds": figures.length_median,
        "consultation_p90_seconds": figures.length_p90,
    }


def statistics_of(department: Department, period_key: str) -> schemas.StatisticsOut:
    period = PERIODS[period_key]
    result = report([department], period, timezone.localdate(timezone=department.zone))
    return schemas.StatisticsOut(
        department=department.slug,
        period=period.key,  # type: ignore[arg-type]
        unit=period.unit,  # type: ignore[arg-type]
        rows=[
            schemas.PeriodFiguresOut(start=row.start, **_figures(row))
            for row in result.rows
            if row.start is not None
        ],
        total=schemas.FiguresOut(**_figures(result.total)),
        final_until=result.final_until,
        computed_at=result.ran_at,
    )
