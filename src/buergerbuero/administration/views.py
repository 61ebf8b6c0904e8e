"""The administration a county's IT and department leads use: departments, weekly
schedules, closures, staff. Transport only: check the role (staff/permissions), validate
the form, call the domain (departments.actions, staff.accounts), answer."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from buergerbuero.departments import actions
from buergerbuero.departments.models import WEEKDAYS, Closure, Department, minute_label
from buergerbuero.directory import sync
from buergerbuero.directory.models import Source
from buergerbuero.errors import DomainError
from buergerbuero.policy import actions as policy
from buergerbuero.staff import accounts, permissions, presence
from buergerbuero.staff.models import Membership, StaffProfile

from .forms import (
    ClosureForm,
    DepartmentForm,
    MemberForm,
    SecurityPolicyForm,
    department_initial,
)

User = get_user_model()
SPARE_ROWS = 1
MIN_ROWS = 2


def _require_administrator(request) -> None:
    if not permissions.is_administrator(request.user):
        raise PermissionDenied


def _require_manager(request) -> None:
    """Administrators, and leads of at least one department."""
    if not permissions.lead_department_ids(request.user):
        raise PermissionDenied


def _led_department(request, slug) -> Department:
    department = get_object_or_404(Department, slug=slug)
    if not permissions.may_lead(request.user, department.pk):
        raise PermissionDenied
    return department


@never_cache
@login_required
def home(request):
    _require_manager(request)
    departments = list(permissions.led_departments(request.user).prefetch_related("hours"))
    return render(
        request,
        "administration/home.html",
        {
            "departments": departments,
            "is_administrator": permissions.is_administrator(request.user),
        },
    )


def _form_error(form, error: DomainError, field: str) -> None:
    form.add_error(field, str(error))


_FIELD_OF_ERROR = {
    "slug_taken": "slug",
    "invalid_slug": "slug",
    "unknown_time_zone": "time_zone",
    "unknown_region": "holiday_subdivision",
}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def department_new(request):
    _require_administrator(request)
    form = DepartmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            department = actions.create_department(form.cleaned_data, by=request.user)
        except DomainError as error:
            _form_error(form, error, _FIELD_OF_ERROR.get(error.code, "name"))
        else:
            messages.success(request, _("Department created. Now set its opening hours."))
            return redirect("administration:schedule", slug=department.slug)
    return render(request, "administration/department_form.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def department_edit(request, slug):
    department = _led_department(request, slug)
    form = DepartmentForm(
        request.POST or None, initial=department_initial(department), department=department
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_department(department, form.cleaned_data, by=request.user)
        except DomainError as error:
            _form_error(form, error, _FIELD_OF_ERROR.get(error.code, "name"))
        else:
            messages.success(request, _("Department saved."))
            return redirect("administration:department_edit", slug=department.slug)
    return render(
        request,
        "administration/department_form.html",
        {
            "form": form,
            "department": department,
            "is_administrator": permissions.is_administrator(request.user),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def department_active(request, slug, active: bool):
    """Deactivate (after a confirmation page) or reactivate a department."""
    _require_administrator(request)
    department = get_object_or_404(Department, slug=slug)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        actions.set_active(department, active, by=request.user)
        messages.success(
            request, _("Department reactivated.") if active else _("Department deactivated.")
        )
        return redirect("administration:home")
    return render(
        request,
        "administration/confirm.html",
        {
            "title": (_("Reactivate %(name)s?") if active else _("Deactivate %(name)s?"))
            % {"name": department.name},
            "explanation": _("Citizens see it again.")
            if active
            else _(
                "Citizens no longer see it, cannot knock or book. Nothing is deleted; it can "
                "be reactivated."
            ),
            "button": _("Reactivate") if active else _("Deactivate"),
            "cancel_url": "administration:home",
        },
    )


def _typed_ranges(post) -> list[actions.TypedRange]:
    typed = []
    for weekday, _label in WEEKDAYS:
        rows = sorted(
            {
                int(key.split("-")[1])
                for key in post
                if key.startswith(f"d{weekday}-")
                and key.count("-") == 2
                and key.split("-")[1].isdigit()
                and len(key.split("-")[1]) < 3
            }
        )
        for row in rows:
            typed.append(
                actions.TypedRange(
                    weekday,
                    post.get(f"d{weekday}-{row}-opens", "")[:10],
                    post.get(f"d{weekday}-{row}-closes", "")[:10],
                    row,
                )
            )
    return typed


def _schedule_days(typed: list[actions.TypedRange], problems) -> list[dict]:
    wrong = {(e.weekday, e.row) for e, _text in problems if e is not None}
    days = []
    for weekday, label in WEEKDAYS:
        rows = [t for t in typed if t.weekday == weekday and (t.opens or t.closes)]
        count = max(MIN_ROWS, len(rows) + SPARE_ROWS)
        shown = [
            {
                "id": f"d{weekday}-{i}",
                "opens": rows[i].opens if i < len(rows) else "",
                "closes": rows[i].closes if i < len(rows) else "",
                "wrong": i < len(rows) and (weekday, rows[i].row) in wrong,
            }
            for i in range(count)
        ]
        days.append({"weekday": weekday, "label": label, "rows": shown})
    return days


def _problem_links(typed, problems) -> list[dict]:
    position = {}
    for weekday, _label in WEEKDAYS:
        rows = [t for t in typed if t.weekday == weekday and (t.opens or t.closes)]
        for i, t in enumerate(rows):
            position[(weekday, t.row)] = f"d{weekday}-{i}-opens"
    return [
        {"target": position.get((e.weekday, e.row), "d0-0-opens") if e else "d0-0-opens", "text": t}
        for e, t in problems
    ]


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def schedule(request, slug):
    department = _led_department(request, slug)
    problems: list = []
    if request.method == "POST":
        typed = _typed_ranges(request.POST)
        try:
            actions.set_weekly_schedule(department, typed, by=request.user)
        except actions.InvalidSchedule as error:
            problems = error.problems
        else:
            messages.success(request, _("Opening hours saved."))
            return redirect("administration:schedule", slug=slug)
    else:
        typed = [
            actions.TypedRange(
                h.weekday, minute_label(h.opens_minute), minute_label(h.closes_minute), i
            )
            for i, h in enumerate(department.hours.all())
        ]
    return render(
        request,
        "administration/schedule.html",
        {
            "department": department,
            "days": _schedule_days(typed, problems),
            "problems": _problem_links(typed, problems),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def closures(request, slug):
    department = _led_department(request, slug)
    with timezone.override(department.zone):
        form = ClosureForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            actions.add_closure(
                department,
                form.cleaned_data["starts_at"],
                form.cleaned_data["ends_at"],
                form.cleaned_data["reason"],
                by=request.user,
            )
            messages.success(
                request,
                _(
                    "Closure saved. The office shows closed in that time, and no appointments "
                    "can be booked."
                ),
            )
            return redirect("administration:closures", slug=slug)
        return render(
            request,
            "administration/closures.html",
            {
                "department": department,
                "form": form,
                "closures": Closure.objects.filter(
                    department=department, ends_at__gte=timezone.now()
                ),
            },
        )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def closure_remove(request, slug, closure_id):
    department = _led_department(request, slug)
    closure = get_object_or_404(Closure, pk=closure_id, department=department)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        actions.remove_closure(department, closure.pk, by=request.user)
        messages.success(request, _("Closure removed."))
        return redirect("administration:closures", slug=slug)
    with timezone.override(department.zone):
        return render(
            request,
            "administration/confirm.html",
            {
                "title": _("Remove the closure of %(name)s?") % {"name": department.name},
                "closure": closure,
                "explanation": _("The office opens in that time again as its schedule says."),
                "button": _("Remove"),
                "cancel_url": "administration:closures",
                "cancel_slug": slug,
            },
        )


# --- staff ---------------------------------------------------------------------------


def _visible_members(user):
    profiles = StaffProfile.objects.select_related(
        "user", "user__directory_account"
    ).prefetch_related("memberships__department")
    if permissions.is_administrator(user):
        return profiles.order_by("user__username")
    led = permissions.lead_department_ids(user)
    return profiles.filter(memberships__department_id__in=led).distinct().order_by("user__username")


@never_cache
@login_required
def staff_list(request):
    _require_manager(request)
    profiles = list(_visible_members(request.user))
    # Who is present where now: as the status board counts it, not the stored choice of
    # a console that has since gone away.
    now = presence.present_now(profiles)
    for profile in profiles:
        profile.present_now = now[profile.pk]
    return render(request, "administration/staff_list.html", {"profiles": profiles})


def _member(request, user_id):
    member = get_object_or_404(User, pk=user_id)
    if permissions.is_administrator(request.user):
        return member
    led = permissions.lead_department_ids(request.user)
    if not Membership.objects.filter(profile__user=member, department_id__in=led).exists():
        raise Http404
    return member


def _add(form, by):
    """The member the form describes, local (with an invitation) or a directory account."""
    common = {
        "name": form.cleaned_data["name"],
        "email": form.cleaned_data.get("email") or "",
        "memberships": form.memberships(),
        "is_administrator": form.cleaned_data.get("is_administrator", False),
        "by": by,
    }
    if form.is_directory():
        return sync.add_directory_member(
            source=form.cleaned_data["directory_source"],
            account=form.cleaned_data["directory_account"],
            **common,
        )
    return accounts.add_member(**common)


_FIELD_OF_MEMBER_ERROR = {
    "email_taken": "email",
    "username_taken": "directory_account",
    "subject_taken": "directory_account",
    "directory_not_configured": "directory_source",
}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def staff_add(request):
    _require_manager(request)
    may_administer = permissions.is_administrator(request.user)
    form = MemberForm(
        request.POST or None,
        departments=permissions.led_departments(request.user),
        may_administer=may_administer,
        sources=tuple((s, str(Source(s).label)) for s in sync.configured_sources()),
    )
    if request.method == "POST" and form.is_valid():
        try:
            member = _add(form, request.user)
        except DomainError as error:
            form.add_error(_FIELD_OF_MEMBER_ERROR.get(error.code), str(error))
        else:
            if form.is_directory():
                done = _(
                    "%(account)s was added. They sign in with their county account and get "
                    "the roles given here."
                ) % {"account": member.get_username()}
            else:
                done = _("%(email)s was added and got an invitation to set a password.") % {
                    "email": member.email
                }
            messages.success(request, done)
            return redirect("administration:staff_list")
    return render(
        request,
        "administration/member_form.html",
        {"form": form, "new": True, "directory": "account_type" in form.fields},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def staff_edit(request, user_id):
    _require_manager(request)
    member = _member(request, user_id)
    may_administer = permissions.is_administrator(request.user)
    profile = StaffProfile.objects.filter(user=member).first()
    roles = dict(
        Membership.objects.filter(profile__user=member).values_list("department_id", "role")
    )
    initial: dict[str, object] = {f"role_{d}": r for d, r in roles.items()}
    initial["is_administrator"] = bool(profile and profile.is_administrator)
    form = MemberForm(
        request.POST or None,
        departments=permissions.led_departments(request.user),
        may_administer=may_administer,
        new=False,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            accounts.set_memberships(
                member,
                form.memberships(),
                by=request.user,
                is_administrator=form.cleaned_data.get("is_administrator")
                if may_administer
                else None,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Departments and roles saved."))
            return redirect("administration:staff_list")
    return render(
        request,
        "administration/member_form.html",
        {"form": form, "new": False, "member": member},
    )


_MEMBER_ACTIONS = {
    "suspend": (
        accounts.suspend,
        gettext_lazy("Suspend %(name)s?"),
        gettext_lazy("They can no longer sign in; their open sessions end and they go offline."),
        gettext_lazy("Suspend"),
        gettext_lazy("%(name)s is suspended."),
    ),
    "reactivate": (
        accounts.reactivate,
        gettext_lazy("Reactivate %(name)s?"),
        gettext_lazy("They can sign in again."),
        gettext_lazy("Reactivate"),
        gettext_lazy("%(name)s can sign in again."),
    ),
    "remove": (
        accounts.remove_member,
        gettext_lazy("Remove %(name)s?"),
        gettext_lazy(
            "They are no staff member any more: their departments and roles go and the "
            "account is disabled. The audit log keeps their name."
        ),
        gettext_lazy("Remove"),
        gettext_lazy("%(name)s was removed."),
    ),
}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def staff_action(request, user_id, action):
    _require_manager(request)
    member = _member(request, user_id)
    run, title, explanation, button, done = _MEMBER_ACTIONS[action]
    name = member.get_full_name() or member.get_username()
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            run(member, by=request.user)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, str(done) % {"name": name})
        return redirect("administration:staff_list")
    return render(
        request,
        "administration/confirm.html",
        {
            "title": str(title) % {"name": name},
            "explanation": explanation,
            "button": button,
            "cancel_url": "administration:staff_list",
        },
    )


@login_required
@require_POST
def staff_invite(request, user_id):
    _require_manager(request)
    member = _member(request, user_id)
    try:
        accounts.send_invitation(member, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": member.email})
    return redirect("administration:staff_list")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def security(request):
    _require_administrator(request)
    form = SecurityPolicyForm(request.POST or None, initial=model_to_dict(policy.current()))
    if request.method == "POST" and form.is_valid():
        policy.set_policy(form.cleaned_data, by=request.user)
        messages.success(request, _("Security settings saved."))
        return redirect("administration:security")
    return render(request, "administration/security.html", {"form": form})
