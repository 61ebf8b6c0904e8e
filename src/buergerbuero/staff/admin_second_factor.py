"""The authenticator apps in the admin: who has one, and a reset for a lost phone.

Replaces django-otp's own TOTP admin, which would let an administrator read a secret,
edit one, or delete a device without a trace in the audit log.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import second_factor

# Shown, never edited: not even the device's name.
SHOWN = ("user", "name", "confirmed", "created_at", "last_used_at")


class SecondFactorAdmin(admin.ModelAdmin):
    list_display = ["user", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    fields = SHOWN
    readonly_fields = SHOWN
    actions = ["reset"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Only through the reset action, which writes the audit log.
        return False

    def has_reset_permission(self, request) -> bool:
        return request.user.has_perm("otp_totp.delete_totpdevice")

    @admin.action(
        permissions=["reset"],
        description=_("Reset: the staff member sets up the authenticator app again"),
    )
    def reset(self, request, queryset) -> None:
        users = {device.user for device in queryset.select_related("user")}
        for user in users:
            second_factor.reset(user, by=request.user)
        self.message_user(
            request,
            ngettext(
                "Reset for %(count)d staff member.",
                "Reset for %(count)d staff members.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, SecondFactorAdmin)
