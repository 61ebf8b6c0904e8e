from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Presence(models.TextChoices):
    AVAILABLE = "available", _("available")
    PAUSED = "paused", _("paused")
    OFFLINE = "offline", _("offline")


class Role(models.TextChoices):
    """A member's role in one department. The administrator is not a department role:
    county IT administers every department (StaffProfile.is_administrator)."""

    STAFF = "staff", _("staff member")
    LEAD = "lead", _("department lead")


class StaffProfile(models.Model):
    """A staff member: their departments (with role and presence: `Membership`).

    "Available" counts only while a console or call keeps `seen_at` fresh, so a closed
    laptop does not leave a department showing open with nobody to answer.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    departments = models.ManyToManyField(
        "departments.Department", through="Membership", related_name="staff"
    )
    seen_at = models.DateTimeField(null=True, blank=True)
    is_administrator = models.BooleanField(
        _("administrator"),
        default=False,
        help_text=_("Administers every department, staff accounts, roles and system settings."),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return self.user.get_username()


class Membership(models.Model):
    """That a member serves a department, in which role, and whether they serve it now.

    Presence is per department: a member who covers ten departments chooses which of
    them they answer right now.
    """

    profile = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="memberships")
    department = models.ForeignKey(
        "departments.Department", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.STAFF)
    presence = models.CharField(max_length=12, choices=Presence.choices, default=Presence.OFFLINE)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["profile", "department"], name="one_membership_each")
        ]

    def __str__(self) -> str:
        return f"{self.profile} · {self.department} · {self.role}"


class ConsoleConnection(models.Model):
    """One open console socket of a member, in whichever process holds it.

    The member goes offline when their last one closes (`presence.console_closed`). A
    process that dies leaves its rows behind; they stop counting once `seen_at` is older
    than STAFF_PRESENCE_TIMEOUT_SECONDS (each ping refreshes it).
    """

    profile = models.ForeignKey(
        StaffProfile, on_delete=models.CASCADE, related_name="console_connections"
    )
    channel = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.profile} · {self.channel}"
