"""The staff endpoint: only a token with the scope, for the department, usable now."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from buergerbuero.api.models import ApiToken
from buergerbuero.api.tokens import revoke_token
from buergerbuero.audit.models import AuditEvent
from buergerbuero.bookings import actions


@pytest.fixture
def booked(make_kind):
    kind = make_kind(name="Beratung")
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=2)
    start -= timedelta(minutes=start.minute % 30)
    booking = actions.book(kind, start, "Ada Lovelace", email="ada@example.org")
    return kind.department, booking


def sheet(api, department, text=None, day=None):
    headers = {"authorization": f"Bearer {text}"} if text else {}
    day = day or timezone.localtime(timezone.now(), department.zone).date()
    return api.get(
        f"/api/v1/staff/departments/{department.slug}/appointments?day={day}", headers=headers
    )


def test_a_token_reads_its_departments_day_and_is_audited(api, booked, make_token):
    department, booking = booked
    token, text = make_token(department)
    response = sheet(api, department, text, booking.starts_at.astimezone(department.zone).date())
    assert (response.status_code, response["Cache-Control"]) == (200, "private, no-store")
    body = response.json()
    assert [(a["display_name"], a["email"], a["kind"]) for a in body["appointments"]] == [
        ("Ada Lovelace", "ada@example.org", "Beratung")
    ]
    events = list(
        AuditEvent.objects.filter(actor_name=f"api:{token.prefix}")
        .order_by("id")
        .values_list("action", "department_id", "object_type")
    )
    assert events == [
        ("issue_api_token", None, "api_token"),
        ("use_api_token", department.pk, "api_token"),
        ("view_day", department.pk, "department"),
    ]
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert text not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def refused(response) -> tuple[int, str]:
    return response.status_code, response.json()["code"]


def test_no_token(api, booked):
    assert refused(sheet(api, booked[0])) == (401, "token_missing")


def test_a_wrong_token(api, booked, make_token):
    token, text = make_token(booked[0])
    assert refused(sheet(api, booked[0], text + "x")) == (401, "token_invalid")
    assert refused(sheet(api, booked[0], "nonsense")) == (401, "token_invalid")
    assert refused(sheet(api, booked[0], f"bb_{token.prefix}_")) == (401, "token_invalid")


def test_a_token_without_the_scope(api, booked, make_token):
    _token, text = make_token(booked[0], scopes=())
    assert refused(sheet(api, booked[0], text)) == (403, "scope_missing")


def test_another_departments_token(api, booked, make_token, make_department):
    _token, text = make_token(make_department())
    assert refused(sheet(api, booked[0], text)) == (403, "department_not_allowed")
    assert AuditEvent.objects.filter(action="view_day").count() == 0
    details = AuditEvent.objects.filter(action="use_api_token").values_list("detail", flat=True)
    assert [d.split(" 20")[0] for d in details] == ["refused appointments:read appointments"]


def test_a_revoked_token(api, booked, make_token):
    token, text = make_token(booked[0])
    revoke_token(token)
    assert refused(sheet(api, booked[0], text)) == (401, "token_revoked")
    assert AuditEvent.objects.filter(action="revoke_api_token").count() == 1


def test_an_expired_token(api, booked, make_token):
    token, text = make_token(booked[0])
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert refused(sheet(api, booked[0], text)) == (401, "token_expired")


def test_the_command_issues_a_token_shown_once_and_stored_hashed(booked, capsys):
    department, _booking = booked
    call_command(
        "create_api_token",
        "Call centre",
        "--scope",
        "appointments:read",
        "--department",
        department.slug,
        "--days",
        "7",
    )
    text = capsys.readouterr().out.strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert text.startswith(f"bb_{token.prefix}_")
    assert text.split("_", 2)[2] not in token.secret_hash
    assert (token.scopes, list(token.departments.all())) == ("appointments:read", [department])
    assert timedelta(days=6) < token.expires_at - timezone.now() <= timedelta(days=7)


def test_the_admin_lists_and_revokes(booked, make_token, admin_client):
    token, _text = make_token(booked[0])
    listing = admin_client.get("/verwaltung/api/apitoken/")
    assert listing.status_code == 200
    assert token.prefix in listing.content.decode()
    assert token.secret_hash not in listing.content.decode()
    admin_client.post(
        "/verwaltung/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
