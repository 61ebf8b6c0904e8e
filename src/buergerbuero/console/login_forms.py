"""The staff login: attempts throttled, then the password, then the authenticator code if
the account has an app. One form for the console and the admin, so neither is a way
around the other's rules."""

import math

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from buergerbuero.directory.ldap_backend import refusal_of
from buergerbuero.staff import login_throttle, second_factor

THROTTLED = "throttled"


class StaffLoginMixin(forms.Form):
    # Set by AuthenticationForm, which every form with this mixin also is.
    request: HttpRequest | None
    user_cache: User | None

    otp_token = forms.CharField(
        label=_("Code from your authenticator app (if you set one up)"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if not login_throttle.count_attempt(self.request, username):
            minutes = math.ceil(settings.LOGIN_ATTEMPT_WINDOW_SECONDS / 60)
            raise ValidationError(
                ngettext(
                    "Too many failed attempts to log in. "
                    "Please wait %(minutes)s minute and try again.",
                    "Too many failed attempts to log in. "
                    "Please wait %(minutes)s minutes and try again.",
                    minutes,
                )
                % {"minutes": minutes},
                code=THROTTLED,
            )
        try:
            cleaned = super().clean()
        except ValidationError as error:
            # The directory refused (disabled, no mapped group) or did not answer: say
            # so instead of "wrong password".
            reason = refusal_of(self.request)
            if reason is not None:
                raise ValidationError(str(reason), code=reason.code) from error
            raise
        user = self.user_cache
        device = second_factor.confirmed_device(user)
        if device is not None:
            if not second_factor.verify(device, self.cleaned_data.get("otp_token", "")):
                raise ValidationError(
                    gettext("The code from your authenticator app is missing or wrong."),
                    code="invalid_code",
                )
            # A device belongs to a user, so the password matched one.
            assert user is not None
            # django-otp marks the session as opened with this device at login; the
            # attribute is its convention, not a field of User.
            user.otp_device = device  # type: ignore[attr-defined]
        login_throttle.clear_attempts(self.request, username)
        return cleaned


class StaffLoginForm(StaffLoginMixin, AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The console's words for the fields, on the page and in the error summary.
        self.fields["username"].label = _("User name")
        self.fields["password"].label = _("Password")


class AdminStaffLoginForm(StaffLoginMixin, AdminAuthenticationForm):
    pass


class ConfirmCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code shown by the app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
