"""Permissions-Policy: camera, microphone and screen sharing only on the pages that use
them (the device check before knocking and before joining as a guest, the call, and the
waiting room and the staff console, where the call starts in place on admission);
every other page, and every embedding frame, gets none of them. Features the office never
uses are denied everywhere, so an injected script could not use them either."""

from django.utils.deprecation import MiddlewareMixin

MEDIA_VIEWS = frozenset(
    {"public:knock", "public:invitation", "public:call", "public:waiting", "console:home"}
)
# Their pages with the device check or the call: 200, and the knock form shown again when
# the queue is full (409). A refusal ("not admitted", an invalid invitation) gets none.
MEDIA_STATUSES = frozenset({200, 409})
MEDIA_FEATURES = ("camera", "microphone", "display-capture")
# Only names Chromium knows: an unknown one costs a console error on every page.
NEVER_USED = (
    "accelerometer",
    "browsing-topics",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "midi",
    "payment",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)


def _policy(media_allowlist: str) -> str:
    return ", ".join(
        [f"{feature}={media_allowlist}" for feature in MEDIA_FEATURES]
        + [f"{feature}=()" for feature in NEVER_USED]
    )


MEDIA_POLICY = _policy("(self)")
NO_MEDIA_POLICY = _policy("()")


def policy_for(view_name: str | None, status: int) -> str:
    uses_media = view_name in MEDIA_VIEWS and status in MEDIA_STATUSES
    return MEDIA_POLICY if uses_media else NO_MEDIA_POLICY


class PermissionsPolicyMiddleware(MiddlewareMixin):
    def process_response(self, request, response):
        match = getattr(request, "resolver_match", None)
        view_name = match.view_name if match else None
        response.headers.setdefault(
            "Permissions-Policy", policy_for(view_name, response.status_code)
        )
        return response
