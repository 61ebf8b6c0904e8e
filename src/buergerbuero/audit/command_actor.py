"""Commands act as a system superuser-like actor: an anonymous object that the
permission checks treat as an administrator, recorded without a name in the audit log."""

from django.contrib.auth.models import AnonymousUser


class CommandActor(AnonymousUser):
    """The IT person at the server's shell: may do what an administrator may."""

    is_active = True  # type: ignore[assignment]
    is_superuser = True  # type: ignore[assignment]
    pk = None
    id = None

    @property
    def is_authenticated(self):
        return True

    def get_username(self) -> str:
        return "manage.py"


def command_actor() -> CommandActor:
    return CommandActor()
