"""Staff: a department's appointments of a day, beside who is waiting now."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buergerbuero.audit.actions import record
from buergerbuero.audit.models import Action
from buergerbuero.bookings import actions
from buergerbuero.bookings.availability import available_slots
from buergerbuero.bookings.codes import format_code
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
    try:
        return date.fromisoformat(request.GET.get("tag", ""))
    except ValueError:
        return datetime.now(department.zone).date()


@login_required
def day_view(request, slug):
    department = _department_for(request, slug)
    day = _day(request, department)
    # The page shows every booking's name and contact of that day: who looked, and when.
    record(
        Action.VIEW_DAY,
        actor=request.user,
        department_id=department.pk,
        object_type="department",
        object_id=department.pk,
        detail=day.isoformat(),
    )
    begin = datetime.combine(day, time(0), tzinfo=department.zone)
    bookings = list(
        Booking.objects.filter(
            department=department, starts_at__gte=begin, starts_at__lt=begin + timedelta(days=1)
        )
        .select_related("kind", "queue_entry", "queue_entry__room")
        .order_by("starts_at", "seat")
    )
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
    for kind in kinds:
        for start, _seat in available_slots(kind, ignore_notice=True):
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
        with transaction.atomic():
            booking = actions.book(
                kind,
                datetime.fromisoformat(start),
                form.cleaned_data["display_name"],
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
                topic=form.cleaned_data["topic"],
                staff_user=request.user,
            )
            record(
                Action.BOOK_FOR_CALLER,
                actor=request.user,
                department_id=department.pk,
                object_type="booking",
                object_id=booking.pk,
                detail=booking.starts_at.isoformat(),
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
def booking_action(request, slug, booking_id, action):
    department = _department_for(request, slug)
    booking = get_object_or_404(Booking, pk=booking_id, department=department)
    try:
        with transaction.atomic():
            if action == "nicht-erschienen":
                actions.mark_no_show(booking)
                done, detail = Action.NO_SHOW, ""
            elif action == "absagen":
                message = request.POST.get("message", "")
                actions.cancel(booking, message, by_staff=True)
                # Whether there was a message, never its words.
                done, detail = Action.CANCEL_BOOKING, "with message" if message.strip() else ""
            else:
                raise PermissionDenied
            record(
                done,
                actor=request.user,
                department_id=department.pk,
                object_type="booking",
                object_id=booking.pk,
                detail=detail,
            )
    except BookingError:
        messages.error(request, _("This appointment is no longer active."))
    return _back_to_day(department, booking.starts_at.astimezone(department.zone).date())


def _back_to_day(department, day):
    return redirect(f"{reverse('console:day', args=[department.slug])}?tag={day.isoformat()}")
