from django.db import models
from django.utils.translation import gettext_lazy as _

from buergerbuero.calls.ids import new_public_id

DISPLAY_NAME_MAX = 60
TOPIC_MAX = 200
STAFF_MESSAGE_MAX = 500
# A note for the colleague a citizen is passed on to: a line, not a file.
TRANSFER_NOTE_MAX = 200
# A waiting citizen's answer to the office (relayed, never stored).
REPLY_MAX = 500
LANGUAGE_MAX = 12


class EntryState(models.TextChoices):
    WAITING = "waiting", _("waiting")
    ADMITTED = "admitted", _("admitted")
    DECLINED = "declined", _("declined")
    LEFT = "left", _("left")
    EXPIRED = "expired", _("expired")


class QueueEntry(models.Model):
    """A citizen knocking at a department's door.

    Stored in the database so that a server restart loses nobody; the browser holds the
    entry only through its session, so a reload or a short network drop keeps the place.
    """

    id = models.CharField(primary_key=True, max_length=32, default=new_public_id, editable=False)
    department = models.ForeignKey(
        "departments.Department", on_delete=models.CASCADE, related_name="queue_entries"
    )
    display_name = models.CharField(max_length=DISPLAY_NAME_MAX)
    topic = models.CharField(max_length=TOPIC_MAX, blank=True)
    language = models.CharField(max_length=LANGUAGE_MAX, blank=True)
    state = models.CharField(max_length=10, choices=EntryState.choices, default=EntryState.WAITING)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Kept fresh by the waiting room's socket; an entry unseen for the grace period expires.
    seen_at = models.DateTimeField()
    # Since when the waiting room's socket is gone (tab closed, network lost); null while
    # connected. Staff see it, and are asked before admitting someone who is not there.
    disconnected_at = models.DateTimeField(null=True, blank=True)
    # Since when the page has been hidden (another app, a locked phone: mobile browsers
    # then suspend it, so it cannot ping); null while shown. It keeps the place for the
    # longer QUEUE_BACKGROUND_GRACE_SECONDS, and staff see the citizen as not present.
    backgrounded_at = models.DateTimeField(null=True, blank=True)
    # When they were called while their page slept and came back to take the place at the
    # front: such entries are offered first, in the order they were called.
    missed_call_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_message = models.CharField(max_length=STAFF_MESSAGE_MAX, blank=True)
    # The language the message is written in: the console's of the staff member who
    # declined (the default text is in it); empty for the office's own language.
    decline_language = models.CharField(max_length=8, blank=True)
    # Passed on by staff from another department (`transfer`): where from, and the note
    # for the colleague here. The knock time (`created_at`) stays, so does the place.
    transferred_from = models.ForeignKey(
        "departments.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    transfer_note = models.CharField(max_length=TRANSFER_NOTE_MAX, blank=True)
    # Set for a citizen who checked in with a booking: offered first at that time.
    booked_for = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["department", "state", "created_at"])]
        verbose_name = _("queue entry")
        verbose_name_plural = _("queue entries")

    def __str__(self) -> str:
        return f"{self.display_name} ({self.state})"


# A callback request: a telephone number is at most 15 digits (E.164) plus a "+".
PHONE_MAX = 16
CALLBACK_TOPIC_MAX = 120


class CallbackRequest(models.Model):
    """A citizen's wish to be called back by a department that was closed or unstaffed
    when they came. Only what the call needs: the number, when it suits them and a few
    words; deleted once staff mark it done, or at the latest after its retention
    (settings.CALLBACK_RETENTION_DAYS after the end of the chosen window)."""

    id = models.CharField(primary_key=True, max_length=32, default=new_public_id, editable=False)
    department = models.ForeignKey(
        "departments.Department", on_delete=models.CASCADE, related_name="callback_requests"
    )
    phone = models.CharField(max_length=PHONE_MAX)
    window_starts_at = models.DateTimeField()
    window_ends_at = models.DateTimeField()
    topic = models.CharField(max_length=CALLBACK_TOPIC_MAX, blank=True)
    language = models.CharField(max_length=LANGUAGE_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["window_starts_at", "created_at"]
        indexes = [models.Index(fields=["department", "window_starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_starts_at__lt=models.F("window_ends_at")),
                name="callback_window_not_empty",
            )
        ]
        verbose_name = _("callback request")
        verbose_name_plural = _("callback requests")

    def __str__(self) -> str:
        return f"{self.department_id} {self.window_starts_at:%Y-%m-%d %H:%M}"
