"""Staff pages. The live queue itself arrives over the console socket."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from buergerbuero.departments.models import Department
from buergerbuero.staff.permissions import (
    is_administrator,
    staff_department_ids,
    staff_departments,
)
from buergerbuero.waiting import callbacks


@never_cache
@login_required
def home(request):
    departments = list(staff_departments(request.user))
    if not departments:
        # County IT without a department of its own lands where its work is.
        if is_administrator(request.user):
            return redirect("administration:home")
        raise PermissionDenied
    # Back from a call that ended itself because the citizen never joined (call-session.js):
    # gone for good, or not answering and waiting again at the front of the queue.
    notice = request.GET.get("hinweis")
    citizen_absent = notice == "nicht-erschienen"
    unanswered = notice == "nicht-geantwortet"
    return render(
        request,
        "console/home.html",
        {
            "departments": departments,
            "citizen_absent": citizen_absent,
            "unanswered": unanswered,
            # Every active department: a citizen may be passed on to one the member does
            # not serve; the dialog offers only those open when it opens.
            "transfer_targets": Department.objects.filter(is_active=True).order_by(
                "position", "name"
            ),
            "callbacks": callbacks.open_callbacks([d.pk for d in departments]),
        },
    )


@never_cache
@login_required
def callback_list(request):
    """The console's open callback requests, read again when one is made or done
    (console-callbacks.js)."""
    served = staff_department_ids(request.user)
    if not served:
        if is_administrator(request.user):
            return redirect("administration:home")
        raise PermissionDenied
    return render(
        request, "console/_callbacks.html", {"callbacks": callbacks.open_callbacks(served)}
    )


@login_required
@require_POST
def callback_done(request, callback_id):
    """A citizen was called back: the request is deleted at once."""
    try:
        callbacks.complete_callback(callback_id, request.user)
    except callbacks.NotYourDepartment:
        raise PermissionDenied from None
    except callbacks.CallbackGone as error:
        messages.info(request, str(error))
    else:
        messages.success(request, _("Callback marked as done; the request is deleted."))
    return redirect("console:home")
