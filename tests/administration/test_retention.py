"""The administrator's retention page: each department's periods (its own or the
installation's default), changed with a clear message for every mistake, audited, and
applied by the purge."""

import pytest
from django.urls import reverse

from buergerbuero.audit.models import AuditEvent
from buergerbuero.privacy.models import RetentionPolicy
from buergerbuero.privacy.retention import retention_for

from .test_views import client_of

EMPTY = {
    "queue_entries_days": "",
    "rooms_days": "",
    "invitations_days": "",
    "bookings_days": "",
    "cancelled_bookings_days": "",
    "mails_days": "",
    "failed_mails_days": "",
}


@pytest.fixture
def administrator(make_staff):
    return make_staff(administrator=True)


def policy_of(department) -> tuple:
    return tuple(
        RetentionPolicy.objects.filter(department=department).values_list(
            "queue_entries_days", "bookings_days", "special_categories"
        )
    )


def test_administrator_sets_a_department_s_retention(administrator, make_department, settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "bookings": 30, "queue_entries": 1}
    department = make_department(name="Beratung", slug="beratung")
    client = client_of(administrator)
    url = reverse("administration:retention_edit", args=["beratung"])
    page = client.get(url).content.decode()
    assert "Empty: the installation&#x27;s default, 30 days. At most 3650 days." in page
    response = client.post(url, {**EMPTY, "bookings_days": "90", "special_categories": "on"})
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("administration:retention"),
    )
    assert policy_of(department) == ((None, 90, True),)
    effective = retention_for(department.retention)
    assert (effective.bookings, effective.queue_entries) == (90, 1)
    event = AuditEvent.objects.get(action="change_retention")
    assert (event.actor_id, event.department_id, event.detail) == (
        administrator.pk,
        department.pk,
        "queue_entries=default rooms=default invitations=default bookings=90 "
        "cancelled_bookings=default mails=default failed_mails=default special=True",
    )
    overview = client.get(reverse("administration:retention")).content.decode()
    assert "<td>90 *</td>" in overview
    assert "special categories (Art. 9 GDPR)" in overview


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("99999", "At most 3650 days (ten years). Leave it empty for the default."),
        ("-1", "Please enter 0 or more days."),
        ("zwei", "Please enter a whole number of days, e.g. 30."),
    ],
)
def test_bad_retention_is_refused_with_a_message(administrator, make_department, value, message):
    department = make_department(slug="beratung")
    response = client_of(administrator).post(
        reverse("administration:retention_edit", args=["beratung"]),
        {**EMPTY, "bookings_days": value},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"bookings_days": [message]}
    assert 'aria-describedby="id_bookings_days_error id_bookings_days_helptext"' in (
        response.content.decode()
    )
    assert policy_of(department) == ()
    assert not AuditEvent.objects.filter(action="change_retention").exists()


def test_a_lead_cannot_change_retention(make_department, make_staff):
    department = make_department(slug="beratung")
    lead = make_staff(department, role="lead")
    client = client_of(lead)
    url = reverse("administration:retention_edit", args=["beratung"])
    assert client.get(url).status_code == 403
    assert client.post(url, {**EMPTY, "bookings_days": "0"}).status_code == 403
    assert policy_of(department) == ()
    assert "aufbewahrung" not in client.get(reverse("administration:home")).content.decode()
