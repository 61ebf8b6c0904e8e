from django.contrib import admin

from . import admin_second_factor  # noqa: F401  (registers the authenticator-app admin)
from .models import Membership, StaffProfile


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["department", "role"]
    extra = 1


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "is_administrator", "seen_at"]
    fields = ["user", "is_administrator"]
    inlines = [MembershipInline]
