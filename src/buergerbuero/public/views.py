"""Citizens' pages: overview, department, knock, waiting room, call, invitation."""

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buergerbuero import access
from buergerbuero.bookings.alternatives import alternatives_for
from buergerbuero.calls import actions as call_actions
from buergerbuero.calls.errors import InvitationInvalid
from buergerbuero.calls.models import Role, Room
from buergerbuero.departments import closures as department_closures
from buergerbuero.departments.models import Department
from buergerbuero.live import outgoing
from buergerbuero.office.status import OfficeStatus, department_state
from buergerbuero.ratelimit import allow
from buergerbuero.waiting import actions as queue_actions
from buergerbuero.waiting import callbacks
from buergerbuero.waiting.errors import QueueError
from buergerbuero.waiting.models import CallbackRequest, QueueEntry

from . import board
from .board import current as current_board
from .forms import CallbackForm, GuestForm, KnockForm
from .schedule_table import weekly_table


def overview(request):
    current = current_board()
    page = board.cached_page(request, "overview", current)
    if page is not None:
        return page
    # The departments for their summaries (one query); their states from the board.
    departments = Department.objects.filter(is_active=True)
    rows = {row.slug: row for row in current.rows}
    pairs = [(d, rows[d.slug]) for d in departments if d.slug in rows]
    response = render(
        request,
        "public/overview.html",
        {
            "departments": pairs,
            "board_html": board.fragment("public/_overview_board.html", current, pairs),
        },
    )
    board.keep_page(request, "overview", current, response)
    return response


@require_GET
def status_json(request):
    current = current_board()
    response = HttpResponse(current.document, content_type="application/json")
    # Public data, meant for the county's own homepage. A cache may keep it but must ask
    # again every time (the board changes any second); an unchanged board is then a 304.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-cache"
    response["ETag"] = current.etag
    return get_conditional_response(request, etag=current.etag, response=response) or response


@xframe_options_exempt
def embed_status(request):
    response = render(
        request,
        "public/embed_status.html",
        {"rows": current_board().rows},
    )
    allowed = settings.EMBED_ALLOWED_ORIGINS or ["'none'"]
    # What django-csp's @csp_replace sets, here with the origins from the settings; its
    # middleware reads the attribute, which HttpResponse's types do not know.
    response._csp_replace = {"frame-ancestors": allowed}  # type: ignore[attr-defined]
    return response


def department(request, slug):
    dept = get_object_or_404(
        Department.objects.prefetch_related("hours"), slug=slug, is_active=True
    )
    state = department_state(dept)
    closed = state.state == OfficeStatus.CLOSED
    return render(
        request,
        "public/department.html",
        {
            "department": dept,
            "state": state,
            "schedule": weekly_table(dept),
            "bookable": dept.appointment_kinds.filter(is_active=True).exists(),
            "closures": department_closures.upcoming(dept, timezone.now()),
            "alternatives": alternatives_for(dept) if closed else None,
            "callback_form": _callback_form(dept) if closed and dept.accepts_callbacks else None,
            "callback_retention_days": settings.CALLBACK_RETENTION_DAYS,
        },
    )


def _callback_form(dept: Department, data=None) -> CallbackForm:
    return CallbackForm(data, windows=callbacks.callback_windows(dept), zone=dept.zone)


@never_cache
def alternatives(request, slug):
    """The alternatives as a fragment, for a waiting room whose office closed or was left
    unstaffed while the citizen waited (waiting-room.js)."""
    dept = get_object_or_404(
        Department.objects.prefetch_related("hours"), slug=slug, is_active=True
    )
    if department_state(dept).state != OfficeStatus.CLOSED:
        return HttpResponse(status=204)
    return render(
        request,
        "public/_alternatives.html",
        {"department": dept, "alternatives": alternatives_for(dept)},
    )


