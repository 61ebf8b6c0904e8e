from django.db import models
from django.utils.translation import gettext_lazy as _


class HourlyFigures(models.Model):
    """What happened in one department in one hour (UTC), without a single name or topic.

    Each figure counts in the hour in which it happened: a knock when it was made, an
    admission, decline, departure or expiry when the place was resolved (with the wait
    from knock to admission), a consultation when it ended (with its length), an
    appointment at its start. Hours without anything are not stored. See
    docs/statistics.md.
    """

    department = models.ForeignKey(
        "departments.Department", on_delete=models.CASCADE, related_name="hourly_figures"
    )
    hour = models.DateTimeField()  # the start of the hour (stored in UTC)
    knocks = models.PositiveIntegerField(default=0)
    admitted = models.PositiveIntegerField(default=0)
    declined = models.PositiveIntegerField(default=0)
    left = models.PositiveIntegerField(default=0)
    expired = models.PositiveIntegerField(default=0)
    consultations = models.PositiveIntegerField(default=0)
    bookings = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveIntegerField(default=0)
    # statistics.histogram: {"bucket's lower bound in seconds": count}
    wait_seconds = models.JSONField(default=dict)
    consultation_seconds = models.JSONField(default=dict)

    class Meta:
        ordering = ["hour", "department"]
        verbose_name = _("hourly figures")
        verbose_name_plural = _("hourly figures")
        constraints = [
            models.UniqueConstraint(fields=["department", "hour"], name="one_figure_row_per_hour")
        ]
        indexes = [models.Index(fields=["hour"])]

    def __str__(self) -> str:
        return f"{self.department_id} {self.hour:%Y-%m-%d %H:00}"


class Aggregation(models.Model):
    """The one row that says how far the figures are final, and which process is at it.

    `closed_until`: every hour before it is final and never computed again. `claimed_at`:
    when a process last took the run (statistics.aggregate.run_if_due), so that of all
    processes' tickers one does the work per interval.
    """

    closed_until = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    ran_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"statistics final until {self.closed_until}"
