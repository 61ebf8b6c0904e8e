"""The leads' statistics pages and CSV: the figures, the chart, the table; a fixed number
of queries however many days and departments."""

import csv
import io
from datetime import UTC, datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from buergerbuero.console.charts import bar_chart, duration, duration_ceiling
from buergerbuero.statistics.models import Aggregation, HourlyFigures

from ..factories import make_department, make_staff

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def figures(department, hour, **fields) -> HourlyFigures:
    return HourlyFigures.objects.create(department=department, hour=hour, **fields)


def this_hour(days_ago=0, zone=UTC):
    """The first hour of a local day: always past, and on that day in the department's zone
    at any time of day (the previous hour is yesterday's shortly after midnight)."""
    day = timezone.localdate(timezone=zone) - timedelta(days=days_ago)
    return datetime.combine(day, time(0), tzinfo=zone)


@pytest.fixture
def led():
    department = make_department(slug="wohngeld", name="Wohngeld", time_zone="UTC")
    lead = make_staff(department, role="lead")
    figures(
        department,
        this_hour(),
        knocks=7,
        admitted=3,
        declined=1,
        left=2,
        expired=1,
        consultations=3,
        bookings=4,
        cancelled=1,
        no_shows=2,
        wait_seconds={"60": 1, "300": 1, "1200": 1},
        consultation_seconds={"600": 2, "1800": 1},
    )
    return department, lead


def test_department_page_shows_figures_chart_and_table(led):
    _department, lead = led
    response = client_of(lead).get(reverse("console:department_statistics", args=["wohngeld"]))
    assert response.status_code == 200
    page = response.content.decode()
    total = response.context["report"].total
    assert total.counts == {
        "knocks": 7,
        "admitted": 3,
        "declined": 1,
        "left": 2,
        "expired": 1,
        "consultations": 3,
        "bookings": 4,
        "cancelled": 1,
        "no_shows": 2,
    }
    assert (total.wait_median, total.wait_p90, total.length_median, total.length_p90) == (
        300,
        1200,
        600,
        1800,
    )
    assert "<dt>Median wait</dt><dd>5:00</dd>" in page
    assert "<dt>Wait, 90th percentile</dt><dd>20:00</dd>" in page
    assert "<dt>Consultation length, 90th percentile</dt><dd>30:00</dd>" in page
    assert page.count('<svg class="bar-chart" role="img"') == 2
    assert '<title id="chart-consultations-title">Consultations</title>' in page
    assert len(response.context["rows"]) == 30
    today_label, today = response.context["rows"][-1]
    assert (today.counts["consultations"], today.wait_median) == (3, 300)
    assert (
        f'<th scope="row">{today_label}</th><td>7</td><td>3</td><td>1</td><td>2</td><td>1</td>'
        "<td>5:00</td><td>20:00</td><td>3</td><td>10:00</td><td>30:00</td><td>4</td><td>1</td>"
        "<td>2</td>"
    ) in page
    assert 'href="/konsole/statistik/wohngeld/statistik.csv?zeitraum=30d"' in page


def test_weeks_and_months_group_the_same_figures(led):
    department, lead = led
    figures(department, this_hour(days_ago=40), knocks=5)
    url = reverse("console:department_statistics", args=["wohngeld"])
    by_day = client_of(lead).get(url).context["report"]
    by_month = client_of(lead).get(url, {"zeitraum": "12m"}).context["report"]
    by_week = client_of(lead).get(url, {"zeitraum": "12w"}).context["report"]
    assert (by_day.total.counts["knocks"], by_week.total.counts["knocks"]) == (7, 12)
    assert by_month.total.counts["knocks"] == 12
    assert (len(by_week.rows), len(by_month.rows)) == (12, 12)
    assert all(row.start.weekday() == 0 for row in by_week.rows)
    # A tampered period shows the default.
    assert client_of(lead).get(url, {"zeitraum": "x"}).context["period"].key == "30d"


