import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # make_staff creates users; the production hasher would cost ~0.3 s per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
