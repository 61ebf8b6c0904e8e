from django.db import models
from django.utils.translation import gettext_lazy as _


class SecurityPolicy(models.Model):
    """The county's security settings: one row (pk 1), changed by administrators."""

    second_factor_administrators = models.BooleanField(
        _("Administrators must use an authenticator app"), default=False
    )
    second_factor_leads = models.BooleanField(
        _("Department leads must use an authenticator app"), default=False
    )
    second_factor_staff = models.BooleanField(
        _("Staff must use an authenticator app"), default=False
    )

    class Meta:
        verbose_name = _("security settings")
        verbose_name_plural = _("security settings")

    def __str__(self) -> str:
        return "security policy"
