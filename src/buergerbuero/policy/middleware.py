"""Leads a signed-in member whose role requires a second factor and who has none yet to
the authenticator-app page, before anything else of the staff area.

Whether the member must enrol is decided once, at sign-in (`apps.PolicyConfig.ready`
marks the session), so other requests cost no query.
"""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin

from buergerbuero.staff import second_factor

MUST_ENROL = "bb_must_enrol_second_factor"
# Pages a member who must enrol may still open: the enrolment itself and signing out.
ALLOWED = ("console:second_factor", "console:logout")


class SecondFactorRequired(MiddlewareMixin):
    def process_request(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not request.session.get(MUST_ENROL):
            return None
        if second_factor.confirmed_device(user) is not None:
            del request.session[MUST_ENROL]
            return None
        if request.path in {reverse(name) for name in ALLOWED}:
            return None
        return redirect("console:second_factor")
