from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "buergerbuero.policy"
    label = "policy"

    def ready(self) -> None:
        """At sign-in: must this member set up an authenticator app first?"""
        from django.contrib.auth.signals import user_logged_in

        # Models are importable only once the app registry is ready.
        from . import actions, middleware

        def check(sender, request, user, **kwargs):
            if request is not None and actions.must_enrol(user):
                request.session[middleware.MUST_ENROL] = True

        user_logged_in.connect(check, dispatch_uid="policy_second_factor", weak=False)
