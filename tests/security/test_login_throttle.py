"""Login throttling: after LOGIN_ATTEMPT_LIMIT attempts per user name and client address
the login is refused, the right password included, until the window has passed."""

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db

THROTTLED_15 = "Too many failed attempts to log in. Please wait 15 minutes and try again."
WRONG = "Please enter a correct username and password. Note that both fields may be case-sensitive."


@pytest.fixture(autouse=True)
def limit(settings):
    settings.LOGIN_ATTEMPT_LIMIT = 3
    settings.LOGIN_ATTEMPT_WINDOW_SECONDS = 900


def log_in(client, username, password, url=None, **extra):
    return client.post(
        url or reverse("console:login"), {"username": username, "password": password}, **extra
    )


def errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


def test_right_password_is_refused_after_the_limit_of_failures(clerk, english):
    name = clerk.username
    for _ in range(3):
        response = log_in(english, name, "wrong")
        assert (response.status_code, errors(response)) == (200, [WRONG])
    response = log_in(english, name, PASSWORD)
    assert (response.status_code, errors(response)) == (429, [THROTTLED_15])
    assert SESSION_KEY not in english.session


def test_login_goes_through_again_after_the_window(clerk, english, settings):
    settings.LOGIN_ATTEMPT_WINDOW_SECONDS = 1
    for _ in range(3):
        log_in(english, clerk.username, "wrong")
    response = log_in(english, clerk.username, PASSWORD)
    assert (response.status_code, errors(response)) == (
        429,
        ["Too many failed attempts to log in. Please wait 1 minute and try again."],
    )
    time.sleep(1.1)  # the real cache's expiry, in memory or in Redis
    response = log_in(english, clerk.username, PASSWORD)
    assert (response.status_code, response["Location"]) == (302, reverse("console:home"))
    assert english.session[SESSION_KEY] == str(clerk.pk)


def test_the_count_is_per_user_name_and_client_address(clerk, department, make_staff, english):
    other = make_staff(department, username=clerk.username + "-b", password=PASSWORD)
    for _ in range(3):
        log_in(english, clerk.username, "wrong")
    assert log_in(english, clerk.username, PASSWORD).status_code == 429
    # The same person from another address, and another person from this one.
    assert log_in(english, clerk.username, PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 302
    assert log_in(english, other.username, PASSWORD).status_code == 302


def test_a_complete_login_clears_the_count(clerk, english):
    for _ in range(2):
        log_in(english, clerk.username, "wrong")
    assert log_in(english, clerk.username, PASSWORD).status_code == 302
    english.post(reverse("console:logout"))
    for _ in range(2):
        log_in(english, clerk.username, "wrong")
    assert log_in(english, clerk.username, PASSWORD).status_code == 302


def test_admin_login_is_throttled_too(department, make_staff, english):
    admin = make_staff(department, username=f"{department.slug}-admin", password=PASSWORD)
    admin.is_staff = True
    admin.save()
    url = reverse("admin:login")
    for _ in range(3):
        assert log_in(english, admin.username, "wrong", url=url).status_code == 200
    response = log_in(english, admin.username, PASSWORD, url=url)
    assert errors(response) == [THROTTLED_15]
    assert SESSION_KEY not in english.session


def test_stopping_redis_does_not_lift_the_limit(redis_down, clerk, english):
    # Redis unreachable: the attempts are counted in the process, and the login page
    # still answers (no 500).
    for _ in range(3):
        response = log_in(english, clerk.username, "wrong")
        assert (response.status_code, errors(response)) == (200, [WRONG])
    response = log_in(english, clerk.username, PASSWORD)
    assert (response.status_code, errors(response)) == (429, [THROTTLED_15])
    assert SESSION_KEY not in english.session


def test_a_complete_login_clears_the_count_while_redis_is_down(redis_down, clerk, english):
    for _ in range(2):
        log_in(english, clerk.username, "wrong")
    assert log_in(english, clerk.username, PASSWORD).status_code == 302
    english.post(reverse("console:logout"))
    for _ in range(2):
        log_in(english, clerk.username, "wrong")
    assert log_in(english, clerk.username, PASSWORD).status_code == 302