@require_http_methods(["GET", "POST"])
def callback(request, slug):
    """A callback request: the form (also shown on the department's page while it is
    closed), and after it was sent, where the citizen lands."""
    dept = get_object_or_404(
        Department.objects.prefetch_related("hours"), slug=slug, is_active=True
    )
    if not dept.accepts_callbacks:
        raise Http404
    form = _callback_form(dept, request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        if not allow(request, "callback"):
            error = "rate_limited"
        else:
            try:
                made = callbacks.request_callback(
                    dept,
                    form.cleaned_data["phone"],
                    form.cleaned_data["window"],
                    form.cleaned_data["topic"],
                    get_language() or "",
                )
            except callbacks.InvalidWindow as exc:
                form.add_error("window", str(exc))
            except QueueError as exc:
                error = exc.code
            else:
                access.remember_callback(request.session, made.pk)
                return redirect("public:callback_sent", slug=dept.slug, callback_id=made.pk)
    status = 200
    if request.method == "POST":
        status = 429 if error == "rate_limited" else 409 if error else 400
    return render(
        request,
        "public/callback.html",
        {
            "department": dept,
            "form": form,
            "error": error,
            "callback_retention_days": settings.CALLBACK_RETENTION_DAYS,
        },
        status=status,
    )


@never_cache
def callback_sent(request, slug, callback_id):
    if not access.holds_callback(request.session, callback_id):
        raise Http404
    dept = get_object_or_404(Department, slug=slug)
    # Gone once staff marked it done, or the citizen withdrew it: the page then says which.
    made = CallbackRequest.objects.filter(pk=callback_id, department=dept).first()
    withdrawn = made is None and access.withdrew_callback(request.session, callback_id)
    return render(
        request,
        "public/callback_sent.html",
        {"department": dept, "callback": made, "withdrawn": withdrawn},
    )


@require_POST
def callback_withdraw(request, slug, callback_id):
    """Only from the browser that asked for the call: anyone else gets a 404, as for the
    page that shows it. A second click, or staff a moment faster: the page says what
    became of it."""
    if not access.holds_callback(request.session, callback_id):
        raise Http404
    dept = get_object_or_404(Department, slug=slug)
    try:
        callbacks.withdraw_callback(callback_id)
    except callbacks.CallbackGone:
        pass
    else:
        access.remember_withdrawn(request.session, callback_id)
    return redirect("public:callback_sent", slug=dept.slug, callback_id=callback_id)


@require_http_methods(["GET", "POST"])
def knock(request, slug):
    # Open as the status board says (kept current by every announced change and the
    # ticker): what the citizen was just shown, and no query. A first-time
    # visitor's form is the same page for everyone but its CSRF token, so it is kept per
    # board and language like the overview (docs/benchmarks.md, "Knock to staff alert").
    live = board.live()
    row = live.row(slug) if live is not None else None
    if row is not None and row.state == OfficeStatus.CLOSED:
        # The board can be up to one tick behind an opening (hours that just began, staff
        # set available without an announcement): "closed" is confirmed in the database,
        # since refusing a knock the office would take is the worse mistake, and rare.
        row = None
    page_name = f"knock:{slug}"
    if request.method == "GET" and row is not None:
        assert live is not None  # for the type checker: a row comes from a live board
        page = board.cached_page(request, page_name, live)
        if page is not None:
            return page
    dept = get_object_or_404(Department, slug=slug, is_active=True)
    form = KnockForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid() and not allow(request, "knock"):
        error = "rate_limited"
    elif request.method == "POST" and form.is_valid():
        try:
            entry = queue_actions.knock(
                dept,
                form.cleaned_data["display_name"],
                form.cleaned_data["topic"],
                get_language() or "",
                known_state=row.state if row is not None else None,
            )
        except QueueError as exc:
            error = exc.code
        else:
            access.remember_entry(request.session, entry.pk)
            return redirect("public:waiting", entry_id=entry.pk)
    state = row.state if row is not None else department_state(dept).state
    status = {None: 200, "rate_limited": 429}.get(error, 409)
    response = render(
        request,
        "public/knock.html",
        {"department": dept, "form": form, "closed": state == OfficeStatus.CLOSED, "error": error},
        status=status,
    )
    if request.method == "GET" and live is not None and row is not None:
        board.keep_page(request, page_name, live, response)
    return response


@never_cache
def waiting(request, entry_id):
    if not access.holds_entry(request.session, entry_id):
        raise Http404
    entry = get_object_or_404(QueueEntry.objects.select_related("department"), pk=entry_id)
    return render(
        request,
        "public/waiting.html",
        {"entry": entry, "department": entry.department, "ping_seconds": heartbeat_seconds()},
    )


def heartbeat_seconds() -> float:
    """How often a waiting browser says it is still there: several times per grace period,
    so a live page never expires, and at most every 20 s."""
    return min(20.0, settings.QUEUE_GRACE_SECONDS / 4)


@never_cache
def call(request, room_id):
    room = Room.objects.select_related("department").filter(pk=room_id).first()
    if room is None:
        raise Http404
    me = access.participant_for(request.session, request.user, room_id)
    if me is None:
        return HttpResponseForbidden(render(request, "public/not_admitted.html").content)
    if not room.is_active:
        entry = room.queue_entry
        if entry is not None and queue_actions.missed_call(entry) is not None:
            # Called while their page slept (it follows the call link on waking): the
            # waiting room offers them their place at the front.
            return redirect("public:waiting", entry_id=entry.pk)
        if me.role == Role.CITIZEN:
            # Taken back to the queue from this call (a dropped connection, an admission
            # nobody answered): their place at the front.
            taken_back = access.entry_taken_back(request.session, room)
            if taken_back is not None:
                return redirect(reverse("public:waiting", args=[taken_back]) + "?zurueck=1")
        return redirect("public:call_ended", room_id=room_id)
    access.remember_participant(request.session, room_id, me.pk)
    return render(
        request,
        "public/call.html",
        {
            "room": room,
            "me": me,
            "department": room.department,
            "room_socket": outgoing.room_socket_path(room.pk),
        },
    )


@never_cache
def call_ended(request, room_id):
    room = get_object_or_404(Room.objects.select_related("department"), pk=room_id)
    me = access.participant_for(
        request.session, request.user, room_id
    ) or access.former_participant(request.session, request.user, room)
    if me is None:
        raise Http404
    return render(
        request, "public/call_ended.html", {"room": room, "me": me, "department": room.department}
    )


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request, token):
    if not allow(request, "invitation"):
        return render(request, "public/too_many.html", status=429)
    try:
        invite = call_actions.check_invitation(token)
    except InvitationInvalid:
        return render(request, "public/invitation_invalid.html", status=410)
    form = GuestForm(request.POST or None, initial={"display_name": invite.label})
    if request.method == "POST" and form.is_valid():
        try:
            participant = call_actions.redeem_invitation(token, form.cleaned_data["display_name"])
        except InvitationInvalid:
            return render(request, "public/invitation_invalid.html", status=410)
        access.remember_participant(request.session, participant.room_id, participant.pk)
        return redirect("public:call", room_id=participant.room_id)
    return render(
        request,
        "public/invitation.html",
        {
            "invitation": invite,
            "form": form,
            "department": invite.room.department,
            "now": timezone.now(),
        },
    )
