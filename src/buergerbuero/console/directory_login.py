"""The ways in of a directory sign-in: the button to the county's OpenID Connect provider,
its way back, the authenticator code for an account that has one, and logging out at the
provider. The password sign-in against LDAP is the ordinary login form (login_forms.py).
"""

import logging
from urllib.parse import urlencode

import django_otp
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model, login
from django.contrib.auth.views import LogoutView
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from buergerbuero.directory import sync
from buergerbuero.directory.ldap_backend import refusal_of
from buergerbuero.directory.oidc_backend import provider_setting
from buergerbuero.staff import second_factor

from .login_forms import ConfirmCodeForm

log = logging.getLogger(__name__)

PENDING_USER = "directory_pending_user"
PENDING_BACKEND = "directory_pending_backend"


def oidc_enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def _unreachable(request) -> HttpResponseRedirect:
    messages.error(request, str(sync.DirectoryUnreachable.message))
    return redirect("console:login")


class DirectoryLoginView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider (with state, nonce and the PKCE challenge)."""

    def __init__(self, *args, **kwargs):
        # The endpoint is looked up per request (get), where an unreachable provider
        # can still be answered with a page.
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = getattr(settings, "OIDC_RP_CLIENT_ID", "")

    @staticmethod
    def get_settings(attr, *args):
        return provider_setting(attr, *args)

    def get(self, request):
        if not oidc_enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except requests.RequestException as error:
            log.warning("The OpenID Connect provider is not reachable (%s)", error)
            return _unreachable(request)
        return super().get(request)


class DirectoryCallbackView(OIDCAuthenticationCallbackView):
    def get(self, request):
        if not oidc_enabled():
            raise Http404
        try:
            return super().get(request)
        except requests.RequestException as error:
            log.warning("The OpenID Connect provider is not reachable (%s)", error)
            return _unreachable(request)

    def login_failure(self):
        reason = refusal_of(self.request)
        messages.error(
            self.request,
            str(reason) if reason else _("The sign-in with the county's account did not work."),
        )
        return redirect("console:login")

    def login_success(self):
        # The same rule as the login form: an account with an authenticator app opens a
        # session only with its code.
        if second_factor.confirmed_device(self.user) is not None:
            self.request.session[PENDING_USER] = self.user.pk
            self.request.session[PENDING_BACKEND] = self.user.backend
            return redirect("console:directory_code")
        return super().login_success()


@never_cache
@require_http_methods(["GET", "POST"])
def directory_code(request):
    """The authenticator code after a sign-in at the provider, for an account with an app."""
    user_id = request.session.get(PENDING_USER)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    device = second_factor.confirmed_device(user) if user is not None else None
    if device is None:
        return redirect("console:login")
    form = ConfirmCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.verify(device, form.cleaned_data["code"]):
            backend = request.session.pop(PENDING_BACKEND)
            request.session.pop(PENDING_USER)
            id_token = request.session.get("oidc_id_token")
            login(request, user, backend=backend)
            django_otp.login(request, device)
            if id_token:
                request.session["oidc_id_token"] = id_token
            return redirect(settings.LOGIN_REDIRECT_URL)
        form.add_error("code", _("This code is wrong. Please enter the code the app shows now."))
    return render(request, "console/directory_code.html", {"form": form})


def provider_logout_url(request) -> str | None:
    """Where the browser goes to end its session at the provider too (RP-initiated
    logout), or None for a session that did not come from the provider."""
    id_token = request.session.get("oidc_id_token")
    backend = request.session.get(BACKEND_SESSION_KEY, "")
    if not id_token or not oidc_enabled() or not backend.endswith("DirectoryOIDCBackend"):
        return None
    try:
        endpoint = provider_setting("OIDC_OP_LOGOUT_ENDPOINT", None)
    except requests.RequestException:
        return None
    if not endpoint:
        return None
    back = request.build_absolute_uri(reverse(settings.LOGOUT_REDIRECT_URL))
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": back,
            "client_id": settings.OIDC_RP_CLIENT_ID,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


class StaffLogoutView(LogoutView):
    """Django's logout; a session from the provider then ends at the provider too."""

    def post(self, request, *args, **kwargs):
        at_provider = provider_logout_url(request)
        response = super().post(request, *args, **kwargs)
        if at_provider:
            return HttpResponseRedirect(at_provider)
        return response
