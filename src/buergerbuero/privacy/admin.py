from django.contrib import admin

from .models import DailyStatistic, RetentionPolicy


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    list_display = ["department", "special_categories", "bookings_days", "queue_entries_days"]


@admin.register(DailyStatistic)
class DailyStatisticAdmin(admin.ModelAdmin):
    """Read-only: the figures are recomputed from the day's rows, never typed in."""

    list_display = ["day", "department", "knocks", "admitted", "consultations", "bookings"]
    list_filter = ["department"]
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
