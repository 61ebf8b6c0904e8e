from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "buergerbuero.staff"
    label = "staff"

    def ready(self) -> None:
        """Sign-ins and failed sign-ins go into the audit log (docs/security.md)."""
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        # Models are importable only once the app registry is ready.
        from . import accounts

        def signed_in(sender, request, user, **kwargs):
            accounts.record_sign_in(user)

        def failed(sender, credentials, request=None, **kwargs):
            accounts.record_failed_sign_in(str(credentials.get("username", "")))

        user_logged_in.connect(signed_in, dispatch_uid="audit_sign_in")
        user_login_failed.connect(failed, dispatch_uid="audit_sign_in_failed")
