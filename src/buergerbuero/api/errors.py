"""What the API answers instead of a result: a stable code and a translated sentence."""

from django.utils.translation import gettext_lazy as _

from buergerbuero.errors import DomainError


class ApiError(DomainError):
    status = 400


class NotFound(ApiError):
    status = 404
    code = "not_found"
    message = _("There is nothing at this address.")


class InvalidRequest(ApiError):
    status = 422
    code = "invalid_input"
    message = _("Please check your input.")


class MalformedJson(ApiError):
    status = 400
    code = "malformed_json"
    message = _("The request body is not valid JSON.")


class RateLimited(ApiError):
    status = 429
    code = "rate_limited"
    message = _("Too many attempts. Please try again later.")


class TokenMissing(ApiError):
    status = 401
    code = "token_missing"
    message = _("This needs an API token (Authorization: Bearer …).")


class TokenInvalid(ApiError):
    status = 401
    code = "token_invalid"
    message = _("This API token is not valid.")


class TokenExpired(ApiError):
    status = 401
    code = "token_expired"
    message = _("This API token has expired.")


class TokenRevoked(ApiError):
    status = 401
    code = "token_revoked"
    message = _("This API token has been revoked.")


class ScopeMissing(ApiError):
    status = 403
    code = "scope_missing"
    message = _("This API token may not do this.")


class DepartmentNotAllowed(ApiError):
    status = 403
    code = "department_not_allowed"
    message = _("This API token is not for this department.")


class ServerError(ApiError):
    status = 500
    code = "server_error"
    message = _("This did not work. Please try again.")
