from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from buergerbuero.staff.permissions import may_serve, staff_department_ids, staff_departments


def test_staff_department_ids_lists_active_departments_of_the_profile(make_department, make_staff):
    first, second = make_department(), make_department()
    retired = make_department(is_active=False)
    make_department()  # someone else's
    user = make_staff(first, second, retired)
    assert staff_department_ids(user) == {first.pk, second.pk}
    assert list(staff_departments(user).order_by("pk")) == [first, second]


def test_staff_department_ids_anonymous_is_empty(db):
    assert staff_department_ids(AnonymousUser()) == set()


def test_staff_department_ids_user_without_profile_is_empty(db):
    user = get_user_model().objects.create_user(username="citizen", password="x")
    assert staff_department_ids(user) == set()


def test_staff_department_ids_inactive_user_is_empty(make_department, make_staff):
    user = make_staff(make_department())
    user.is_active = False
    user.save()
    assert staff_department_ids(user) == set()


def test_may_serve_only_own_departments(make_department, make_staff):
    mine, theirs = make_department(), make_department()
    user = make_staff(mine)
    assert (may_serve(user, mine.pk), may_serve(user, theirs.pk)) == (True, False)
