"""Administrators say which directory group gives which role (/konsole/verzeichnis/).

Every change goes through directory.sync (audited); a member gets what changed at their
next sign-in.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from buergerbuero.directory import sync
from buergerbuero.directory.models import GroupMapping
from buergerbuero.staff.permissions import is_administrator

from .directory_forms import GroupMappingForm


def _administrator(request) -> None:
    if not is_administrator(request.user):
        raise PermissionDenied


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mappings(request):
    _administrator(request)
    form = GroupMappingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sync.add_mapping(**form.cleaned_data, by=request.user)
        messages.success(request, _("The mapping was added."))
        return redirect("console:directory")
    return render(
        request,
        "console/directory.html",
        {
            "form": form.described(),
            "mappings": GroupMapping.objects.select_related("department"),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def remove_mapping(request, mapping_id: int):
    _administrator(request)
    mapping = get_object_or_404(GroupMapping.objects.select_related("department"), pk=mapping_id)
    if request.method == "POST":
        sync.remove_mapping(mapping, by=request.user)
        messages.success(request, _("The mapping was removed."))
        return redirect("console:directory")
    return render(request, "console/directory_remove.html", {"mapping": mapping})
