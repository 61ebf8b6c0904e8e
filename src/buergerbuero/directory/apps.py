from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "buergerbuero.directory"
    verbose_name = _("Directory sign-in")
    default_auto_field = "django.db.models.BigAutoField"
