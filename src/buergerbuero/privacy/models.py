from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Ten years: a typo such as 36500 should not keep data for a century.
MAX_RETENTION_DAYS = 3650


def _days(label: "StrOrPromise") -> "models.PositiveSmallIntegerField[int | None, int | None]":
    return models.PositiveSmallIntegerField(
        label,
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_RETENTION_DAYS)],
        help_text=_("Empty: the installation's default (docs/privacy.md)."),
    )


class RetentionPolicy(models.Model):
    """How long one department keeps each kind of personal data, in days.

    Every field may stay empty, and a department without a policy uses the
    installation's defaults (settings.RETENTION_DAYS), so changing a default reaches
    every department that did not decide otherwise.
    """

    department = models.OneToOneField(
        "departments.Department", on_delete=models.CASCADE, related_name="retention"
    )
    queue_entries_days = _days(_("queue entries: days after they were resolved"))
    rooms_days = _days(_("call participants: days after the call ended"))
    invitations_days = _days(_("invitations: days after they expired"))
    bookings_days = _days(_("bookings: days after the appointment"))
    cancelled_bookings_days = _days(_("cancelled bookings: days after the cancellation"))
    mails_days = _days(_("sent mails: days after sending"))
    failed_mails_days = _days(_("undeliverable mails: days after the last attempt"))
    # Health, sexual life, ethnic origin, religion, disability ... (Art. 9 DSGVO): the
    # privacy notice names the additional legal basis for this department.
    special_categories = models.BooleanField(
        _("handles special categories of personal data (Art. 9 GDPR)"),
        default=False,
        help_text=_("For example health data in HIV or pregnancy counselling."),
    )

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        permissions = [
            ("view_processing_record", _("Can view the record of processing activities")),
        ]

    def __str__(self) -> str:
        return f"retention policy of {self.department}"


class DailyStatistic(models.Model):
    """What happened in one department on one local day, without a single name.

    Recomputed from the (anonymised, never deleted) rows whenever personal data of that
    day is purged, so it survives deletion and can be read without touching personal
    data. Sums and counts rather than averages, so figures can be added up over weeks.
    """

    department = models.ForeignKey(
        "departments.Department", on_delete=models.CASCADE, related_name="daily_statistics"
    )
    day = models.DateField()
    knocks = models.PositiveIntegerField(default=0)
    admitted = models.PositiveIntegerField(default=0)
    declined = models.PositiveIntegerField(default=0)
    left = models.PositiveIntegerField(default=0)
    expired = models.PositiveIntegerField(default=0)
    wait_seconds_total = models.PositiveBigIntegerField(default=0)
    consultations = models.PositiveIntegerField(default=0)
    consultation_seconds_total = models.PositiveBigIntegerField(default=0)
    bookings = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "department"]
        verbose_name = _("daily statistic")
        verbose_name_plural = _("daily statistics")
        constraints = [
            models.UniqueConstraint(fields=["department", "day"], name="one_statistic_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.day}"

    @property
    def average_wait_seconds(self) -> float | None:
        """Knock (or check-in) to admission, over admitted citizens."""
        return self.wait_seconds_total / self.admitted if self.admitted else None

    @property
    def average_consultation_seconds(self) -> float | None:
        return self.consultation_seconds_total / self.consultations if self.consultations else None
