from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from buergerbuero.calls.ids import new_public_id, new_secret_token

# Closures moved to departments (the walk-in office obeys them too); kept importable here.
from buergerbuero.departments.models import Closure as Closure
from buergerbuero.waiting.models import DISPLAY_NAME_MAX, LANGUAGE_MAX, TOPIC_MAX

from .codes import new_booking_code

# Name, topic and language have the waiting room's caps: a booked citizen checks in with them.
PHONE_MAX = 40
CANCEL_MESSAGE_MAX = 500

# Bookings occupy cells of this many minutes; every duration and buffer is a multiple.
CELL_MINUTES = 5

# Appointments start on the clock at this rhythm (08:00, 08:15 …). Each choice divides an
# hour, so the times stay on the clock across a summer-time change (a one-hour shift).
RHYTHM_MINUTES = (5, 10, 15, 20, 30, 60)
RHYTHM_CHOICES = [(m, format_lazy(_("every {n} minutes"), n=m)) for m in RHYTHM_MINUTES]
DEFAULT_RHYTHM_MINUTES = 15


class BookingSettings(models.Model):
    """How a department takes appointments."""

    department = models.OneToOneField(
        "departments.Department", on_delete=models.CASCADE, related_name="booking_settings"
    )
    parallel_staff = models.PositiveSmallIntegerField(_("staff serving in parallel"), default=1)
    buffer_minutes = models.PositiveSmallIntegerField(
        _("buffer between appointments (minutes)"), default=5
    )
    horizon_days = models.PositiveSmallIntegerField(_("bookable days ahead"), default=28)
    min_notice_minutes = models.PositiveIntegerField(_("minimum notice (minutes)"), default=120)
    slot_rhythm_minutes = models.PositiveSmallIntegerField(
        _("appointments start"),
        choices=RHYTHM_CHOICES,
        default=DEFAULT_RHYTHM_MINUTES,
        help_text=_(
            "On the clock from midnight, e.g. every 15 minutes: 08:00, 08:15, 08:30. "
            "A time is offered only if it keeps the buffer to the bookings before and after it."
        ),
    )

    class Meta:
        verbose_name = _("booking settings")
        verbose_name_plural = _("booking settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parallel_staff__gte=1), name="parallel_staff_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(buffer_minutes__lte=240), name="buffer_minutes_reasonable"
            ),
            models.CheckConstraint(
                condition=models.Q(slot_rhythm_minutes__in=RHYTHM_MINUTES),
                name="slot_rhythm_on_the_clock",
            ),
        ]

    def __str__(self) -> str:
        return f"booking settings of {self.department}"


class Mode(models.TextChoices):
    VIDEO = "video", _("video consultation")
    IN_PERSON = "in_person", _("in-person visit")


class AppointmentKind(models.Model):
    department = models.ForeignKey(
        "departments.Department", on_delete=models.CASCADE, related_name="appointment_kinds"
    )
    name = models.CharField(_("name"), max_length=120)
    mode = models.CharField(_("kind"), max_length=10, choices=Mode.choices, default=Mode.VIDEO)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=30)
    location = models.CharField(_("address (in-person visits)"), max_length=240, blank=True)
    # Empty: the department's rhythm. A long consultation may start only on the hour
    # while a short pick-up of documents starts every 10 minutes.
    slot_rhythm_minutes = models.PositiveSmallIntegerField(
        _("appointments of this kind start"),
        choices=RHYTHM_CHOICES,
        null=True,
        blank=True,
        help_text=_("Empty: as set for the department."),
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("appointment kind")
        verbose_name_plural = _("appointment kinds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=CELL_MINUTES, duration_minutes__lte=480),
                name="appointment_duration_reasonable",
            ),
            models.CheckConstraint(
                condition=models.Q(slot_rhythm_minutes__isnull=True)
                | models.Q(slot_rhythm_minutes__in=RHYTHM_MINUTES),
                name="kind_slot_rhythm_on_the_clock",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.duration_minutes} min)"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("booked")
    WAITING = "waiting", _("waiting")
    IN_CONSULTATION = "in_consultation", _("in consultation")
    DONE = "done", _("done")
    NO_SHOW = "no_show", _("no-show")
    CANCELLED = "cancelled", _("cancelled")


class Booking(models.Model):
    id = models.CharField(primary_key=True, max_length=32, default=new_public_id, editable=False)
    # The short code a citizen types or reads out; the token is the secret of the link.
    code = models.CharField(max_length=16, unique=True, default=new_booking_code, editable=False)
    token = models.CharField(max_length=64, unique=True, default=new_secret_token, editable=False)
    department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, related_name="bookings"
    )
    kind = models.ForeignKey(AppointmentKind, on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    seat = models.PositiveSmallIntegerField(default=0)
    display_name = models.CharField(max_length=DISPLAY_NAME_MAX)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=PHONE_MAX, blank=True)
    topic = models.CharField(max_length=TOPIC_MAX, blank=True)
    language = models.CharField(max_length=LANGUAGE_MAX, blank=True)
    status = models.CharField(
        max_length=16, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    booked_by_staff = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_message = models.CharField(max_length=CANCEL_MESSAGE_MAX, blank=True)
    queue_entry = models.OneToOneField(
        "waiting.QueueEntry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="booking",
    )

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["department", "starts_at", "status"])]

    def __str__(self) -> str:
        return f"{self.department} {self.starts_at:%Y-%m-%d %H:%M} {self.display_name}"

    @property
    def is_active(self) -> bool:
        return self.status in (
            BookingStatus.BOOKED,
            BookingStatus.WAITING,
            BookingStatus.IN_CONSULTATION,
        )


class OccupiedCell(models.Model):
    """One CELL_MINUTES cell of one seat taken by a booking (its time plus buffer).

    The unique constraint is what makes double booking impossible, on SQLite and
    PostgreSQL alike, whatever mix of durations overlaps: the second transaction to
    claim a cell fails with an IntegrityError and takes the next seat or gives up.
    """

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="cells")
    department = models.ForeignKey(
        "departments.Department", on_delete=models.CASCADE, related_name="+"
    )
    seat = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["department", "seat", "starts_at"], name="one_booking_per_cell"
            )
        ]

    def __str__(self) -> str:
        return f"seat {self.seat} at {self.starts_at:%Y-%m-%d %H:%M}"


class MailKind(models.TextChoices):
    CONFIRMATION = "confirmation", _("confirmation")
    REMINDER = "reminder", _("reminder")
    CHANGE = "change", _("change")
    CANCELLATION = "cancellation", _("cancellation")


class OutgoingMail(models.Model):
    """A mail to send outside the request, retried until it goes out; the booking never
    depends on it."""

    booking = models.ForeignKey(Booking, null=True, on_delete=models.CASCADE, related_name="mails")
    kind = models.CharField(max_length=16, choices=MailKind.choices)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    send_after = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["send_after"]

    def __str__(self) -> str:
        return f"{self.kind} mail, due {self.send_after:%Y-%m-%d %H:%M}"
