"""Retention periods and system settings, for administrators: how long each department
keeps each kind of personal data (privacy.RetentionPolicy; empty: the installation's
default), next to what the installation sets for all (environment variables). Transport
only: the change is privacy.actions.set_retention, audited there."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from buergerbuero.departments.models import Department
from buergerbuero.privacy import actions as privacy
from buergerbuero.privacy.models import RetentionPolicy
from buergerbuero.privacy.retention import KINDS, default_retention, retention_for
from buergerbuero.staff import permissions

from .forms import RetentionForm


def _require_administrator(request) -> None:
    if not permissions.is_administrator(request.user):
        raise PermissionDenied


_RETENTION_LABELS = {
    "queue_entries": gettext_lazy("Queue entries"),
    "rooms": gettext_lazy("Call participants"),
    "invitations": gettext_lazy("Invitations"),
    "bookings": gettext_lazy("Bookings"),
    "cancelled_bookings": gettext_lazy("Cancelled bookings"),
    "mails": gettext_lazy("Sent mails"),
    "failed_mails": gettext_lazy("Undeliverable mails"),
}


@never_cache
@login_required
def retention(request):
    """Each department's retention periods (its own or the default), and what the
    installation sets for all (environment variables, docs/deploy.md)."""
    _require_administrator(request)
    defaults = default_retention()
    rows = []
    for department in Department.objects.select_related("retention").order_by("name"):
        own = getattr(department, "retention", None)
        effective = retention_for(own)
        rows.append(
            {
                "department": department,
                "special_categories": bool(own and own.special_categories),
                "days": [
                    (
                        getattr(effective, kind),
                        own is not None and getattr(own, f"{kind}_days") is not None,
                    )
                    for kind in KINDS
                ],
            }
        )
    return render(
        request,
        "administration/retention.html",
        {
            "rows": rows,
            "kinds": [_RETENTION_LABELS[kind] for kind in KINDS],
            "defaults": [(_RETENTION_LABELS[kind], getattr(defaults, kind)) for kind in KINDS],
            "audit_days": settings.AUDIT_RETENTION_DAYS,
            "access_log_days": settings.PRIVACY_ACCESS_LOG_DAYS,
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def retention_edit(request, slug):
    _require_administrator(request)
    department = get_object_or_404(Department, slug=slug)
    instance = RetentionPolicy.objects.filter(department=department).first()
    form = RetentionForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        privacy.set_retention(department, form.cleaned_data, by=request.user)
        messages.success(
            request,
            _("Retention periods of %(name)s saved. The next hourly clean-up applies them.")
            % {"name": department.name},
        )
        return redirect("administration:retention")
    return render(
        request,
        "administration/retention_form.html",
        {"form": form, "department": department},
    )
