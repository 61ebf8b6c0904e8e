from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "buergerbuero.staff"
    label = "staff"

    def ready(self) -> None:
        """Failed sign-ins go into the audit log (docs/security.md); a sign-in is recorded
        by the login views themselves."""
        from django.contrib.auth.signals import user_login_failed

        # Models are importable only once the app registry is ready.
        from . import accounts

        def failed(sender, credentials, request=None, **kwargs):
            accounts.record_failed_sign_in(str(credentials.get("username", "")))

        user_login_failed.connect(failed, dispatch_uid="audit_sign_in_failed", weak=False)
        # Inside ready(): the signal handlers import models (see docs/architecture.md).
        from . import signals  # noqa: F401
