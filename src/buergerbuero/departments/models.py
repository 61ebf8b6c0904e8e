from zoneinfo import ZoneInfo

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MINUTES_PER_DAY = 24 * 60

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class Department(models.Model):
    """A Fachbereich with its own virtual office."""

    slug = models.SlugField(unique=True, max_length=60)
    name = models.CharField(_("name"), max_length=120)
    summary = models.CharField(_("summary"), max_length=240, blank=True)
    description = models.TextField(_("what we offer"), blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Berlin")
    contact_phone = models.CharField(_("telephone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    contact_address = models.CharField(_("address"), max_length=240, blank=True)
    # Public holidays close the walk-in office and appointments alike (`holidays` package).
    holiday_country = models.CharField(max_length=2, default="DE")
    holiday_subdivision = models.CharField(
        _("public holidays of"),
        max_length=8,
        default="NW",
        blank=True,
        help_text=_("Region code, e.g. NW for North Rhine-Westphalia"),
    )
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    # Shown to citizens when this office is closed or unstaffed, where they are open then.
    related_departments = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="+",
        verbose_name=_("related departments"),
    )
    accepts_callbacks = models.BooleanField(_("accepts callback requests"), default=False)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class OpeningHours(models.Model):
    """One opening range on one weekday, in the department's local time.

    Minutes since local midnight, so that "until midnight" (1440) is expressible.
    """

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    opens_minute = models.PositiveSmallIntegerField(
        _("opens"), validators=[MaxValueValidator(MINUTES_PER_DAY - 1)]
    )
    closes_minute = models.PositiveSmallIntegerField(
        _("closes"), validators=[MinValueValidator(1), MaxValueValidator(MINUTES_PER_DAY)]
    )

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens_minute"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_minute__lt=models.F("closes_minute")),
                name="opening_range_not_empty",
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__lte=6), name="opening_weekday_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_label}–{self.closes_label}"

    @property
    def opens_label(self) -> str:
        return minute_label(self.opens_minute)

    @property
    def closes_label(self) -> str:
        return minute_label(self.closes_minute)


def minute_label(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


class Closure(models.Model):
    """A one-off closure (training day, staff meeting, building closed): the walk-in
    office is closed and no appointment can be booked. Here, below the office status, so
    that the status board and "opens next" obey it; the table kept its old name when the
    model moved here from bookings."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="closures")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        db_table = "bookings_closure"
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")), name="closure_not_empty"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department}: {self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"
