"""The admin lists departments in a fixed number of queries, however many there are."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SIZES = [1, 6]
# admin_client is pytest-django's: a superuser without an authenticator app, so the
# second-factor check lets the session through.


@pytest.mark.parametrize("count", SIZES)
def test_department_changelist_query_count_is_constant(
    make_department, make_staff, admin_client, django_assert_num_queries, count
):
    for _ in range(count):
        make_staff(make_department())
    # Session, user, authenticator app (StaffSessionMiddleware); departments counted
    # twice, the departments; the session saved at the end (the idle clock starts):
    # savepoint, UPDATE, release.
    with django_assert_num_queries(9):
        response = admin_client.get(reverse("admin:departments_department_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == count
