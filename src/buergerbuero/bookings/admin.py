from django.contrib import admin

from .models import AppointmentKind, Booking, BookingSettings, Closure, OutgoingMail


@admin.register(BookingSettings)
class BookingSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "department",
        "parallel_staff",
        "buffer_minutes",
        "horizon_days",
        "min_notice_minutes",
        "slot_rhythm_minutes",
    ]


@admin.register(AppointmentKind)
class AppointmentKindAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "mode", "duration_minutes", "is_active"]
    list_filter = ["department", "mode"]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["department", "starts_at", "ends_at", "reason"]
    list_filter = ["department"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["department", "starts_at", "kind", "status"]
    list_filter = ["department", "status"]
    # Citizens' contact data stays out of list views.
    readonly_fields = ["code", "token", "queue_entry"]


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    list_display = ["kind", "send_after", "sent_at", "attempts", "last_error"]
    readonly_fields = ["to", "subject", "body"]
