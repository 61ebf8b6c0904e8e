"""Signing in starts offline; signing out ends the member's presence at once."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from . import presence


@receiver(user_logged_in, dispatch_uid="staff-presence-signed-in")
def _signed_in(sender, request, user, **kwargs) -> None:
    presence.signed_in(user)


@receiver(user_logged_out, dispatch_uid="staff-presence-signed-out")
def _signed_out(sender, request, user, **kwargs) -> None:
    presence.signed_out(user)
