"""Citizens' booking pages: pick a slot, book, view, move, cancel, check in."""

import io
from collections import defaultdict
from datetime import UTC, date, datetime

import segno
from django.contrib import messages
from django.core.validators import slug_re
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from buergerbuero import access
from buergerbuero.departments.models import Department
from buergerbuero.ratelimit import allow

from . import actions
from .availability import available_slots
from .codes import format_code, normalise_code
from .errors import BookingError, NotActive, NotVideo, TooEarly, TooLate
from .forms import BookingForm, CodeForm
from .ics import booking_ics
from .mails import booking_link
from .models import AppointmentKind, Booking, BookingStatus

TOO_MANY = 429


def slots_by_day(kind: AppointmentKind) -> list[tuple[date, list[datetime]]]:
    zone = kind.department.zone
    days = defaultdict(list)
    for start, _seat in available_slots(kind):
        days[start.astimezone(zone).date()].append(start)
    return sorted(days.items())


def choose(request, slug):
    """Appointment kinds of a department, the days with free times of the chosen kind,
    and the times of one day: a list of days first and one day's times, not every time of
    four weeks on one page (which a phone shows as a wall of buttons). Links only, so it
    works without a script; `?tag=` names the day."""
    department = get_object_or_404(Department, slug=slug, is_active=True)
    kinds = list(department.appointment_kinds.filter(is_active=True))
    if not kinds:
        raise Http404
    kind = next((k for k in kinds if str(k.pk) == request.GET.get("art")), kinds[0])
    moving = _moving_booking(request)
    days = slots_by_day(kind)
    asked = _asked_day(request.GET.get("tag", ""))
    day = _shown_day(asked, days)
    return render(
        request,
        "bookings/choose.html",
        {
            "department": department,
            "kinds": kinds,
            "kind": kind,
            "days": [(d, len(starts)) for d, starts in days],
            "day": day,
            "times": dict(days)[day] if day else [],
            "asked_day": asked,
            "moving": moving,
        },
    )


def _shown_day(asked: date | None, days: list) -> date | None:
    """The asked day if it has free times; a day that has filled up (or was never
    offered) gets a word on the page, not another day's times. Nothing asked: the first."""
    if asked is None:
        return days[0][0] if days else None
    return asked if asked in dict(days) else None


def _asked_day(text: str) -> date | None:
    """The day in `?tag=` (YYYY-MM-DD); anything else asks for no day."""
    if len(text) != len("2026-12-07"):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _moving_booking(request):
    """The booking being moved, named by its token in `?verschieben=`; anything that is
    not a token (a NUL, which PostgreSQL refuses in a query) moves nothing."""
    token = request.GET.get("verschieben", "")
    if not slug_re.match(token):
        return None
    return Booking.objects.filter(token=token, status="booked").first()


def _parse_start(text: str) -> datetime:
    try:
        start = datetime.fromisoformat(text)
    except ValueError:
        raise Http404 from None
    if start.tzinfo is None:
        raise Http404
    # Years 1 and 9999 overflow when shown in a department's zone; no slot is there anyway.
    try:
        in_utc = start.astimezone(UTC)
    except OverflowError:
        raise Http404 from None
    if not 1 < in_utc.year < 9999:
        raise Http404
    return start


def book(request, slug, kind_id, start):
    department = get_object_or_404(Department, slug=slug, is_active=True)
    kind = get_object_or_404(AppointmentKind, pk=kind_id, department=department, is_active=True)
    starts_at = _parse_start(start)
    form = BookingForm(request.POST or None)
    problem = None
    alternatives: list[datetime] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        if not allow(request, "book"):
            problem, status = "rate_limited", TOO_MANY
        else:
            try:
                booking = actions.book(
                    kind, starts_at, language=get_language() or "", **form.cleaned_data
                )
            except BookingError as error:
                problem, alternatives, status = error.code, error.alternatives, 409
            else:
                return redirect("bookings:manage", token=booking.token)
    return render(
        request,
        "bookings/book.html",
        {
            "department": department,
            "kind": kind,
            "starts_at": starts_at,
            "form": form,
            "problem": problem,
            "alternatives": alternatives,
        },
        status=status,
    )


