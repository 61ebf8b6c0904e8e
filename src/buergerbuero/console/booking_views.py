"""Staff: a department's appointments of a day, beside who is waiting now."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from buergerbuero.bookings import actions
from buergerbuero.bookings.availability import slots_of_kinds
from buergerbuero.bookings.codes import format_code
from buergerbuero.bookings.day_sheet import bookings_of_day
from buergerbuero.bookings.errors import BookingError
from buergerbuero.bookings.models import AppointmentKind, Booking
from buergerbuero.bookings.progress import label, progress
from buergerbuero.departments.models import Department
from buergerbuero.staff.permissions import may_serve
from buergerbuero.waiting.models import EntryState, QueueEntry
from buergerbuero.waiting.queue import queue_order

from .booking_forms import StaffBookingForm


def _department_for(request, slug) -> Department:
    department = get_object_or_404(Department, slug=slug, is_active=True)
    if not may_serve(request.user, department.pk):
        raise PermissionDenied
    return department


def _day(request, department) -> date:
    """The day asked for in `?tag=`, or today. Years 1 and 9999 overflow in the
    department's zone and on the neighbouring days' links: today instead."""
    try:
        day = date.fromisoformat(request.GET.get("tag", ""))
    except ValueError:
        day = None
    if day is None or not 1 < day.year < 9999:
        return datetime.now(department.zone).date()
    return day


@never_cache
@login_required
def day_view(request, slug):
    department = _department_for(request, slug)
    day = _day(request, department)
    # The page shows every booking's name and contact of that day: the look is audited.
    bookings = bookings_of_day(department, day, viewer=request.user)
    rows = [
        {"booking": b, "progress": progress(b), "progress_label": label(progress(b))}
        for b in bookings
    ]
    waiting = queue_order(
        list(QueueEntry.objects.filter(department=department, state=EntryState.WAITING))
    )
    kinds = list(department.appointment_kinds.filter(is_active=True))
    form = StaffBookingForm(kinds=kinds, slots=_slots_of_day(kinds, day, department))
    return render(
        request,
        "console/day.html",
        {
            "department": department,
            "day": day,
            "rows": rows,
            "form": form,
            "booked_waiting": [e for e in waiting if e.booked_for],
            "walk_ins": [e for e in waiting if not e.booked_for],
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            # The citizen's language, named for staff so they can arrange an interpreter.
            "language_codes": [code for code, _name in settings.LANGUAGES],
        },
    )


def _slots_of_day(kinds, day, department) -> list[tuple[str, str]]:
    """(value, label) of every free time that day, per kind, ignoring the minimum notice."""
    choices = []
    free = slots_of_kinds(department, kinds, ignore_notice=True)
    for kind in kinds:
        for start, _seat in free[kind.pk]:
            if start.astimezone(department.zone).date() == day:
                local = start.astimezone(department.zone)
                choices.append((f"{kind.pk}|{start.isoformat()}", f"{local:%H:%M} – {kind.name}"))
    return choices


@login_required
@require_POST
def book_for_caller(request, slug):
    department = _department_for(request, slug)
    day = _day(request, department)
    kinds = list(department.appointment_kinds.filter(is_active=True))
    form = StaffBookingForm(request.POST, kinds=kinds, slots=_slots_of_day(kinds, day, department))
    if not form.is_valid():
        messages.error(request, _("Please check the booking details."))
        return _back_to_day(department, day)
    kind_id, start = form.cleaned_data["slot"].split("|", 1)
    kind = get_object_or_404(AppointmentKind, pk=kind_id, department=department)
    try:
        booking = actions.book(
            kind,
            datetime.fromisoformat(start),
            form.cleaned_data["display_name"],
            email=form.cleaned_data["email"],
            phone=form.cleaned_data["phone"],
            topic=form.cleaned_data["topic"],
            staff_user=request.user,
        )
    except BookingError:
        messages.error(
            request, _("This time has just been booked by someone else. Please choose another.")
        )
    else:
        messages.success(
            request,
            _("Booked. Booking code for the caller: %(code)s")
            % {"code": format_code(booking.code)},
        )
    return _back_to_day(department, day)


@login_required
@require_POST
def cancel_booking(request, slug, booking_id):
    department, booking = _booking_for(request, slug, booking_id)
    try:
        actions.cancel(booking, request.POST.get("message", ""), by=request.user)
    except BookingError:
        messages.error(request, _("This appointment is no longer active."))
    return _back_to_day(department, booking.starts_at.astimezone(department.zone).date())


@login_required
@require_POST
def mark_no_show(request, slug, booking_id):
    department, booking = _booking_for(request, slug, booking_id)
    try:
        actions.mark_no_show(booking, by=request.user)
    except BookingError:
        messages.error(request, _("This appointment is no longer active."))
    return _back_to_day(department, booking.starts_at.astimezone(department.zone).date())


def _booking_for(request, slug, booking_id) -> tuple[Department, Booking]:
    department = _department_for(request, slug)
    return department, get_object_or_404(Booking, pk=booking_id, department=department)


def _back_to_day(department, day):
    return redirect(f"{reverse('console:day', args=[department.slug])}?tag={day.isoformat()}")
