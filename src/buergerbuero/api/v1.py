"""/api/v1/: departments, live status, free slots, the citizen's booking and the staff's
day sheet. Transport only: each endpoint parses, checks, calls the same domain action
as the pages (with the same rate limits) and answers; errors are JSON with a code and a
translated sentence, never a traceback (docs/api.md)."""

import hashlib
import logging
from datetime import UTC, date, datetime
from typing import Literal

from django.core.validators import slug_re
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language
from ninja import NinjaAPI, Query, Router, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from buergerbuero.bookings import actions
from buergerbuero.bookings.availability import available_slots
from buergerbuero.bookings.codes import format_code
from buergerbuero.bookings.day_sheet import bookings_of_day
from buergerbuero.bookings.errors import BookingError
from buergerbuero.bookings.forms import BookingForm
from buergerbuero.bookings.mails import booking_link
from buergerbuero.bookings.models import AppointmentKind, Booking, Closure
from buergerbuero.departments.models import Department
from buergerbuero.errors import DomainError, InvalidInput
from buergerbuero.office.status import OfficeStatus, StatusDocument
from buergerbuero.public.board import current as current_board
from buergerbuero.ratelimit import allow

from . import schemas, tokens
from .errors import (
    ApiError,
    InvalidRequest,
    MalformedJson,
    NotFound,
    RateLimited,
    ServerError,
    TokenMissing,
)
from .models import ApiToken, Scope
from .statistics import statistics_of

log = logging.getLogger(__name__)

# Public data: a cache may keep it for a short while; the status changes any minute.
PUBLIC_CACHE = "public, max-age=30"
# Departments (with their live status) and free slots: as old as one tick of the ticker
# at most (an unannounced change shows within one anyway); then asked again with the
# ETag, and an unchanged answer is a 304.
SHORT_CACHE = "public, max-age=10"
LIVE_CACHE = "no-cache"
PERSONAL = "private, no-store"
ERRORS = {400: schemas.Error, 404: schemas.Error, 422: schemas.InvalidInputError}
NOT_MODIFIED = {304: None}


class Bearer(HttpBearer):
    openapi_description = "An integration's API token (`manage.py create_api_token`)."

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        return tokens.authenticate(token)


api = NinjaAPI(
    title="Bürgerbüro API",
    version="1",
    description="The virtual citizen office's JSON API. Guide: docs/api.md.",
    urls_namespace="api-v1",
    docs_url=None,  # the interactive page loads scripts from elsewhere: not under our CSP
    openapi_url="/openapi.json",
)


def error(request: HttpRequest, problem: DomainError, status: int = 0, **extra) -> HttpResponse:
    body = {"code": problem.code, "message": str(problem), **extra}
    status = status or getattr(problem, "status", 400)
    response = api.create_response(request, body, status=status)
    response["Cache-Control"] = PERSONAL
    return response


@api.exception_handler(ApiError)
def on_api_error(request, exc: ApiError):
    return error(request, exc)


@api.exception_handler(AuthenticationError)
def on_no_token(request, exc):
    return error(request, TokenMissing())


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, NotFound())


