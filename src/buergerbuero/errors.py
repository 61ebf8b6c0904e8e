"""The one base of every error a domain action reports to people.

A `DomainError` carries a stable `code` for programs (socket replies, templates, tests)
and a sentence for people. The sentence is a lazy translation, turned into text only
when it is shown (`str(error)`), so it reaches each person in the language of their
page or socket, whoever raised it.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A domain action that cannot happen."""

    code = "error"
    message: str | Promise = _("This did not work. Please try again.")

    def __init__(self, message: str | Promise = ""):
        self._message = message or self.message
        super().__init__(self.code)

    def __str__(self) -> str:
        return str(self._message)


class InvalidInput(DomainError):
    """Input that passed a message's schema but means nothing to the domain, such as a
    name made only of control characters."""

    code = "invalid_input"
    message = _("Please check your input.")


class NameRequired(InvalidInput):
    code = "name_required"
    message = _("Please enter a name.")


class TextRequired(InvalidInput):
    code = "text_required"
    message = _("Please write a message.")
