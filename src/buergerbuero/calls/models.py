from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .ids import new_public_id, new_secret_token


class Room(models.Model):
    """A private consultation: one staff member, one citizen, invited guests."""

    id = models.CharField(primary_key=True, max_length=32, default=new_public_id, editable=False)
    department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, related_name="rooms"
    )
    queue_entry = models.OneToOneField(
        "waiting.QueueEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="room"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["department", "ended_at"])]

    def __str__(self) -> str:
        return f"room {self.id}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class Role(models.TextChoices):
    STAFF = "staff", _("staff")
    CITIZEN = "citizen", _("citizen")
    GUEST = "guest", _("guest")


class Participant(models.Model):
    id = models.CharField(primary_key=True, max_length=32, default=new_public_id, editable=False)
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(max_length=10, choices=Role.choices)
    display_name = models.CharField(max_length=60)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)
    # Kept fresh by the call socket; a room whose staff are unseen for long is ended.
    seen_at = models.DateTimeField(null=True, blank=True)
    # Came in by an invitation marked for sign-language interpreting: every page of the
    # call shows this person's picture large, never hidden behind a shared screen.
    sign_language = models.BooleanField(default=False)

    class Meta:
        ordering = ["joined_at"]

    def __str__(self) -> str:
        return f"{self.role} {self.display_name}"


class Invitation(models.Model):
    """A single-use, expiring link that lets one more person into a room."""

    token = models.CharField(
        primary_key=True, max_length=64, default=new_secret_token, editable=False
    )
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="invitations")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    label = models.CharField(max_length=60, blank=True)
    # "Gebärdensprachdolmetschung": the guest interprets sign language (Participant.sign_language).
    sign_language = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.OneToOneField(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation"
    )

    def __str__(self) -> str:
        return f"invitation to {self.room_id}"
