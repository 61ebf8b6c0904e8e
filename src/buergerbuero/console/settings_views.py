"""Staff configure their department's appointments: kinds, rules, one-off closures.

Open to the department's leads and to administrators (staff/permissions.may_lead);
everyone else serves, but does not configure.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import modelformset_factory
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from buergerbuero.bookings import configuration
from buergerbuero.bookings.availability import settings_for
from buergerbuero.bookings.models import AppointmentKind, Closure
from buergerbuero.departments.models import Department
from buergerbuero.staff.permissions import may_lead

from .booking_forms import AppointmentKindForm, BookingSettingsForm, ClosureForm

KindFormSet = modelformset_factory(
    AppointmentKind, form=AppointmentKindForm, extra=1, can_delete=False
)


def _configurable(request, slug) -> Department:
    department = get_object_or_404(Department, slug=slug, is_active=True)
    if not may_lead(request.user, department.pk):
        raise PermissionDenied
    return department


@never_cache
@login_required
def booking_settings(request, slug):
    department = _configurable(request, slug)
    settings_obj = settings_for(department)
    kinds = AppointmentKind.objects.filter(department=department)
    if request.method == "POST":
        form = BookingSettingsForm(request.POST, instance=settings_obj, prefix="rules")
        formset = KindFormSet(request.POST, queryset=kinds, prefix="kinds")
        if form.is_valid() and formset.is_valid():
            configuration.configure(
                department, form.cleaned_data, _changed_kinds(formset), by=request.user
            )
            messages.success(request, _("Settings saved."))
            return redirect("console:booking_settings", slug=slug)
    else:
        form = BookingSettingsForm(instance=settings_obj, prefix="rules")
        formset = KindFormSet(queryset=kinds, prefix="kinds")
    with timezone.override(department.zone):
        return render(
            request,
            "console/booking_settings.html",
            {
                "department": department,
                "form": form,
                "formset": formset,
                "closure_form": ClosureForm(),
                "closures": Closure.objects.filter(
                    department=department, ends_at__gte=timezone.now()
                ),
            },
        )


def _changed_kinds(formset) -> list[tuple[AppointmentKind | None, dict]]:
    """(the kind, or None for a new one; its fields) of every filled-in form that changed."""
    return [
        (form.instance if form.instance.pk else None, form.cleaned_data)
        for form in formset.forms
        if form.has_changed()
    ]


@login_required
@require_POST
def add_closure(request, slug):
    department = _configurable(request, slug)
    # Times typed by staff are the department's local times.
    with timezone.override(department.zone):
        form = ClosureForm(request.POST)
        valid = form.is_valid()
    if valid:
        configuration.add_closure(department, **form.cleaned_data, by=request.user)
        messages.success(request, _("Closure saved. No appointments can be booked in that time."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("console:booking_settings", slug=slug)


@login_required
@require_POST
def delete_closure(request, slug, closure_id):
    department = _configurable(request, slug)
    configuration.remove_closure(department, closure_id, by=request.user)
    return redirect("console:booking_settings", slug=slug)
