"""A mail backend whose server refuses the first attempt, like an SMTP hiccup."""

from django.core.mail.backends.locmem import EmailBackend


class FailingOnceBackend(EmailBackend):
    failed = False

    def send_messages(self, messages):
        if not FailingOnceBackend.failed:
            FailingOnceBackend.failed = True
            raise ConnectionRefusedError("SMTP server refused")
        return super().send_messages(messages)
