"""Setting a password from a mailed link (invitation or reset), and asking for a reset.

Nobody types another person's password: an administrator or lead sends the link. The
"forgot password" page answers the same whatever was typed (no account enumeration)
and is rate-limited per client (`ratelimit.allow`, action `password_reset`).
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from buergerbuero import ratelimit
from buergerbuero.audit.actions import record
from buergerbuero.audit.models import Action
from buergerbuero.staff import accounts

from .forms import AccessibleSetPasswordForm, ForgotPasswordForm

User = get_user_model()
TOO_MANY_REQUESTS = 429


def _user_of(uidb64: str):
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


@never_cache
@require_http_methods(["GET", "POST"])
def set_password(request, uidb64, token):
    user = _user_of(uidb64)
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "administration/set_password.html", {"invalid": True}, status=410)
    if accounts.is_directory_account(user):
        # A link mailed before the account was linked to the directory: it sets nothing.
        return render(request, "administration/set_password.html", {"directory": True}, status=403)
    form = AccessibleSetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()  # changes the hash: the link is used up
        record(Action.SET_PASSWORD, actor=user, object_type="user", object_id=user.pk)
        messages.success(request, _("Your password is set. Please sign in."))
        return redirect("console:login")
    return render(request, "administration/set_password.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def forgot_password(request):
    form = ForgotPasswordForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.allow(request, "password_reset"):
            form = ForgotPasswordForm()
            messages.error(request, _("Too many requests. Please try again in an hour."))
            response = render(request, "administration/forgot_password.html", {"form": form})
            response.status_code = TOO_MANY_REQUESTS
            return response
        if form.is_valid():
            email = form.cleaned_data["email"].strip().lower()
            # Directory accounts change their password in the directory: they get no
            # link, and the answer is the same as for any other address.
            user = User.objects.filter(
                email__iexact=email, is_active=True, directory_account__isnull=True
            ).first()
            if user is not None:
                accounts.send_invitation(user, by=None, reset=True)
            messages.success(
                request,
                _(
                    "If a staff account has this address, a link to set a new password is on "
                    "its way. It is valid for a limited time."
                ),
            )
            return redirect("console:login")
    return render(request, "administration/forgot_password.html", {"form": form})
