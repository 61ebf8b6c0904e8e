from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    APPOINTMENTS_READ = "appointments:read", _("read the appointments of a day")
    STATISTICS_READ = "statistics:read", _("read a department's statistics")


class ApiToken(models.Model):
    """A bearer token for one integration (a county system, a call centre), bound to
    departments and scopes. Only a SHA-256 of the secret is kept: the token is random
    (256 bits), so a slow hash would add nothing; `prefix` finds the row and is what
    people see."""

    name = models.CharField(_("integration"), max_length=120)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    # Space-separated values of `Scope`.
    scopes = models.CharField(_("scopes"), max_length=200)
    departments = models.ManyToManyField(
        "departments.Department", related_name="+", verbose_name=_("departments")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    def is_usable(self, now=None) -> bool:
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at
