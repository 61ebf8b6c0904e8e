"""Response headers: camera, microphone and screen sharing only where the office uses
them; pages with personal data never stored; the usual hardening headers everywhere."""

import pytest
from django.test import Client
from django.urls import reverse

from buergerbuero.access import ENTRIES_KEY
from buergerbuero.bookings import actions as bookings
from buergerbuero.bookings.availability import available_slots
from buergerbuero.calls import actions as calls
from buergerbuero.calls.models import Role
from buergerbuero.waiting import actions as queue

pytestmark = pytest.mark.django_db

NEVER = (
    "accelerometer=(), browsing-topics=(), geolocation=(), gyroscope=(), hid=(), "
    "idle-detection=(), magnetometer=(), midi=(), payment=(), screen-wake-lock=(), "
    "serial=(), usb=(), xr-spatial-tracking=()"
)
MEDIA = "camera=(self), microphone=(self), display-capture=(self), " + NEVER
NO_MEDIA = "camera=(), microphone=(), display-capture=(), " + NEVER


@pytest.fixture
def citizen_in_call(department, clerk):
    """A citizen's browser that knocked and was admitted; returns (browser, room)."""
    browser = Client()
    browser.post(reverse("public:knock", args=[department.slug]), {"display_name": "Ada"})
    room = queue.admit(browser.session[ENTRIES_KEY][-1], clerk)
    return browser, room


def test_device_check_and_call_pages_may_use_camera_microphone_and_screen(
    department, clerk, citizen_in_call, settings
):
    browser, room = citizen_in_call
    staff = room.participants.get(role=Role.STAFF)
    invitation = calls.issue_invitation(room.pk, staff)
    knock = reverse("public:knock", args=[department.slug])
    settings.MAX_WAITING_PER_DEPARTMENT = 0
    pages = {
        "knock": Client().get(knock),
        "knock, queue full": Client().post(knock, {"display_name": "Bob"}),
        "call": browser.get(reverse("public:call", args=[room.pk])),
        "invitation": Client().get(reverse("public:invitation", args=[invitation.token])),
    }
    # The waiting room and the console hold the camera for a call that starts in place.
    staff = Client()
    staff.force_login(room.participants.get(role="staff").user)
    pages["console"] = staff.get(reverse("console:home"))
    pages["waiting room"] = browser.get(
        reverse("public:waiting", args=[browser.session[ENTRIES_KEY][-1]])
    )
    assert {name: (r.status_code, r["Permissions-Policy"]) for name, r in pages.items()} == {
        "knock": (200, MEDIA),
        "knock, queue full": (409, MEDIA),
        "call": (200, MEDIA),
        "invitation": (200, MEDIA),
        "console": (200, MEDIA),
        "waiting room": (200, MEDIA),
    }


def test_every_other_page_gets_none_of_them(department, clerk, citizen_in_call):
    _citizen, room = citizen_in_call
    staff = Client()
    staff.force_login(clerk)
    pages = {
        "overview": Client().get(reverse("public:overview")),
        "department": Client().get(reverse("public:department", args=[department.slug])),
        "status": Client().get(reverse("public:status_json")),
        "embed": Client().get(reverse("public:embed_status")),
        "console login": Client().get(reverse("console:login")),
        "day": staff.get(reverse("console:day", args=[department.slug])),
        "call of someone else": Client().get(reverse("public:call", args=[room.pk])),
        "invalid invitation": Client().get(reverse("public:invitation", args=["abgelaufen"])),
        "not found": Client().get("/gibt-es-nicht/"),
    }
    assert {name: (r.status_code, r["Permissions-Policy"]) for name, r in pages.items()} == {
        "overview": (200, NO_MEDIA),
        "department": (200, NO_MEDIA),
        "status": (200, NO_MEDIA),
        "embed": (200, NO_MEDIA),
        "console login": (200, NO_MEDIA),
        "day": (200, NO_MEDIA),
        "call of someone else": (403, NO_MEDIA),
        "invalid invitation": (410, NO_MEDIA),
        "not found": (404, NO_MEDIA),
    }


NEVER_STORED = "max-age=0, no-cache, no-store, must-revalidate, private"


def test_pages_with_personal_data_are_never_stored(department, clerk, citizen_in_call, make_kind):
    # A shared computer's browser cache, a proxy: nothing of a person's page may stay.
    browser, room = citizen_in_call
    staff_participant = room.participants.get(role=Role.STAFF)
    invitation = calls.issue_invitation(room.pk, staff_participant, label="Dolmetscherin")
    waiting = Client()
    waiting.post(reverse("public:knock", args=[department.slug]), {"display_name": "Bob"})
    kind = make_kind(department)
    booking = bookings.book(kind, available_slots(kind)[0][0], "Ada")
    clerk.staff_profile.memberships.update(role="lead")
    staff = Client()
    staff.force_login(clerk)
    token = booking.token
    pages = {
        "booking": Client().get(reverse("bookings:manage", args=[token])),
        "calendar file": Client().get(reverse("bookings:ics", args=[token])),
        "QR code": Client().get(reverse("bookings:qr", args=[token])),
        "my data": Client().get(reverse("privacy:my_data", args=[token])),
        "waiting room": waiting.get(
            reverse("public:waiting", args=[waiting.session[ENTRIES_KEY][-1]])
        ),
        "call": browser.get(reverse("public:call", args=[room.pk])),
        "invitation": Client().get(reverse("public:invitation", args=[invitation.token])),
        "console": staff.get(reverse("console:home")),
        "day": staff.get(reverse("console:day", args=[department.slug])),
        "settings": staff.get(reverse("console:booking_settings", args=[department.slug])),
    }
    calls.end_room(room.pk, staff_participant)
    pages["call ended"] = browser.get(reverse("public:call_ended", args=[room.pk]))
    assert {name: (r.status_code, r.get("Cache-Control")) for name, r in pages.items()} == {
        name: (200, NEVER_STORED) for name in pages
    }


def test_public_pages_may_be_cached(department):
    response = Client().get(reverse("public:department", args=[department.slug]))
    assert response.get("Cache-Control") is None


def test_hardening_headers_on_every_page(department):
    response = Client().get(reverse("public:department", args=[department.slug]))
    assert {
        name: response[name]
        for name in ("X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")
    } == {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }


def test_cookies_are_http_only_and_same_site(department, clerk):
    browser = Client()
    browser.post(reverse("public:knock", args=[department.slug]), {"display_name": "Ada"})
    browser.get(reverse("console:login"))
    browser.post(reverse("set_language"), {"language": "en", "next": "/"})
    cookies = {
        name: (morsel["httponly"], morsel["samesite"]) for name, morsel in browser.cookies.items()
    }
    assert cookies == {
        "sessionid": (True, "Lax"),
        "csrftoken": (True, "Lax"),
        "django_language": (True, "Lax"),
    }


def test_content_security_policy_allows_only_our_own_assets(department):
    response = Client().get(reverse("public:knock", args=[department.slug]))
    directives = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert directives == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "media-src": "'self' blob:",
        "connect-src": "'self'",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