def test_csv_has_every_day_of_every_department_and_no_name(led):
    _department, lead = led
    other = make_department(slug="kfz", name="=KFZ", time_zone="UTC")
    lead.staff_profile.memberships.create(department=other, role="lead")
    response = client_of(lead).get(reverse("console:statistics_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["date", "department", "department_name", "knocks"]
    assert len(rows) == 1 + 30 * 2
    # Several departments: the days end at the office's today; the figures lie on the
    # department's own today, which is yesterday there shortly after midnight.
    office_today = timezone.localdate().isoformat()
    figures_day = this_hour().date().isoformat()
    assert [office_today, "kfz", "'=KFZ", "0", "0", "0", "0", "0", "0", "0", "0", "0"] + [
        ""
    ] * 4 in rows
    assert [
        figures_day,
        "wohngeld",
        "Wohngeld",
        "7",
        "3",
        "1",
        "2",
        "1",
        "3",
        "4",
        "1",
        "2",
        "300",
        "1200",
        "600",
        "1800",
    ] in rows
    assert rows[-1][0] == office_today


def test_overview_lists_only_the_leads_departments(led):
    department, lead = led
    other = make_department(slug="kfz", name="KFZ")
    figures(other, this_hour(), knocks=100)
    response = client_of(lead).get(reverse("console:statistics"))
    assert response.status_code == 200
    assert response.context["departments"] == [department]
    assert response.context["report"].total.counts["knocks"] == 7


def test_console_links_to_the_statistics_for_leads_only(led):
    department, lead = led
    link = 'href="/konsole/statistik/"'
    assert link in client_of(lead).get(reverse("console:home")).content.decode()
    clerk = make_staff(department)
    assert link not in client_of(clerk).get(reverse("console:home")).content.decode()


# Session, user, authenticator app (StaffSessionMiddleware); the lead's departments:
# administrator? (profile), memberships, departments; the figures; the aggregation state.
QUERIES = 8


@pytest.mark.parametrize("name", ["console:statistics", "console:statistics_csv"])
@pytest.mark.parametrize("size", [1, 6])
def test_query_count_does_not_grow_with_days_or_departments(django_assert_num_queries, name, size):
    departments = [make_department(time_zone="Europe/Berlin") for _ in range(size)]
    lead = make_staff(*departments, role="lead")
    for department in departments:
        for day in range(size * 5):
            figures(department, this_hour(day, department.zone), knocks=1, wait_seconds={"5": 1})
    client = client_of(lead)
    client.get(reverse(name))  # the session's first save is not the page's
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse(name))
    assert response.status_code == 200
    report = response.context["report"] if name == "console:statistics" else None
    if report:
        assert report.total.counts["knocks"] == size * size * 5


def test_chart_bars_scale_to_a_round_top():
    chart = bar_chart("c", "Title", "Summary", ["a", "b", "c"], [10, None, 0], ["10", "–", "0"])
    # 10 is the top: one bar the plot's full height; no bar for no figure or zero.
    assert [(bar.label, bar.height, bar.value) for bar in chart.bars] == [("a", 180.0, "10")]
    assert chart.top_label == "10"
    assert duration_ceiling(480) == 600
    waits = bar_chart("w", "T", "S", ["a"], [400], ["6:40"], duration, duration_ceiling)
    assert (waits.top_label, waits.bars[0].height) == ("10:00", 120.0)
    assert [duration(s) for s in (None, 0, 65, 3600, 3725)] == [
        "–",
        "0:00",
        "1:05",
        "1:00:00",
        "1:02:05",
    ]


def test_the_page_says_until_when_the_figures_are_final_in_the_departments_zone(led):
    department, lead = led
    department.time_zone = "America/New_York"
    department.save()
    url = reverse("console:department_statistics", args=["wohngeld"])
    not_yet = "Not computed yet: the figures appear within ten minutes."
    assert not_yet in client_of(lead).get(url).content.decode()
    Aggregation.objects.create(
        pk=1,
        closed_until=datetime(2025, 3, 10, 9, 0, tzinfo=UTC),
        ran_at=datetime(2025, 3, 11, 9, 10, tzinfo=UTC),
    )
    page = client_of(lead).get(url).content.decode()
    with translation.override("en"):
        final = formats.date_format(
            datetime(2025, 3, 10, 5, 0, tzinfo=department.zone), "SHORT_DATETIME_FORMAT"
        )
    assert final.endswith("05:00")
    assert f"Final up to {final}; later figures may still change." in page
    assert not_yet not in page
