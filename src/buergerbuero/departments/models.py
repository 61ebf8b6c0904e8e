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
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

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
        validators=[MaxValueValidator(MINUTES_PER_DAY - 1)]
    )
    closes_minute = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MINUTES_PER_DAY)]
    )

    class Meta:
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
