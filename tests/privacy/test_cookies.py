"""Only strictly necessary cookies: a citizen who uses every public page ends up with
sessionid, csrftoken and django_language, and nothing else."""

import pytest
from django.test import Client
from django.urls import reverse

from buergerbuero.access import ENTRIES_KEY
from buergerbuero.bookings.availability import available_slots
from buergerbuero.bookings.models import Booking
from buergerbuero.calls import actions as call_actions
from buergerbuero.calls.models import Role
from buergerbuero.waiting import actions as queue_actions

pytestmark = pytest.mark.django_db

NECESSARY = {"sessionid", "csrftoken", "django_language"}


def visit(browser: Client, method: str, url: str, data=None, status=(200, 302)):
    response = getattr(browser, method)(url, data or {})
    assert response.status_code in status, (url, response.status_code)
    return response


def test_a_citizen_walking_every_public_page_gets_only_necessary_cookies(
    make_department, make_staff, make_kind
):
    department = make_department(slug="wohngeld", name="Wohngeld")
    clerk = make_staff(department)
    kind = make_kind(department)
    browser = Client()
    slug = department.slug

    visit(browser, "get", reverse("public:overview"))
    visit(browser, "post", reverse("set_language"), {"language": "en", "next": "/"})
    visit(browser, "get", reverse("privacy:notice"))
    visit(browser, "get", reverse("public:status_json"))
    visit(browser, "get", reverse("public:embed_status"))
    visit(browser, "get", reverse("public:department", args=[slug]))
    visit(browser, "get", reverse("public:knock", args=[slug]))
    visit(browser, "post", reverse("public:knock", args=[slug]), {"display_name": "Ada"})
    entry_id = browser.session[ENTRIES_KEY][-1]
    visit(browser, "get", reverse("public:waiting", args=[entry_id]))
    room = queue_actions.admit(entry_id, clerk)
    visit(browser, "get", reverse("public:call", args=[room.pk]))

    start = available_slots(kind)[0][0]
    visit(browser, "get", reverse("bookings:choose", args=[slug]))
    book = reverse("bookings:book", args=[slug, kind.pk, start.isoformat()])
    visit(browser, "get", book)
    visit(browser, "post", book, {"display_name": "Ada", "email": "ada@example.org"})
    token = Booking.objects.get().token
    for name in ("manage", "ics", "qr"):
        visit(browser, "get", reverse(f"bookings:{name}", args=[token]))
    visit(browser, "get", reverse("bookings:cancel", args=[token]))
    visit(browser, "post", reverse("bookings:cancel", args=[token]), {"confirm": "yes"})
    # The notice after a redirect: in a cookie of its own, unless kept in the session.
    visit(browser, "get", reverse("bookings:manage", args=[token]))
    visit(browser, "post", reverse("bookings:check_in_by_code", args=[slug]), {"code": "nope"})
    visit(browser, "get", reverse("privacy:my_data", args=[token]))
    visit(browser, "post", reverse("privacy:erase", args=[token]), {"confirm": "yes"})
    visit(browser, "get", reverse("privacy:my_data", args=[token]))

    guest = Client()
    staff = room.participants.get(role=Role.STAFF)
    invitation = call_actions.issue_invitation(room.pk, staff, "Gast")
    visit(guest, "get", reverse("public:invitation", args=[invitation.token]))
    visit(
        guest,
        "post",
        reverse("public:invitation", args=[invitation.token]),
        {"display_name": "Gast"},
    )
    visit(guest, "get", reverse("public:call", args=[room.pk]))
    call_actions.end_room(room.pk, staff)
    visit(browser, "get", reverse("public:call_ended", args=[room.pk]))

    # The test client's jar keeps every cookie ever set, even one deleted again.
    assert set(browser.cookies) == NECESSARY
    assert set(guest.cookies) == {"sessionid", "csrftoken"}
    session = browser.cookies["sessionid"]
    assert (session["httponly"], session["samesite"], session["max-age"]) == (True, "Lax", 43200)
