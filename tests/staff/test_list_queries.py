"""The admin lists staff profiles and authenticator apps in a fixed number of queries."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

SIZES = [1, 6]
# admin_client is pytest-django's: a superuser without an authenticator app, so the
# second-factor check lets the session through.


@pytest.fixture
def staff_of(make_department, make_staff):
    def make(count):
        """`count` staff members, each in two departments, with an authenticator app."""
        users = [make_staff(make_department(), make_department()) for _ in range(count)]
        for user in users:
            TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=True)
        return users

    return make


@pytest.mark.parametrize("count", SIZES)
def test_staff_profile_changelist_query_count_is_constant(
    staff_of, admin_client, django_assert_num_queries, count
):
    staff_of(count)
    # Session, user, authenticator app (StaffSessionMiddleware); profiles counted twice,
    # the profiles with their users; the session saved at the end (the idle clock
    # starts): savepoint, UPDATE, release.
    with django_assert_num_queries(9):
        response = admin_client.get(reverse("admin:staff_staffprofile_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == count


@pytest.mark.parametrize("count", SIZES)
def test_authenticator_app_changelist_query_count_is_constant(
    staff_of, admin_client, django_assert_num_queries, count
):
    staff_of(count)
    # Session, user, authenticator app (StaffSessionMiddleware); devices counted twice,
    # the devices with their users; the session saved at the end (the idle clock
    # starts): savepoint, UPDATE, release.
    with django_assert_num_queries(9):
        response = admin_client.get(reverse("admin:otp_totp_totpdevice_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == count
