"""The optional second factor of staff logins: a TOTP authenticator app (django-otp).

A staff member sets it up in the console (scan, confirm one code); from then on every
login asks for a code, and a session that was opened without one is ended. A lost phone
is reset by an administrator (admin action or `manage.py reset_second_factor`), and the
staff member sets up the new one.
"""

from base64 import b32encode

import django_otp
import segno
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from buergerbuero.audit.actions import record
from buergerbuero.audit.models import Action

DEVICE_NAME = "authenticator app"


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def pending_device(user) -> TOTPDevice:
    """The device being set up: the same one on every reload, so a code scanned once
    stays good until it is confirmed."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def verify(device: TOTPDevice, token: str) -> bool:
    """Each code is good once (django-otp keeps the last used time step), and wrong codes
    slow further tries on that device down (its own back-off)."""
    token = "".join(token.split())
    if not token.isdigit():
        return False
    return django_otp.verify_token(device.user, device.persistent_id, token) is not None


def confirm(device: TOTPDevice, token: str) -> bool:
    """Finish setting up: the app shows the right code, so from now on logins need one."""
    if not verify(device, token):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        record(
            Action.ENROL_SECOND_FACTOR,
            actor=device.user,
            object_type="user",
            object_id=device.user_id,
        )
    device.confirmed = True
    return True


def reset(user, by=None) -> int:
    """Remove the user's authenticator apps (a lost phone); `by` is the administrator,
    None from the command line."""
    with transaction.atomic():
        deleted, _ = TOTPDevice.objects.filter(user=user).delete()
        if deleted:
            record(
                Action.RESET_SECOND_FACTOR,
                actor=by,
                object_type="user",
                object_id=user.pk,
                detail="" if by is not None else "command line",
            )
    return deleted


def lacks_second_factor(user, session) -> bool:
    """True for a session of an account with an authenticator app that was not opened
    with its code (logged in before the app was set up, or by another way in)."""
    device = confirmed_device(user)
    return device is not None and session.get(DEVICE_ID_SESSION_KEY) != device.persistent_id


def provisioning_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as a QR code, drawn here: the secret never leaves our server."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def typed_secret(device: TOTPDevice) -> str:
    """The secret for typing into an app without a camera, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
