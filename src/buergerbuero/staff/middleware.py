"""Ends a staff session that was idle too long or lacks the second factor its account
requires, and keeps an active one alive (docs/security.md, "Staff accounts")."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _

from . import idle, second_factor


class StaffSessionMiddleware(MiddlewareMixin):
    def process_request(self, request) -> None:
        user = request.user
        if not user.is_authenticated:
            return
        if idle.idle_expired(request.session):
            logout(request)
            messages.info(
                request,
                _("You were logged out after %(minutes)s minutes without activity.")
                % {"minutes": settings.STAFF_SESSION_IDLE_SECONDS // 60},
            )
        elif second_factor.lacks_second_factor(user, request.session):
            logout(request)
            messages.info(request, _("Please log in again with the code from your app."))
        else:
            idle.mark_active(request.session)

    def process_response(self, request, response):
        # Logged in by this very request: the idle clock starts now.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            idle.mark_active(request.session)
        return response
