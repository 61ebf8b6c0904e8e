"""Staff passwords: Argon2 for every new one; older hashes still work once and are
rehashed with Argon2 at the next login."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from buergerbuero import settings as production

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def argon2(settings):
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS


def test_production_hashers_put_argon2_first_and_keep_the_old_ones():
    assert production.PASSWORD_HASHERS == [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ]


def test_new_password_is_hashed_with_argon2id(argon2):
    user = get_user_model().objects.create_user("anna", password=PASSWORD)
    algorithm, variant, *_ = user.password.split("$")
    assert (algorithm, variant) == ("argon2", "argon2id")
    assert user.check_password(PASSWORD) is True


def test_old_pbkdf2_hash_is_rehashed_with_argon2_at_login(argon2, department, make_staff, english):
    user = make_staff(department, username="bernd")
    get_user_model().objects.filter(pk=user.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )
    response = english.post(reverse("console:login"), {"username": "bernd", "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.split("$")[0] == "argon2"
