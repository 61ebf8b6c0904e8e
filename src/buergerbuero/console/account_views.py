"""Staff login and the authenticator app (second factor)."""

import django_otp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from buergerbuero.staff import accounts, second_factor

from .directory_login import oidc_enabled
from .login_forms import THROTTLED, ConfirmCodeForm, StaffLoginForm

TOO_MANY_REQUESTS = 429


class StaffLoginView(LoginView):
    template_name = "console/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        accounts.record_sign_in(form.get_user())
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = oidc_enabled()
        return context

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("__all__", THROTTLED):
            response.status_code = TOO_MANY_REQUESTS
        return response


@never_cache  # the page shows the secret while setting up
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_page(request):
    device = second_factor.confirmed_device(request.user)
    if device is not None:
        return render(request, "console/second_factor.html", {"device": device})
    pending = second_factor.pending_device(request.user)
    form = ConfirmCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.confirm(pending, form.cleaned_data["code"]):
            # This session has just shown a code: it stays open.
            django_otp.login(request, pending)
            messages.success(
                request, _("The authenticator app is set up. Every login now asks for a code.")
            )
            return redirect("console:second_factor")
        form.add_error("code", _("This code is wrong. Please enter the code the app shows now."))
    return render(
        request,
        "console/second_factor.html",
        {
            "form": form,
            "qr_svg": second_factor.provisioning_svg(pending),
            "secret": second_factor.typed_secret(pending),
        },
    )
