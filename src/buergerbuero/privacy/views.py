"""Privacy pages: the notice for everyone, "My data" for a booking, and the record of
processing activities for administrators."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Field
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from buergerbuero.bookings.models import Booking
from buergerbuero.ratelimit import allow

from . import record
from .actions import erase_booking
from .inventory import INVENTORY
from .models import RetentionPolicy
from .retention import KINDS, default_retention
from .subject_rights import held_about

RECORD_PERMISSION = "privacy.view_processing_record"


def notice(request):
    defaults = default_retention()
    return render(
        request,
        "privacy/notice.html",
        {
            "controller": record.controller(),
            "dpo": record.data_protection_officer(),
            "processings": [(p, p.retention(defaults)) for p in INVENTORY],
            "departments": record.departments(),
            "retention_labels": retention_labels(),
            "supervisory_authority": settings.PRIVACY_SUPERVISORY_AUTHORITY,
        },
    )


def retention_labels() -> list[str]:
    return [str(_retention_field(kind).verbose_name) for kind in KINDS]


def _retention_field(kind: str) -> "Field[Any, Any]":
    field = RetentionPolicy._meta.get_field(f"{kind}_days")
    assert isinstance(field, Field)  # the policy's own columns, not relations
    return field


def _booking(token: str) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related("department", "kind", "queue_entry", "queue_entry__room"),
        token=token,
    )


@never_cache
def my_data(request, token):
    booking = _booking(token)
    return render(
        request,
        "privacy/my_data.html",
        {"booking": booking, "department": booking.department, "held": held_about(booking)},
    )


@require_POST
def erase(request, token):
    booking = _booking(token)
    if not allow(request, "cancel"):
        messages.error(request, _("Too many attempts. Please try again later."))
    elif request.POST.get("confirm") != "yes":
        messages.error(request, _("Please confirm that your data should be deleted."))
    else:
        erase_booking(booking)
        messages.success(request, _("Your data has been deleted."))
    return redirect("privacy:my_data", token=token)


def _may_read_record(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm(RECORD_PERMISSION))


@login_required
def processing_record(request):
    if not _may_read_record(request.user):
        raise PermissionDenied
    return render(request, "privacy/record.html", {"record": record.processing_record()})


@login_required
def processing_record_json(request):
    if not _may_read_record(request.user):
        raise PermissionDenied
    return JsonResponse(record.processing_record(), json_dumps_params={"ensure_ascii": False})
