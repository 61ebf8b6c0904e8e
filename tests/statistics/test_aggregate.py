"""The hourly figures: exact from known rows, idempotent, final once settled, and safe
when several processes run them at once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from buergerbuero import housekeeping
from buergerbuero.calls.models import Room
from buergerbuero.privacy.anonymise import anonymise
from buergerbuero.statistics.aggregate import (
    INTERVAL,
    SETTLE,
    aggregate,
    claim_run,
    figures_between,
    floor_hour,
    run_if_due,
)
from buergerbuero.statistics.histogram import from_json, percentile
from buergerbuero.statistics.models import Aggregation, HourlyFigures
from buergerbuero.waiting.models import EntryState, QueueEntry

from ..waiting.races import race
from .conftest import NINE, NINE_FIGURES, TEN, TEN_FIGURES, entry

FIELDS = list(NINE_FIGURES)
LATER = NINE + timedelta(days=3)


def stored() -> list[tuple]:
    return list(HourlyFigures.objects.order_by("hour").values_list("hour", *FIELDS))


def as_dict(row: HourlyFigures) -> dict:
    return {name: getattr(row, name) for name in FIELDS}


def test_each_figure_counts_in_the_hour_it_happened(busy_hour):
    rows = figures_between(NINE - timedelta(hours=1), TEN + timedelta(hours=2))
    assert [(row.department_id, row.hour) for row in rows] == [
        (busy_hour.pk, NINE),
        (busy_hour.pk, TEN),
    ]
    assert [as_dict(row) for row in rows] == [NINE_FIGURES, TEN_FIGURES]


def test_median_and_90th_percentile_of_the_wait_are_exact(busy_hour):
    aggregate(LATER)
    nine = HourlyFigures.objects.get(hour=NINE)
    waits = from_json(nine.wait_seconds)
    assert (percentile(waits, 50), percentile(waits, 90)) == (300, 1200)


def test_nothing_personal_is_stored(busy_hour):
    aggregate(LATER)
    text = repr(list(HourlyFigures.objects.values()))
    assert "must not appear" not in text
    assert "Booker" not in text


def test_aggregating_twice_gives_the_same_rows(busy_hour):
    assert aggregate(LATER) == 2
    first = stored()
    assert aggregate(LATER) == 0  # everything is final: nothing recomputed
    assert stored() == first
    assert Aggregation.objects.get().closed_until == LATER - SETTLE


def test_a_final_hour_survives_the_purge_and_deletion_of_its_rows(busy_hour):
    aggregate(LATER)
    before = stored()
    anonymise(QueueEntry.objects.all())
    Room.objects.all().delete()
    QueueEntry.objects.all().delete()
    aggregate(LATER + timedelta(hours=5))
    assert stored() == before


def test_an_open_hour_follows_its_rows_until_it_settles(busy_hour):
    now = TEN + timedelta(minutes=30)
    aggregate(now)
    assert Aggregation.objects.get().closed_until == NINE - timedelta(hours=23)
    assert HourlyFigures.objects.get(hour=TEN).knocks == 1
    entry(busy_hour, 80, EntryState.WAITING)  # 10:20
    aggregate(now + timedelta(minutes=10))
    assert HourlyFigures.objects.get(hour=TEN).knocks == 2
    # A day after it ended, the hour is final: a row changed later changes nothing.
    aggregate(TEN + timedelta(hours=1) + SETTLE)
    QueueEntry.objects.filter(state=EntryState.WAITING).delete()
    aggregate(LATER)
    assert HourlyFigures.objects.get(hour=TEN).knocks == 2


def test_one_run_per_interval_of_all_processes(busy_hour):
    assert run_if_due(LATER) is True
    assert run_if_due(LATER + INTERVAL - timedelta(seconds=1)) is False
    assert run_if_due(LATER + INTERVAL) is True
    assert Aggregation.objects.get().claimed_at == LATER + INTERVAL


def test_the_first_run_reads_the_past_in_pieces(busy_hour):
    # Two months later: several 14-day pieces, the same figures.
    aggregate(NINE + timedelta(days=60))
    assert [row[1:] for row in stored()] == [
        tuple(NINE_FIGURES.values()),
        tuple(TEN_FIGURES.values()),
    ]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_runs_write_each_hour_once(busy_hour):
    results = race(*[lambda: aggregate(LATER)] * 4)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sorted(results) == [0, 0, 0, 2] if connection.vendor == "postgresql" else True
    assert [row[1:] for row in stored()] == [
        tuple(NINE_FIGURES.values()),
        tuple(TEN_FIGURES.values()),
    ]
    assert run_if_due(LATER) is True
    # The claim alone: a whole run retried by the test's lock helper after its
    # aggregation met SQLite's in-memory table lock would find its own claim taken.
    claims = race(*[lambda: claim_run(LATER + INTERVAL)] * 4)
    assert sorted(claims) == [False, False, False, True]


def test_the_tickers_housekeeping_keeps_the_figures_current(make_department):
    department = make_department()
    now = timezone.now()
    entry_now = QueueEntry.objects.create(department=department, display_name="A", seen_at=now)
    housekeeping.run_purge_if_due()
    row = HourlyFigures.objects.get(department=department)
    assert (row.hour, row.knocks) == (floor_hour(entry_now.created_at), 1)
