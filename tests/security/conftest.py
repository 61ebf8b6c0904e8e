"""Security test fixtures: codes from a staff member's authenticator app. The department,
its clerk, PASSWORD and the sockets are shared (tests/conftest.py, tests/factories.py)."""

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What the staff member's app shows now (or `steps_ahead` periods of 30 s later: a
    code is good once, so a second login in the same period needs the next one)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def enrolled():
    """Give a user a confirmed authenticator app; returns the device."""

    def make(user) -> TOTPDevice:
        return TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=True)

    return make
