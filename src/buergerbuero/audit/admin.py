from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: nobody, superusers included, adds, changes or deletes an event here."""

    list_display = ["at", "actor_name", "action", "department", "object_type", "object_id"]
    list_filter = ["action", "department"]
    search_fields = ["actor_name", "object_id"]
    date_hierarchy = "at"
    readonly_fields = [
        "at",
        "actor",
        "actor_name",
        "action",
        "department",
        "object_type",
        "object_id",
        "detail",
    ]
    list_select_related = ["department"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
