"""The staff statistics endpoint: a lead's anonymous figures for an integration with the
`statistics:read` scope, only for its departments, audited; no hidden department shows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from buergerbuero.audit.models import AuditEvent
from buergerbuero.statistics.aggregate import aggregate
from buergerbuero.waiting.models import EntryState

from ..factories import make_queue_entry, make_room

STATISTICS = ("statistics:read",)


@pytest.fixture
def counted(make_department):
    """Two admissions (waits of 5 and 20 minutes), a decline and a 10-minute
    consultation in the last hour, then the hourly figures computed as the ticker would."""
    department = make_department(slug="wohngeld", time_zone="UTC")
    now = timezone.now()
    for waited in (5, 20):
        make_queue_entry(
            department,
            created_at=now - timedelta(minutes=30),
            seen_at=now,
            display_name="Ada Lovelace",
            state=EntryState.ADMITTED,
            resolved_at=now - timedelta(minutes=30 - waited),
        )
    make_queue_entry(
        department,
        created_at=now - timedelta(minutes=30),
        seen_at=now,
        state=EntryState.DECLINED,
        resolved_at=now - timedelta(minutes=29),
    )
    make_room(
        department, created_at=now - timedelta(minutes=12), ended_at=now - timedelta(minutes=2)
    )
    aggregate()
    return department


def read(api, slug, text=None, query=""):
    headers = {"authorization": f"Bearer {text}"} if text else {}
    return api.get(f"/api/v1/staff/departments/{slug}/statistics{query}", headers=headers)


def refused(response) -> tuple[int, str]:
    return response.status_code, response.json()["code"]


TOTAL = {
    "knocks": 3,
    "admitted": 2,
    "declined": 1,
    "left": 0,
    "expired": 0,
    "consultations": 1,
    "bookings": 0,
    "cancelled": 0,
    "no_shows": 0,
    "wait_median_seconds": 300,
    "wait_p90_seconds": 1200,
    "consultation_median_seconds": 600,
    "consultation_p90_seconds": 600,
}


def test_a_token_reads_its_departments_figures_and_is_audited(api, counted, make_token):
    token, text = make_token(counted, scopes=STATISTICS)
    response = read(api, "wohngeld", text)
    assert (response.status_code, response["Cache-Control"]) == (200, "private, no-store")
    body = response.json()
    assert (body["department"], body["period"], body["unit"]) == ("wohngeld", "30d", "day")
    assert body["total"] == TOTAL
    today = timezone.localdate(timezone=counted.zone)
    starts = [row["start"] for row in body["rows"]]
    assert starts == [str(today - timedelta(days=29 - n)) for n in range(30)]
    assert sum(row["knocks"] for row in body["rows"]) == 3
    assert body["computed_at"] is not None
    assert "Ada" not in response.content.decode()
    events = list(
        AuditEvent.objects.filter(action="use_api_token").values_list("department_id", "detail")
    )
    assert events == [(counted.pk, "statistics:read statistics 30d")]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_per_week_and_per_month(api, counted, make_token):
    _token, text = make_token(counted, scopes=STATISTICS)
    weeks = read(api, "wohngeld", text, "?period=12w").json()
    months = read(api, "wohngeld", text, "?period=12m").json()
    assert (weeks["unit"], len(weeks["rows"]), weeks["total"]) == ("week", 12, TOTAL)
    assert (months["unit"], len(months["rows"]), months["total"]) == ("month", 12, TOTAL)
    assert all(row["start"].endswith("-01") for row in months["rows"])


def test_an_unknown_period_is_invalid_input(api, counted, make_token):
    _token, text = make_token(counted, scopes=STATISTICS)
    response = read(api, "wohngeld", text, "?period=7d")
    assert refused(response) == (422, "invalid_input")
    assert list(response.json()["fields"]) == ["period"]


def test_the_day_sheet_scope_is_not_enough(api, counted, make_token):
    _token, text = make_token(counted, scopes=("appointments:read",))
    assert refused(read(api, "wohngeld", text)) == (403, "scope_missing")
    details = AuditEvent.objects.filter(action="use_api_token").values_list("detail", flat=True)
    assert list(details) == ["refused statistics:read statistics 30d"]


def test_nor_is_the_statistics_scope_enough_for_the_day_sheet(api, counted, make_token):
    _token, text = make_token(counted, scopes=STATISTICS)
    response = api.get(
        "/api/v1/staff/departments/wohngeld/appointments",
        headers={"authorization": f"Bearer {text}"},
    )
    assert refused(response) == (403, "scope_missing")


def test_no_token(api, counted):
    assert refused(read(api, "wohngeld")) == (401, "token_missing")


def test_another_departments_token(api, counted, make_token, make_department):
    _token, text = make_token(make_department(), scopes=STATISTICS)
    assert refused(read(api, "wohngeld", text)) == (403, "department_not_allowed")
    details = AuditEvent.objects.filter(action="use_api_token").values_list("detail", flat=True)
    assert list(details) == ["refused statistics:read statistics 30d"]


def test_a_hidden_department_is_as_unknown_as_none(api, counted, make_token, make_department):
    """An inactive department is not public: a token not for it gets the same answer as
    for a slug that names nothing, and nothing is audited against it."""
    hidden = make_department(slug="intern", is_active=False)
    _token, text = make_token(counted, scopes=STATISTICS)
    unknown = read(api, "gibtsnicht", text)
    inactive = read(api, "intern", text)
    assert refused(unknown) == refused(inactive) == (404, "not_found")
    assert unknown.content == inactive.content
    assert not AuditEvent.objects.filter(action="use_api_token", department_id=hidden.pk).exists()


def test_an_inactive_department_of_the_token_still_has_its_figures(api, counted, make_token):
    _token, text = make_token(counted, scopes=STATISTICS)
    counted.is_active = False
    counted.save(update_fields=["is_active"])
    response = read(api, "wohngeld", text)
    assert (response.status_code, response.json()["total"]) == (200, TOTAL)
