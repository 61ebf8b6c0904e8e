from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Presence(models.TextChoices):
    AVAILABLE = "available", _("available")
    PAUSED = "paused", _("paused")
    OFFLINE = "offline", _("offline")


class StaffProfile(models.Model):
    """A staff member's departments and presence.

    "Available" counts only while the console keeps `seen_at` fresh, so a closed
    laptop does not leave a department showing open with nobody to answer.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    departments = models.ManyToManyField("departments.Department", related_name="staff")
    presence = models.CharField(max_length=12, choices=Presence.choices, default=Presence.OFFLINE)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("staff profile")

    def __str__(self) -> str:
        return self.user.get_username()