@never_cache
def manage(request, token):
    booking = get_object_or_404(Booking.objects.select_related("department", "kind"), token=token)
    opens, closes = actions.check_in_window(booking)
    now = timezone.now()
    return render(
        request,
        "bookings/manage.html",
        {
            "booking": booking,
            "department": booking.department,
            "code": format_code(booking.code),
            "link": booking_link(booking),
            # The image's own size, so the page keeps its place and nothing is scaled.
            "qr_size": _qr_code(booking).symbol_size(scale=QR_SCALE)[0],
            "check_in_opens": opens,
            "can_check_in": booking.status in ("booked", "waiting") and opens <= now <= closes,
            "too_early": booking.status == "booked" and now < opens,
            "too_late": booking.status == "booked" and now > closes,
        },
    )


@never_cache
def ics(request, token):
    booking = get_object_or_404(Booking.objects.select_related("department", "kind"), token=token)
    response = HttpResponse(booking_ics(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="termin.ics"'
    return response


QR_SCALE = 4


def _qr_code(booking: Booking) -> segno.QRCode:
    return segno.make(booking_link(booking), error="m")


@never_cache
def qr(request, token):
    booking = get_object_or_404(Booking, token=token)
    out = io.BytesIO()
    # A standalone SVG file: a browser draws an <img> of it only with the SVG namespace,
    # which segno's inline form (for SVG inside HTML) leaves out.
    _qr_code(booking).save(
        out,
        kind="svg",
        scale=QR_SCALE,
        dark="#000",
        light="#fff",
        xmldecl=False,
        svgclass=None,
        lineclass=None,
    )
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


CANCELLABLE = (BookingStatus.BOOKED, BookingStatus.WAITING)


@never_cache
@require_http_methods(["GET", "POST"])
def cancel(request, token):
    """A question first, then the cancel: one stray click or tap must not cost the
    appointment. Only a POST that answers the question (`confirm`) cancels; a second one
    (a double click, the back button) finds the booking cancelled and says so."""
    booking = get_object_or_404(Booking.objects.select_related("department", "kind"), token=token)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        return _cancel_confirmed(request, booking)
    if booking.status not in CANCELLABLE:
        return _not_cancellable(request, booking)
    return render(
        request,
        "bookings/cancel.html",
        {"booking": booking, "department": booking.department},
    )


def _cancel_confirmed(request, booking: Booking):
    if not allow(request, "cancel"):
        messages.error(request, _("Too many attempts. Please try again later."))
        return redirect("bookings:manage", token=booking.token)
    try:
        actions.cancel(booking)
    except NotActive:
        return _not_cancellable(request, booking)
    messages.success(request, _("Your appointment is cancelled."))
    return redirect("bookings:manage", token=booking.token)


def _not_cancellable(request, booking: Booking):
    booking.refresh_from_db(fields=["status"])
    if booking.status == BookingStatus.CANCELLED:
        messages.info(request, _("This appointment is already cancelled."))
    else:
        messages.error(request, _("This appointment is no longer active."))
    return redirect("bookings:manage", token=booking.token)


@require_POST
def move(request, token):
    booking = get_object_or_404(Booking.objects.select_related("kind", "department"), token=token)
    starts_at = _parse_start(request.POST.get("start", ""))
    try:
        actions.move(booking, starts_at)
    except BookingError as error:
        messages.error(request, str(error))
        return redirect(
            reverse("bookings:choose", args=[booking.department.slug])
            + f"?art={booking.kind_id}&verschieben={booking.token}"
        )
    messages.success(request, _("Your appointment has been moved."))
    return redirect("bookings:manage", token=token)


@require_POST
def check_in(request, token):
    booking = get_object_or_404(Booking, token=token)
    return _enter(request, booking)


@require_POST
def check_in_by_code(request, slug):
    department = get_object_or_404(Department, slug=slug, is_active=True)
    form = CodeForm(request.POST)
    if not allow(request, "code"):
        messages.error(request, _("Too many attempts. Please try again later."))
        return redirect("public:department", slug=slug)
    booking = None
    if form.is_valid():
        booking = Booking.objects.filter(
            department=department, code=normalise_code(form.cleaned_data["code"])
        ).first()
    if booking is None:
        messages.error(request, _("We do not know this booking code for this department."))
        return redirect("public:department", slug=slug)
    return _enter(request, booking)


def _enter(request, booking):
    try:
        entry = actions.check_in(booking)
    except (TooEarly, TooLate, NotActive, NotVideo) as error:
        messages.error(request, str(error))
        return redirect("bookings:manage", token=booking.token)
    access.remember_entry(request.session, entry.pk)
    return redirect("public:waiting", entry_id=entry.pk)
