"""The admin's audit log lists its events in a fixed number of queries, however many."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from buergerbuero.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db

SIZES = [1, 6]
# admin_client is pytest-django's: a superuser without an authenticator app, so the
# second-factor check lets the session through.


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # make_staff creates users; the production hasher would cost ~0.3 s per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize("count", SIZES)
def test_audit_event_changelist_query_count_is_constant(
    make_department, make_staff, admin_client, django_assert_num_queries, count
):
    noon = datetime(2026, 3, 2, 12, tzinfo=UTC)
    for n in range(count):
        department = make_department()
        AuditEvent.objects.create(
            at=noon + timedelta(minutes=n),
            actor=make_staff(department),
            actor_name=f"staff {n}",
            action=Action.VIEW_DAY,
            department=department,
            object_type="department",
            object_id=str(department.pk),
        )
    # Session, user, authenticator app (StaffSessionMiddleware); the departments to filter
    # by; events counted twice, the events with their departments; the date hierarchy:
    # first and last moment, then the days (all in one month); the session saved at the
    # end (the idle clock starts): savepoint, UPDATE, release.
    with django_assert_num_queries(12):
        response = admin_client.get(reverse("admin:audit_auditevent_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == count
