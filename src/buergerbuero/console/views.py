"""Staff pages. The live queue itself arrives over the console socket."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from buergerbuero.departments.models import Department
from buergerbuero.staff.permissions import is_administrator, staff_departments


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
        },
    )