@api.exception_handler(NinjaValidationError)
def on_invalid(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for problem in exc.errors:
        location = [str(part) for part in problem.get("loc", ())[1:]] or ["body"]
        fields.setdefault(".".join(location), []).append(str(problem.get("msg", "")))
    return error(request, InvalidRequest(), fields=fields)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if exc.status_code == 400:  # ninja's "Cannot parse request body"
        return error(request, MalformedJson())
    log.warning("API: HTTP error %s", exc.status_code)
    return error(request, NotFound() if exc.status_code == 404 else InvalidRequest())


@api.exception_handler(Exception)
def on_anything_else(request, exc: Exception):
    log.exception("API: unexpected error")
    return error(request, ServerError())


# --- Departments --------------------------------------------------------------------------
public = Router(tags=["departments"])


def cacheable(request: HttpRequest, data, cache_control: str) -> HttpResponse:
    """`data` as JSON with an ETag of its bytes; a 304 without a body when the client's
    If-None-Match names it (the body is computed either way: this saves the transfer,
    and the max-age the requests)."""
    body = [item.model_dump() for item in data] if isinstance(data, list) else data.model_dump()
    response = api.create_response(request, body, status=200)
    etag = '"' + hashlib.blake2b(response.content, digest_size=12).hexdigest() + '"'
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return get_conditional_response(request, etag=etag, response=response) or response


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _departments():
    now = timezone.now()
    return Department.objects.filter(is_active=True).prefetch_related(
        "hours",
        Prefetch("closures", queryset=Closure.objects.filter(ends_at__gt=now)),
        Prefetch(
            "appointment_kinds",
            queryset=AppointmentKind.objects.filter(is_active=True),
            to_attr="active_kinds",
        ),
    )


def _department_out(department: Department, rows: dict) -> schemas.DepartmentOut:
    row = rows.get(department.slug)
    return schemas.DepartmentOut(
        slug=department.slug,
        name=department.name,
        summary=department.summary,
        time_zone=department.time_zone,
        status=schemas.LiveStatus(
            state=row.state if row else OfficeStatus.CLOSED,
            next_opening=row.next_opening if row else None,
        ),
        opening_hours=[
            schemas.OpeningRange(
                weekday=h.weekday, opens=_hhmm(h.opens_minute), closes=_hhmm(h.closes_minute)
            )
            for h in sorted(department.hours.all(), key=lambda h: (h.weekday, h.opens_minute))
        ],
        closures=[
            schemas.ClosureOut(starts_at=c.starts_at, ends_at=c.ends_at, reason=c.reason)
            for c in department.closures.all()
        ],
        bookable=bool(department.active_kinds),  # type: ignore[attr-defined]
    )


@public.get(
    "/departments",
    response={200: list[schemas.DepartmentOut], **NOT_MODIFIED, **ERRORS},
    summary="Every department with its weekly hours, closures and live status",
)
def list_departments(request):
    rows = {row.slug: row for row in current_board().rows}
    return cacheable(request, [_department_out(d, rows) for d in _departments()], SHORT_CACHE)


def _department(slug: str) -> Department:
    department = Department.objects.filter(slug=slug, is_active=True).first()
    if department is None:
        raise NotFound()
    return department


@public.get(
    "/departments/{slug}",
    response={200: schemas.DepartmentOut, **NOT_MODIFIED, **ERRORS},
    summary="One department with its weekly hours, closures and live status",
)
def get_department(request, slug: str):
    department = _departments().filter(slug=slug).first()
    if department is None:
        raise NotFound()
    rows = {row.slug: row for row in current_board().rows}
    return cacheable(request, _department_out(department, rows), SHORT_CACHE)


@public.get(
    "/status",
    response={200: StatusDocument, **NOT_MODIFIED, **ERRORS},
    summary="The live status board (the same as /status.json)",
)
def status(request):
    return cacheable(request, StatusDocument(departments=current_board().rows), LIVE_CACHE)


@public.get(
    "/departments/{slug}/kinds",
    response={200: list[schemas.KindOut], **ERRORS},
    summary="The appointment kinds a department offers",
)
def list_kinds(request, slug: str, response: HttpResponse):
    department = _department(slug)
    response["Cache-Control"] = PUBLIC_CACHE
    return [
        schemas.KindOut(
            id=k.pk,
            name=k.name,
            mode=k.mode,  # type: ignore[arg-type]
            duration_minutes=k.duration_minutes,
            location=k.location,
        )
        for k in department.appointment_kinds.filter(is_active=True)
    ]


def _kind(slug: str, kind_id: int) -> AppointmentKind:
    kind = (
        AppointmentKind.objects.select_related("department")
        .filter(pk=kind_id, department__slug=slug, department__is_active=True, is_active=True)
        .first()
    )
    if kind is None:
        raise NotFound()
    return kind


@public.get(
    "/departments/{slug}/kinds/{kind_id}/slots",
    response={200: schemas.SlotsOut, **NOT_MODIFIED, **ERRORS},
    summary="Free appointment slots of one kind, from now to the booking horizon",
)
def list_slots(request, slug: str, kind_id: int):
    kind = _kind(slug, kind_id)
    starts = sorted({start for start, _seat in available_slots(kind)})
    return cacheable(request, schemas.SlotsOut(kind=kind.pk, slots=starts), SHORT_CACHE)


# --- A citizen's booking ------------------------------------------------------------------
citizen = Router(tags=["bookings"])
BOOKING_ERRORS = {
    **ERRORS,
    409: schemas.BookingProblem,
    429: schemas.Error,
}


def _in_range(starts_at: datetime) -> datetime:
    # Years 1 and 9999 overflow when shown in a department's zone; no slot is there anyway.
    try:
        in_utc = starts_at.astimezone(UTC)
    except OverflowError:
        raise InvalidRequest() from None
    if not 1 < in_utc.year < 9999:
        raise InvalidRequest()
    return starts_at


def _booking_out(booking: Booking) -> schemas.BookingOut:
    return schemas.BookingOut(
        token=booking.token,
        code=format_code(booking.code),
        status=booking.status,
        department=booking.department.slug,
        kind=booking.kind_id,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        manage_url=booking_link(booking),
    )


def _booking(token: str) -> Booking:
    # Anything but a token's alphabet (a NUL, which PostgreSQL refuses) finds nothing.
    if not slug_re.match(token):
        raise NotFound()
    booking = Booking.objects.select_related("department", "kind").filter(token=token).first()
    if booking is None:
        raise NotFound()
    return booking


def _booking_problem(request, problem: BookingError) -> HttpResponse:
    return error(request, problem, 409, alternatives=problem.alternatives)


@citizen.post(
    "/bookings",
    response={201: schemas.BookingOut, **BOOKING_ERRORS},
    summary="Book a free slot (the same rules and limits as the booking page)",
)
def create_booking(request, body: schemas.BookingIn, response: HttpResponse):
    kind = _kind(body.department, body.kind)
    starts_at = _in_range(body.starts_at)
    form = BookingForm(
        {
            "display_name": body.display_name,
            "email": body.email,
            "phone": body.phone,
            "topic": body.topic,
        }
    )
    if not form.is_valid():
        fields = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
        return error(request, InvalidRequest(), fields=fields)
    if not allow(request, "book"):
        raise RateLimited()
    try:
        booking = actions.book(kind, starts_at, language=get_language() or "", **form.cleaned_data)
    except InvalidInput as problem:
        return error(request, InvalidRequest(str(problem)), fields={})
    except BookingError as problem:
        return _booking_problem(request, problem)
    response["Cache-Control"] = PERSONAL
    return Status(201, _booking_out(booking))


@citizen.get(
    "/bookings/{token}",
    response={200: schemas.BookingOut, **ERRORS},
    summary="A booking, by the citizen's token",
)
def get_booking(request, token: str, response: HttpResponse):
    response["Cache-Control"] = PERSONAL
    return _booking_out(_booking(token))


@citizen.post(
    "/bookings/{token}/move",
    response={200: schemas.BookingOut, **BOOKING_ERRORS},
    summary="Move a booking to another free slot of its kind",
)
def move_booking(request, token: str, body: schemas.MoveIn, response: HttpResponse):
    booking = _booking(token)
    starts_at = _in_range(body.starts_at)
    try:
        booking = actions.move(booking, starts_at)
    except BookingError as problem:
        return _booking_problem(request, problem)
    response["Cache-Control"] = PERSONAL
    return _booking_out(booking)


@citizen.post(
    "/bookings/{token}/cancel",
    response={200: schemas.BookingOut, **BOOKING_ERRORS},
    summary="Cancel a booking (the same limit as the cancel button)",
)
def cancel_booking(request, token: str, response: HttpResponse):
    booking = _booking(token)
    if not allow(request, "cancel"):
        raise RateLimited()
    try:
        booking = actions.cancel(booking)
    except BookingError as problem:
        return _booking_problem(request, problem)
    response["Cache-Control"] = PERSONAL
    return _booking_out(booking)


# --- Staff: an integration's token --------------------------------------------------------
staff = Router(tags=["staff"], auth=Bearer())
STAFF_ERRORS = {**ERRORS, 401: schemas.Error, 403: schemas.Error}


class DayQuery(schemas.Strict):
    day: date | None = None


@staff.get(
    "/staff/departments/{slug}/appointments",
    response={200: schemas.DaySheetOut, **STAFF_ERRORS},
    summary="A department's appointments of one day (scope appointments:read)",
)
def day_sheet(request, slug: str, response: HttpResponse, query: Query[DayQuery]):
    token: ApiToken = request.auth
    department = _department(slug)
    day = query.day or timezone.now().astimezone(department.zone).date()
    if not date(2, 1, 1) <= day <= date(9998, 12, 31):
        raise InvalidRequest()
    tokens.use_token(token, Scope.APPOINTMENTS_READ, department, f"appointments {day}")
    bookings = bookings_of_day(department, day, None, viewer_name=tokens.actor_name(token))
    response["Cache-Control"] = PERSONAL
    return schemas.DaySheetOut(
        department=department.slug,
        day=day,
        appointments=[
            schemas.AppointmentOut(
                starts_at=b.starts_at,
                ends_at=b.ends_at,
                kind=b.kind.name,
                mode=b.kind.mode,
                status=b.status,
                code=format_code(b.code),
                display_name=b.display_name,
                email=b.email,
                phone=b.phone,
                topic=b.topic,
            )
            for b in bookings
        ],
    )


class StatisticsQuery(schemas.Strict):
    period: Literal["30d", "12w", "12m"] = "30d"


def _token_department(token: ApiToken, slug: str) -> Department:
    """A public department, or an inactive one the token is for; anything else is as
    unknown as a slug that names nothing, so a token learns of no hidden department."""
    department = (
        Department.objects.filter(slug=slug)
        .filter(Q(is_active=True) | Q(pk__in=token.departments.values("pk")))
        .first()
    )
    if department is None:
        raise NotFound()
    return department


@staff.get(
    "/staff/departments/{slug}/statistics",
    response={200: schemas.StatisticsOut, **STAFF_ERRORS},
    summary="A department's anonymous statistics per day, week or month (scope statistics:read)",
)
def statistics(request, slug: str, response: HttpResponse, query: Query[StatisticsQuery]):
    token: ApiToken = request.auth
    department = _token_department(token, slug)
    tokens.use_token(token, Scope.STATISTICS_READ, department, f"statistics {query.period}")
    response["Cache-Control"] = PERSONAL
    return statistics_of(department, query.period)


def unknown_path(request: HttpRequest, rest: str) -> HttpResponse:
    """Anything under /api/v1/ that is no endpoint: JSON, like every other refusal."""
    problem = NotFound()
    response = JsonResponse({"code": problem.code, "message": str(problem)}, status=404)
    response["Cache-Control"] = PERSONAL
    return response


api.add_router("", public)
api.add_router("", citizen)
api.add_router("", staff)
