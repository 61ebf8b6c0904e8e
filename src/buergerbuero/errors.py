class DomainError(Exception):
    """A domain action that cannot happen. `code` goes to clients and templates; the
    message defaults to the subclass's docstring, a sentence people can read."""

    code = "error"

    def __init__(self, message: str = ""):
        super().__init__(message or self.__class__.__doc__ or self.code)
