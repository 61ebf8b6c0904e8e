from django.contrib import admin

from . import admin_second_factor  # noqa: F401  (registers the authenticator-app admin)
from .models import StaffProfile


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "presence", "seen_at"]
    filter_horizontal = ["departments"]
