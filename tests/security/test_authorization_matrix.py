"""Who may use what: every URL of the project and every client message of every socket is
listed below with the one kind of person allowed to use it. A URL or message type added
without a line here fails `test_every_url_has_an_entry` or `test_every_message_type_has_an_entry`;
each line is then checked against the people who must not get through."""

import typing
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from buergerbuero.api.tokens import issue_token
from buergerbuero.audit.models import AuditEvent
from buergerbuero.bookings import actions as booking_actions
from buergerbuero.bookings.models import Booking, Closure
from buergerbuero.calls import actions as call_actions
from buergerbuero.calls.models import Invitation, Participant, Role, Room
from buergerbuero.directory.models import GroupMapping
from buergerbuero.live import schemas
from buergerbuero.policy.models import SecurityPolicy
from buergerbuero.privacy.models import RetentionPolicy
from buergerbuero.staff.models import StaffProfile
from buergerbuero.waiting.models import EntryState, QueueEntry

from ..factories import make_kind
from ..live.support import (
    admit,
    nothing_more,
    participant,
    receive,
    receive_close,
    receive_until,
    run,
    send,
)
from .fuzz_support import english_client, free_slot, knock_as, live_env, logged_in

__all__ = ["live_env"]  # the fixture, used by name
pytestmark = pytest.mark.usefixtures("live_env")

# --- who -----------------------------------------------------------------------------

ANYONE = "anyone"
ENTRY = "the session holding the queue entry"
PARTICIPANT = "a participant of the call"
FORMER_PARTICIPANT = "a participant of the call, also after it ended"
INVITATION = "the holder of a valid, unused invitation link"
BOOKING_LINK = "the holder of the booking link"
LOGGED_IN = "any logged-in user"
DEPT_STAFF = "staff of the department"
DEPT_STAFF_PERMISSION = "a lead of the department, or an administrator"
STAFF = "staff of at least one department"
LEAD = "a lead of at least one department, or an administrator (their departments only)"
RECORD_READER = "a superuser, or a user with privacy.view_processing_record"
ADMIN_SITE = "an active user with is_staff (the admin's own permissions per model)"
API_ANYONE = "anyone (API)"
API_BOOKING_TOKEN = "the holder of the booking token (API)"
API_TOKEN = "an API token with the scope, bound to the department"
ADMIN_SITE = "an active superuser (administrators and leads use the administration)"
ADMINISTRATOR = "an administrator, or a superuser"
MANAGER = "an administrator, or a lead of at least one department"
DEPT_LEAD_PAGE = "a lead of the department, or an administrator (GET and POST)"
MEMBER_MANAGER = "an administrator, or a lead of one of the member's departments"
PASSWORD_LINK = "the holder of a valid, unused set-password link"
DIRECTORY_ADMINISTRATOR = "an administrator (StaffProfile.is_administrator or a superuser)"
DIRECTORY_SIGN_IN = "anyone, while sign-in with the county's account is configured"
PENDING_SIGN_IN = "the session that just signed in at the provider, with its app's code"
CALLBACK_OFFERED = "anyone, where the department takes callback requests"
CALLBACK_HOLDER = "the session that made the callback request"
CALLBACK_WITHDRAW = "the session that made the callback request (POST only)"
CALLBACK_STAFF = "staff of the callback request's department (POST only)"

URLS = {
    # public
    "public:overview": ANYONE,
    "public:status_json": ANYONE,
    "public:embed_status": ANYONE,
    "public:department": ANYONE,
    "public:knock": ANYONE,
    "public:alternatives": ANYONE,
    "public:callback": CALLBACK_OFFERED,
    "public:callback_sent": CALLBACK_HOLDER,
    "public:callback_withdraw": CALLBACK_WITHDRAW,
    "public:waiting": ENTRY,
    "public:call": PARTICIPANT,
    "public:call_ended": FORMER_PARTICIPANT,
    "public:invitation": INVITATION,
    "public:easy_language": ANYONE,
    "public:sign_language": ANYONE,
    "public:accessibility": ANYONE,
    # bookings
    "bookings:choose": ANYONE,
    "bookings:book": ANYONE,
    "bookings:check_in_by_code": ANYONE,  # the code is the key; rate-limited
    "bookings:manage": BOOKING_LINK,
    "bookings:ics": BOOKING_LINK,
    "bookings:qr": BOOKING_LINK,
    "bookings:cancel": BOOKING_LINK,
    "bookings:move": BOOKING_LINK,
    "bookings:check_in": BOOKING_LINK,
    # privacy
    "privacy:notice": ANYONE,
    "privacy:my_data": BOOKING_LINK,
    "privacy:erase": BOOKING_LINK,
    "privacy:processing_record": RECORD_READER,
    "privacy:processing_record_json": RECORD_READER,
    # console
    "console:home": STAFF,
    "console:callbacks": STAFF,
    "console:callback_done": CALLBACK_STAFF,
    "console:login": ANYONE,
    "console:logout": ANYONE,
    "console:second_factor": LOGGED_IN,
    "console:day": DEPT_STAFF,
    "console:book_for_caller": DEPT_STAFF,
    "console:cancel_booking": DEPT_STAFF,
    "console:mark_no_show": DEPT_STAFF,
    "console:booking_settings": DEPT_STAFF_PERMISSION,
    "console:add_closure": DEPT_STAFF_PERMISSION,
    "console:delete_closure": DEPT_STAFF_PERMISSION,
    "console:statistics": LEAD,
    "console:statistics_csv": LEAD,
    "console:department_statistics": DEPT_STAFF_PERMISSION,
    "console:department_statistics_csv": DEPT_STAFF_PERMISSION,
    # administration
    "administration:home": MANAGER,
    "administration:department_new": ADMINISTRATOR,
    "administration:department_edit": DEPT_LEAD_PAGE,
    "administration:schedule": DEPT_LEAD_PAGE,
    "administration:closures": DEPT_LEAD_PAGE,
    "administration:closure_remove": DEPT_LEAD_PAGE,
    "administration:department_deactivate": ADMINISTRATOR,
    "administration:department_reactivate": ADMINISTRATOR,
    "administration:staff_list": MANAGER,
    "administration:staff_add": MANAGER,
    "administration:staff_edit": MEMBER_MANAGER,
    "administration:staff_suspend": MEMBER_MANAGER,
    "administration:staff_reactivate": MEMBER_MANAGER,
    "administration:staff_remove": MEMBER_MANAGER,
    "administration:staff_invite": MEMBER_MANAGER,
    "administration:security": ADMINISTRATOR,
    "administration:retention": ADMINISTRATOR,
    "administration:retention_edit": ADMINISTRATOR,
    "administration:set_password": PASSWORD_LINK,
    "administration:forgot_password": ANYONE,
    "console:directory": DIRECTORY_ADMINISTRATOR,
    "console:remove_group_mapping": DIRECTORY_ADMINISTRATOR,
    "console:directory_login": DIRECTORY_SIGN_IN,
    "console:directory_callback": DIRECTORY_SIGN_IN,
    "console:directory_code": PENDING_SIGN_IN,
    # Django's own
    "set_language": ANYONE,
    # Every page of the admin site: Django's admin_view wrapper and ModelAdmin permissions.
    "admin:*": ADMIN_SITE,
    # The API (docs/api.md)
    "api_unknown": API_ANYONE,  # any other path under /api/v1/: a JSON 404
    "api-v1:api-root": API_ANYONE,  # django-ninja's anchor for its paths: a 404
    "api-v1:openapi-json": API_ANYONE,
    "api-v1:list_departments": API_ANYONE,
    "api-v1:get_department": API_ANYONE,
    "api-v1:status": API_ANYONE,
    "api-v1:list_kinds": API_ANYONE,
    "api-v1:list_slots": API_ANYONE,
    "api-v1:create_booking": API_ANYONE,  # rate-limited like the booking page
    "api-v1:get_booking": API_BOOKING_TOKEN,
    "api-v1:move_booking": API_BOOKING_TOKEN,
    "api-v1:cancel_booking": API_BOOKING_TOKEN,
    "api-v1:day_sheet": API_TOKEN,
    "api-v1:statistics": API_TOKEN,
}


def url_names(patterns=None, namespace=None):
    """(qualified name or route) of every pattern, recursively; the admin site as one."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_names(pattern.url_patterns, inner)
        else:
            assert isinstance(pattern, URLPattern)
            name = pattern.name or str(pattern.pattern)
            qualified = f"{namespace}:{name}" if namespace else name
            yield "admin:*" if qualified.startswith("admin:") else qualified


def test_every_url_has_an_entry():
    # A new URL needs a line in URLS (and a check below); a removed one, its line removed.
    assert set(url_names()) == set(URLS)


# --- the world -----------------------------------------------------------------------


@dataclass
class World:
    a: object
    b: object
    kind_a: object
    staff_a: object  # serves A, may configure it
    plain_a: object  # serves A, may not configure
    staff_b: object  # serves B, may configure B
    superuser: object
    citizen: object  # knocked at A, admitted: room
    waiting: object  # knocked at A, still waiting
    room: object
    booking: object
    closure: object
    administrator: object = None  # StaffProfile.is_administrator, no superuser


@pytest.fixture
def world(db, make_department, make_staff):
    a, b = make_department(slug="amt-a"), make_department(slug="amt-b")
    staff_a, plain_a = make_staff(a, role="lead"), make_staff(a)
    staff_b = make_staff(b, role="lead")
    superuser = get_user_model().objects.create_superuser("root", password="pw-for-tests-123")
    kind_a = make_kind(a)
    make_kind(b)
    citizen = knock_as(a, name="Clara")
    waiting = knock_as(a, name="Wanda")
    room = _admit(citizen.entry_id, staff_a)
    booking = booking_actions.book(kind_a, free_slot(kind_a, after_hours=48), "Berta")
    closure = Closure.objects.create(
        department=a,
        starts_at=timezone.now() + timedelta(days=60),
        ends_at=timezone.now() + timedelta(days=61),
    )
    administrator = make_staff(administrator=True)
    return World(
        a,
        b,
        kind_a,
        staff_a,
        plain_a,
        staff_b,
        superuser,
        citizen,
        waiting,
        room,
        booking,
        closure,
        administrator,
    )


def _admit(entry_id, user) -> Room:
    from buergerbuero.waiting import actions

    return actions.admit(entry_id, user)


def as_user(user) -> Client:
    return logged_in(user)[0]


def stranger() -> Client:
    client = english_client()
    client.get("/")  # a session of its own, holding nothing
    return client


def status(client, method, url, data=None) -> int:
    return getattr(client, method)(url, data or {}).status_code


def login_redirect(response) -> bool:
    # The console's login page, or the admin's own.
    location = response.get("Location", "")
    return response.status_code == 302 and ("/anmelden/" in location or "/login/" in location)


# --- one check per URL: the people who must not get through ---------------------------


def token_variants(booking: Booking) -> list[str]:
    token = booking.token
    return [
        token[:-1],
        token + "x",
        token.swapcase(),
        token[: len(token) // 2],
        booking.pk,  # the public id is not the key
        booking.code,  # nor is the short code
        "x" * len(token),
    ]


def check_anyone(world, name):
    client = stranger()
    slug = world.a.slug
    book = lambda: [slug, world.kind_a.pk, free_slot(world.kind_a).isoformat()]  # noqa: E731
    examples = {
        "public:overview": ("get", [], 200),
        "public:status_json": ("get", [], 200),
        "public:embed_status": ("get", [], 200),
        "public:department": ("get", [slug], 200),
        "public:knock": ("get", [slug], 200),
        # Open now (a member of A is free): nothing to offer instead.
        "public:alternatives": ("get", [slug], 204),
        "public:easy_language": ("get", [], 200),
        "public:sign_language": ("get", [], 200),
        "public:accessibility": ("get", [], 200),
        "bookings:choose": ("get", [slug], 200),
        "bookings:book": ("get", book, 200),
        "bookings:check_in_by_code": ("post", [slug], 302),
        "privacy:notice": ("get", [], 200),
        "console:login": ("get", [], 200),
        "console:logout": ("post", [], 302),
        "administration:forgot_password": ("get", [], 200),
        "set_language": ("post", [], 302),
    }
    method, args, expected = examples[name]
    url = reverse(name, args=args() if callable(args) else args)
    assert status(client, method, url) == expected


def check_entry(world, name):
    url = reverse(name, args=[world.waiting.entry_id])
    assert world.waiting.client.get(url).status_code == 200
    for other in (stranger(), world.citizen.client, as_user(world.staff_a)):
        assert other.get(url).status_code == 404


def check_participant(world, name):
    url = reverse(name, args=[world.room.pk])
    assert world.citizen.client.get(url).status_code == 200
    assert as_user(world.staff_a).get(url).status_code == 200
    # A stranger, another waiting citizen, a colleague of the same department, staff of B.
    for other in (stranger(), world.waiting.client, as_user(world.plain_a), as_user(world.staff_b)):
        assert other.get(url).status_code == 403
    assert stranger().get(reverse(name, args=["unknown"])).status_code == 404


def check_former_participant(world, name):
    url = reverse(name, args=[world.room.pk])
    assert world.citizen.client.get(url).status_code == 200
    for other in (stranger(), world.waiting.client, as_user(world.plain_a), as_user(world.staff_b)):
        assert other.get(url).status_code == 404


def invitation(world, **fields) -> Invitation:
    staff = participant(world.room.pk, Role.STAFF)
    invite = call_actions.issue_invitation(world.room.pk, staff)
    if fields:
        Invitation.objects.filter(pk=invite.pk).update(**fields)
    return invite


def check_invitation(world, name):
    fresh = invitation(world)
    assert stranger().get(reverse(name, args=[fresh.token])).status_code == 200
    used = invitation(world)
    guest = stranger()
    assert guest.post(reverse(name, args=[used.token]), {"display_name": "Gast"}).status_code == 302
    expired = invitation(world, expires_at=timezone.now() - timedelta(seconds=1))
    for token in (used.token, expired.token, "unknown", fresh.token[:-1]):
        for client in (stranger(), guest):
            assert client.get(reverse(name, args=[token])).status_code == 410
            assert (
                client.post(reverse(name, args=[token]), {"display_name": "X"}).status_code == 410
            )
    assert Participant.objects.filter(room=world.room, role=Role.GUEST).count() == 1


def check_booking_link(world, name):
    method = "post" if name in POST_ONLY else "get"
    data = {"confirm": "yes", "start": free_slot(world.kind_a, 72).isoformat()}
    for token in token_variants(world.booking):
        assert status(stranger(), method, reverse(name, args=[token]), data) == 404
    world.booking.refresh_from_db()
    assert (world.booking.status, world.booking.display_name) == ("booked", "Berta")
    if method == "get":
        assert stranger().get(reverse(name, args=[world.booking.token])).status_code == 200


POST_ONLY = {
    "bookings:cancel",
    "bookings:move",
    "bookings:check_in",
    "privacy:erase",
    "console:book_for_caller",
    "console:cancel_booking",
    "console:mark_no_show",
    "console:add_closure",
    "console:delete_closure",
}


def check_logged_in(world, name):
    response = english_client().get(reverse(name))
    assert login_redirect(response)
    assert as_user(world.plain_a).get(reverse(name)).status_code == 200


def check_staff(world, name):
    assert login_redirect(english_client().get(reverse(name)))
    nobody = get_user_model().objects.create_user("no-profile", password="pw-for-tests-123")
    assert as_user(nobody).get(reverse(name)).status_code == 403
    assert as_user(world.plain_a).get(reverse(name)).status_code == 200
    # An administrator who serves no department is sent to the administration.
    response = as_user(world.superuser).get(reverse(name))
    assert (response.status_code, response["Location"]) == (302, reverse("administration:home"))


def dept_args(world, name, department):
    if name in ("console:cancel_booking", "console:mark_no_show"):
        return [department.slug, world.booking.pk]
    if name == "console:delete_closure":
        return [department.slug, world.closure.pk]
    return [department.slug]


def check_dept_staff(world, name, needs_permission=False):
    method = "post" if name in POST_ONLY else "get"
    url = reverse(name, args=dept_args(world, name, world.a))
    assert login_redirect(getattr(english_client(), method)(url))
    # B's staff always; a superuser serves no department, but administers every one.
    refused = (
        [world.staff_b, world.plain_a] if needs_permission else [world.staff_b, world.superuser]
    )
    for user in refused:
        assert status(as_user(user), method, url) == 403, user
    # Staff of B on B's own slug with A's booking (not found) or A's closure (deletes
    # nothing of A's: checked below).
    if name in ("console:cancel_booking", "console:mark_no_show", "console:delete_closure"):
        cross = reverse(name, args=dept_args(world, name, world.b))
        expected = 302 if name == "console:delete_closure" else 404
        assert status(as_user(world.staff_b), method, cross) == expected
    world.booking.refresh_from_db()
    assert world.booking.status == "booked"
    assert Closure.objects.filter(pk=world.closure.pk).exists()
    if method == "get":
        allowed = [world.staff_a, world.superuser] if needs_permission else [world.plain_a]
        for user in allowed:
            assert as_user(user).get(url).status_code == 200, user


def check_lead(world, name):
    url = reverse(name)
    assert login_redirect(english_client().get(url))
    nobody = get_user_model().objects.create_user("no-profile", password="pw-for-tests-123")
    for user in (nobody, world.plain_a):
        assert as_user(user).get(url).status_code == 403, user
    # Each lead sees their own departments' figures, an administrator every department's.
    seen = {}
    for user in (world.staff_a, world.staff_b, world.superuser):
        response = as_user(user).get(url)
        assert response.status_code == 200, user
        seen[user.username] = sorted(
            {line.split(",")[1] for line in response.content.decode().splitlines()[1:]}
            if name.endswith("_csv")
            else {d.slug for d in response.context["departments"]}
        )
    assert seen == {
        world.staff_a.username: ["amt-a"],
        world.staff_b.username: ["amt-b"],
        "root": ["amt-a", "amt-b"],
    }


def check_record_reader(world, name):
    url = reverse(name)
    assert login_redirect(english_client().get(url))
    for user in (world.staff_a, world.plain_a, world.staff_b):
        assert as_user(user).get(url).status_code == 403
    assert as_user(world.superuser).get(url).status_code == 200
    world.plain_a.user_permissions.add(Permission.objects.get(codename="view_processing_record"))
    reader = get_user_model().objects.get(pk=world.plain_a.pk)  # fresh permission cache
    assert as_user(reader).get(url).status_code == 200


def check_admin_site(world, name):
    pages = [reverse("admin:index"), reverse("admin:audit_auditevent_changelist")]
    world.administrator.is_staff = True  # even with Django's staff flag
    world.administrator.save()
    for client in (
        stranger(),
        world.citizen.client,
        as_user(world.staff_a),
        as_user(world.administrator),
    ):
        for page in pages:
            assert login_redirect(client.get(page)), page
    assert as_user(world.superuser).get(pages[0]).status_code == 200


def check_api_anyone(world, name):
    slug = world.a.slug
    booking = {
        "department": slug,
        "kind": world.kind_a.pk,
        "starts_at": free_slot(world.kind_a).isoformat(),
        "display_name": "Ada",
    }
    examples = {
        "api-v1:api-root": ("get", [], None, 404),
        "api-v1:openapi-json": ("get", [], None, 200),
        "api-v1:list_departments": ("get", [], None, 200),
        "api-v1:get_department": ("get", [slug], None, 200),
        "api-v1:status": ("get", [], None, 200),
        "api-v1:list_kinds": ("get", [slug], None, 200),
        "api-v1:list_slots": ("get", [slug, world.kind_a.pk], None, 200),
        "api-v1:create_booking": ("post", [], booking, 201),
    }
    if name == "api_unknown":
        response = Client().get("/api/v1/departments/")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
        return
    method, args, body, expected = examples[name]
    response = getattr(Client(), method)(
        reverse(name, args=args), body, content_type="application/json"
    )
    assert response.status_code == expected


def check_api_booking_token(world, name):
    method = "get" if name == "api-v1:get_booking" else "post"
    body = {"starts_at": free_slot(world.kind_a, 72).isoformat()}
    for token in token_variants(world.booking):
        url = reverse(name, args=[token])
        response = getattr(Client(), method)(url, body, content_type="application/json")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    world.booking.refresh_from_db()
    assert (world.booking.status, world.booking.display_name) == ("booked", "Berta")
    assert (
        Client().get(reverse("api-v1:get_booking", args=[world.booking.token])).status_code == 200
    )


API_SCOPES = {"api-v1:day_sheet": "appointments:read", "api-v1:statistics": "statistics:read"}


def check_api_token(world, name):
    scope = API_SCOPES[name]

    def token_for(department, scopes=(scope,)) -> dict:
        _token, text = issue_token(
            "test", scopes, [department], expires_at=timezone.now() + timedelta(days=1)
        )
        return {"authorization": f"Bearer {text}"}

    url = reverse(name, args=[world.a.slug])
    refused = [
        (Client(), {}, 401),
        (as_user(world.staff_a), {}, 401),  # a console session is no API token
        (as_user(world.superuser), {}, 401),
        (Client(), token_for(world.b), 403),
        (Client(), token_for(world.a, scopes=()), 403),
        (Client(), token_for(world.a, scopes=sorted(set(API_SCOPES.values()) - {scope})), 403),
    ]
    for client, headers, expected in refused:
        assert client.get(url, headers=headers).status_code == expected
    assert Client().get(url, headers=token_for(world.a)).status_code == 200


# --- the administration --------------------------------------------------------------

ADMIN_POST = {
    "administration:department_new": {"name": "X", "slug": "new-x", "time_zone": "Europe/Berlin"},
    "administration:department_edit": {"name": "Renamed", "slug": "renamed", "time_zone": "UTC"},
    "administration:schedule": {"d0-0-opens": "01:00", "d0-0-closes": "02:00"},
    "administration:closures": {"starts_at": "2031-01-01T00:00", "ends_at": "2031-01-02T00:00"},
    "administration:closure_remove": {"confirm": "yes"},
    "administration:department_deactivate": {"confirm": "yes"},
    "administration:department_reactivate": {"confirm": "yes"},
    "administration:staff_add": {"name": "New", "email": "new@example.org"},
    "administration:staff_edit": {"is_administrator": "on"},
    "administration:staff_suspend": {"confirm": "yes"},
    "administration:staff_reactivate": {"confirm": "yes"},
    "administration:staff_remove": {"confirm": "yes"},
    "administration:staff_invite": {},
    "administration:security": {"second_factor_staff": "on"},
    "administration:retention_edit": {"bookings_days": "0", "special_categories": "on"},
}


def admin_world_state(world) -> tuple:
    from buergerbuero.departments.models import Department, OpeningHours
    from buergerbuero.staff.models import Membership

    return (
        sorted(Department.objects.values_list("slug", "name", "time_zone", "is_active")),
        sorted(OpeningHours.objects.values_list("department_id", "weekday", "opens_minute")),
        sorted(Closure.objects.values_list("pk", flat=True)),
        sorted(get_user_model().objects.values_list("username", "is_active")),
        sorted(Membership.objects.values_list("profile_id", "department_id", "role")),
        sorted(
            get_user_model()
            .objects.filter(staff_profile__is_administrator=True)
            .values_list("pk", flat=True)
        ),
        list(SecurityPolicy.objects.values_list("second_factor_staff", flat=True)),
        list(RetentionPolicy.objects.values_list("department_id", "bookings_days")),
    )


def admin_args(world, name, department=None):
    department = department or world.a
    if name == "administration:closure_remove":
        return [department.slug, world.closure.pk]
    if name.startswith("administration:staff_") and name not in (
        "administration:staff_list",
        "administration:staff_add",
    ):
        return [world.plain_a.pk]
    if name in (
        "administration:home",
        "administration:department_new",
        "administration:security",
        "administration:retention",
    ) or name.startswith("administration:staff_"):
        return []
    return [department.slug]


def check_admin_page(world, name, refused, allowed):
    """GET and POST by each refused person: 403 (404 for a member outside their
    departments) and nothing changed; GET by each allowed person: 200."""
    url = reverse(name, args=admin_args(world, name))
    get_only_post = name == "administration:staff_invite"
    before = admin_world_state(world)
    assert login_redirect(english_client().get(url))
    assert login_redirect(english_client().post(url, ADMIN_POST.get(name, {})))
    for user, expected in refused:
        client = as_user(user)
        if not get_only_post:
            assert client.get(url).status_code == expected, (user, "GET")
        assert client.post(url, ADMIN_POST.get(name, {})).status_code == expected, (user, "POST")
    assert admin_world_state(world) == before
    for user in allowed:
        if get_only_post:
            assert as_user(user).post(url).status_code == 302, user
        else:
            assert as_user(user).get(url).status_code == 200, user


def nobody_user():
    return get_user_model().objects.create_user("no-profile", password="pw-for-tests-123")


def check_administrator_only(world, name):
    check_admin_page(
        world,
        name,
        [(world.plain_a, 403), (world.staff_a, 403), (world.staff_b, 403), (nobody_user(), 403)],
        [world.administrator, world.superuser],
    )


def check_manager(world, name):
    check_admin_page(
        world,
        name,
        [(world.plain_a, 403), (nobody_user(), 403)],
        [world.staff_a, world.staff_b, world.administrator, world.superuser],
    )


def check_dept_lead_page(world, name):
    check_admin_page(
        world,
        name,
        [(world.plain_a, 403), (world.staff_b, 403), (nobody_user(), 403)],
        [world.staff_a, world.administrator, world.superuser],
    )
    if name == "administration:closure_remove":
        # B's lead on B's own slug with A's closure: not found, nothing removed.
        cross = reverse(name, args=admin_args(world, name, world.b))
        assert as_user(world.staff_b).post(cross, {"confirm": "yes"}).status_code == 404
        assert Closure.objects.filter(pk=world.closure.pk).exists()


def check_member_manager(world, name):
    # The member is plain_a (staff of A): B's lead does not find them.
    check_admin_page(
        world,
        name,
        [(world.plain_a, 403), (world.staff_b, 404), (nobody_user(), 403)],
        [world.staff_a, world.administrator, world.superuser],
    )


def _allowed_suspend(world):
    url = reverse("administration:staff_suspend", args=[world.plain_a.pk])
    return world.staff_a, url, {"confirm": "yes"}


def _suspended(world):
    world.plain_a.refresh_from_db()
    return (
        world.plain_a.is_active is False
        and AuditEvent.objects.filter(
            action="suspend_member", actor=world.staff_a, object_id=str(world.plain_a.pk)
        ).exists()
    )


def _allowed_closure(world):
    url = reverse("administration:closures", args=[world.a.slug])
    data = {"starts_at": "2031-01-01T00:00", "ends_at": "2031-01-02T00:00"}
    return world.staff_a, url, data


def _closure_added(world):
    return Closure.objects.filter(department=world.a).count() == 2  # the world's and this one


def _allowed_deactivate(world):
    url = reverse("administration:department_deactivate", args=[world.b.slug])
    return world.administrator, url, {"confirm": "yes"}


def _deactivated(world):
    world.b.refresh_from_db()
    return world.b.is_active is False


def _allowed_retention(world):
    url = reverse("administration:retention_edit", args=[world.a.slug])
    return world.administrator, url, {"bookings_days": "3"}


def _retention_set(world):
    return list(RetentionPolicy.objects.values_list("department_id", "bookings_days")) == [
        (world.a.pk, 3)
    ]


ALLOWED_POSTS = {
    "a lead suspends a member of their own department": (_allowed_suspend, _suspended),
    "a lead adds a closure to their department": (_allowed_closure, _closure_added),
    "the administrator deactivates a department": (_allowed_deactivate, _deactivated),
    "the administrator sets a department's retention": (_allowed_retention, _retention_set),
}


@pytest.mark.parametrize("case", sorted(ALLOWED_POSTS))
def test_allowed_post_changes_what_it_should(world, case):
    """The other side of the refusals: the allowed person's POST does change it."""
    request, changed = ALLOWED_POSTS[case]
    user, url, data = request(world)
    assert not changed(world)
    response = as_user(user).post(url, data)
    assert response.status_code == 302, response.content[:500]
    assert changed(world)


def check_password_link(world, name):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = world.plain_a
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    other_uid = urlsafe_base64_encode(force_bytes(world.staff_a.pk))
    for args in ([uid, token[:-1] + "x"], [other_uid, token], ["xx", token], [uid, "1-2"]):
        url = reverse(name, args=args)
        assert stranger().get(url).status_code == 410
        data = {"new_password1": "ein-neues-passwort-9", "new_password2": "ein-neues-passwort-9"}
        assert stranger().post(url, data).status_code == 410
    user.refresh_from_db()
    assert user.check_password("pw-for-tests-123")
    assert stranger().get(reverse(name, args=[uid, token])).status_code == 200


def check_administrator(world, name):
    mapping = GroupMapping.objects.create(source="ldap", group="cn=x", department=world.a)
    args = [mapping.pk] if name == "console:remove_group_mapping" else []
    url = reverse(name, args=args)
    for method in ("get", "post"):
        assert login_redirect(getattr(english_client(), method)(url))
        for user in (world.staff_a, world.plain_a, world.staff_b):
            assert status(as_user(user), method, url) == 403, user
    assert GroupMapping.objects.filter(pk=mapping.pk).exists()
    assert as_user(world.superuser).get(url).status_code == 200
    administrator = get_user_model().objects.create_user("it", password="pw-for-tests-123")
    StaffProfile.objects.create(user=administrator, is_administrator=True)
    assert as_user(administrator).get(url).status_code == 200


def check_directory_sign_in(world, name):
    # Without OIDC_RP_CLIENT_ID there is no provider to go to: not found, for everyone
    # (tests/e2e/test_directory_sign_in.py runs the flow against a real provider).
    url = reverse(name)
    for client in (stranger(), as_user(world.staff_a), as_user(world.superuser)):
        assert client.get(url).status_code == 404


def check_pending_sign_in(world, name):
    # Nobody signed in at the provider in these sessions: back to the login page.
    url = reverse(name)
    for client in (stranger(), as_user(world.staff_a)):
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"code": "123456"})
            assert (response.status_code, response["Location"]) == (302, reverse("console:login"))


def _callback_request(world):
    """A callback request to A, made by a citizen's browser; (that client, its id)."""
    from buergerbuero.waiting.callbacks import callback_windows
    from buergerbuero.waiting.models import CallbackRequest

    world.a.accepts_callbacks = True
    world.a.save()
    citizen = stranger()
    window = callback_windows(world.a)[0]
    response = citizen.post(
        reverse("public:callback", args=[world.a.slug]),
        {"phone": "030 1234567", "window": window.key},
    )
    assert response.status_code == 302
    return citizen, CallbackRequest.objects.get().pk


def check_callback_offered(world, name):
    url = reverse(name, args=[world.a.slug])
    assert stranger().get(url).status_code == 404
    assert stranger().post(url, {"phone": "030 1234567"}).status_code == 404
    world.a.accepts_callbacks = True
    world.a.save()
    assert stranger().get(url).status_code == 200


def check_callback_holder(world, name):
    citizen, callback_id = _callback_request(world)
    url = reverse(name, args=[world.a.slug, callback_id])
    assert citizen.get(url).status_code == 200
    for other in (stranger(), world.citizen.client, as_user(world.plain_a)):
        assert other.get(url).status_code == 404
    assert citizen.get(reverse(name, args=[world.a.slug, "x" * 22])).status_code == 404


def check_callback_withdraw(world, name):
    from buergerbuero.waiting.models import CallbackRequest

    citizen, callback_id = _callback_request(world)
    url = reverse(name, args=[world.a.slug, callback_id])
    for other in (stranger(), world.citizen.client, as_user(world.plain_a)):
        assert other.post(url).status_code == 404
    assert citizen.get(url).status_code == 405
    assert CallbackRequest.objects.filter(pk=callback_id).exists()
    assert citizen.post(url).status_code == 302
    assert not CallbackRequest.objects.filter(pk=callback_id).exists()


def check_callback_staff(world, name):
    from buergerbuero.waiting.models import CallbackRequest

    _citizen, callback_id = _callback_request(world)
    url = reverse(name, args=[callback_id])
    assert login_redirect(english_client().post(url))
    for user in (world.staff_b, world.superuser):
        assert as_user(user).post(url).status_code == 403, user
    assert as_user(world.plain_a).get(url).status_code == 405
    assert CallbackRequest.objects.filter(pk=callback_id).exists()
    assert as_user(world.plain_a).post(url).status_code == 302
    assert not CallbackRequest.objects.filter(pk=callback_id).exists()


CHECKS = {
    CALLBACK_OFFERED: check_callback_offered,
    CALLBACK_HOLDER: check_callback_holder,
    CALLBACK_WITHDRAW: check_callback_withdraw,
    CALLBACK_STAFF: check_callback_staff,
    API_ANYONE: check_api_anyone,
    API_BOOKING_TOKEN: check_api_booking_token,
    API_TOKEN: check_api_token,
    ANYONE: check_anyone,
    ENTRY: check_entry,
    PARTICIPANT: check_participant,
    FORMER_PARTICIPANT: check_former_participant,
    INVITATION: check_invitation,
    BOOKING_LINK: check_booking_link,
    LOGGED_IN: check_logged_in,
    STAFF: check_staff,
    DEPT_STAFF: check_dept_staff,
    DEPT_STAFF_PERMISSION: lambda world, name: check_dept_staff(world, name, True),
    RECORD_READER: check_record_reader,
    LEAD: check_lead,
    ADMIN_SITE: check_admin_site,
    ADMINISTRATOR: check_administrator_only,
    MANAGER: check_manager,
    DEPT_LEAD_PAGE: check_dept_lead_page,
    MEMBER_MANAGER: check_member_manager,
    PASSWORD_LINK: check_password_link,
    DIRECTORY_ADMINISTRATOR: check_administrator,
    DIRECTORY_SIGN_IN: check_directory_sign_in,
    PENDING_SIGN_IN: check_pending_sign_in,
}


@pytest.mark.parametrize(("name", "who"), sorted(URLS.items()))
def test_url_is_closed_to_everyone_but(world, name, who):
    CHECKS[who](world, name)


def test_call_pages_after_the_call_ended(world):
    staff = participant(world.room.pk, Role.STAFF)
    call_actions.end_room(world.room.pk, staff)
    url = reverse("public:call", args=[world.room.pk])
    ended = reverse("public:call_ended", args=[world.room.pk])
    response = world.citizen.client.get(url)
    assert (response.status_code, response["Location"]) == (302, ended)
    assert stranger().get(url).status_code == 403
    assert stranger().get(ended).status_code == 404


# --- sockets -------------------------------------------------------------------------

ENTRY_HOLDER = "the session holding the entry"
CONSOLE_STAFF = "any staff member"
STAFF_OF_ENTRY = "staff of the entry's (or message's) department"
ROOM_PARTICIPANT = "any current participant"
PEER_OF_TARGET = "a participant, to another current participant of the same room"
ROOM_STAFF = "the staff participant"

MESSAGES = {
    # The waiting room's socket opens only for the session holding the entry
    # (test_waiting_room_messages_only_from_the_entry_holder), so every message is theirs.
    "waiting": {
        "ping": ENTRY_HOLDER,
        "leave": ENTRY_HOLDER,
        "hidden": ENTRY_HOLDER,
        "visible": ENTRY_HOLDER,
        "rejoin": ENTRY_HOLDER,
        "reply": ENTRY_HOLDER,
    },
    "console": {
        "ping": CONSOLE_STAFF,
        "presence": CONSOLE_STAFF,
        "admit": STAFF_OF_ENTRY,
        "decline": STAFF_OF_ENTRY,
        "message": STAFF_OF_ENTRY,
        "transfer": STAFF_OF_ENTRY,
    },
    "room": {
        "ping": ROOM_PARTICIPANT,
        "chat": ROOM_PARTICIPANT,
        "media-state": ROOM_PARTICIPANT,
        "leave": ROOM_PARTICIPANT,
        "signal": PEER_OF_TARGET,
        "invite": ROOM_STAFF,
        "end": ROOM_STAFF,
        "back-to-queue": ROOM_STAFF,
    },
}


def message_types(union) -> set[str]:
    models = typing.get_args(typing.get_args(union)[0])
    return {
        tag for model in models for tag in typing.get_args(model.model_fields["type"].annotation)
    }


def test_every_message_type_has_an_entry():
    assert {kind: set(types) for kind, types in MESSAGES.items()} == {
        "waiting": message_types(schemas.WaitingIn),
        "console": message_types(schemas.ConsoleIn),
        "room": message_types(schemas.RoomIn),
    }


@pytest.fixture
def socket_world(sockets, make_department, make_staff):
    def build():
        a, b = make_department(), make_department()
        staff_a, staff_b = make_staff(a), make_staff(b)
        citizen = knock_as(a, name="Clara")
        waiting = knock_as(a, name="Wanda")
        room_id, staff_pid, citizen_pid = admit(citizen.entry_id, staff_a)
        other = knock_as(a, name="Otto")
        other_room, _other_staff_pid, other_citizen_pid = admit(other.entry_id, staff_a)
        return {
            "a": a,
            "b": b,
            "staff_a": staff_a,
            "staff_b": staff_b,
            "citizen": citizen,
            "waiting": waiting,
            "room": room_id,
            "staff_pid": staff_pid,
            "citizen_pid": citizen_pid,
            "other": other,
            "other_room": other_room,
            "other_citizen_pid": other_citizen_pid,
        }

    return run(build)


async def connect_room(sockets, room_id, cookie):
    socket = await sockets.connect(f"/ws/raum/{room_id}/", cookie)
    assert (await receive(socket))["type"] == "welcome"
    return socket


def cookie_of(client) -> str | None:
    """The browser's session, if its visits made one (a refused invitation may not)."""
    cookie = client.cookies.get("sessionid")
    return cookie.value if cookie else None


def error(code, message, request):
    return {"type": "error", "code": code, "message": message, "request": request}


@pytest.mark.django_db(transaction=True)
async def test_citizen_and_guest_may_not_end_or_invite(sockets, socket_world):
    w = await socket_world()
    citizen = await connect_room(sockets, w["room"], w["citizen"].cookie)
    for request in ("end", "invite", "back-to-queue"):
        await send(citizen, {"type": request})
        reply = await receive(citizen)
        assert (reply["type"], reply["code"], reply["request"]) == ("error", "forbidden", request)

    staff_participant = await run(participant)(w["room"], Role.STAFF)
    invite = await run(call_actions.issue_invitation)(w["room"], staff_participant)
    guest = english_client()
    response = await run(guest.post)(
        reverse("public:invitation", args=[invite.token]), {"display_name": "Gast"}
    )
    assert response.status_code == 302
    guest_socket = await connect_room(sockets, w["room"], guest.cookies["sessionid"].value)
    assert (await receive(citizen))["type"] == "peer-joined"
    for request in ("end", "invite", "back-to-queue"):
        await send(guest_socket, {"type": request})
        reply = await receive(guest_socket)
        assert (reply["type"], reply["code"], reply["request"]) == ("error", "forbidden", request)
    room = await run(Room.objects.get)(pk=w["room"])
    assert room.is_active
    assert await run(Invitation.objects.filter(room_id=w["room"]).count)() == 1


@pytest.mark.django_db(transaction=True)
async def test_staff_of_another_department_cannot_act_on_its_entries(sockets, socket_world):
    w = await socket_world()
    _client, staff_b = await run(logged_in)(w["staff_b"])
    console = await sockets.connect("/ws/konsole/", staff_b.cookie)
    assert (await receive(console))["type"] == "queues"
    entry = w["waiting"].entry_id
    unknown = "No such waiting citizen in your departments."
    for message, request in [
        ({"type": "admit", "entry": entry}, "admit"),
        ({"type": "decline", "entry": entry, "message": "Nein"}, "decline"),
        # Passing A's citizen on to B itself: B is open, B's member may not.
        ({"type": "transfer", "entry": entry, "department": w["b"].pk}, "transfer"),
    ]:
        await send(console, message)
        assert await receive_until(console, "error") == error("not_waiting", unknown, request)
    await send(console, {"type": "message", "department": w["a"].pk, "text": "Hallo"})
    assert await receive_until(console, "error") == error(
        "not_waiting", "No such department among yours.", "message"
    )
    await send(console, {"type": "message", "department": w["a"].pk, "entry": entry, "text": "Hi"})
    assert (await receive_until(console, "error"))["code"] == "not_waiting"
    moved = await run(
        lambda: QueueEntry.objects.values_list("state", "department_id").get(pk=entry)
    )()
    assert moved == (EntryState.WAITING, w["a"].pk)
    # And the citizen heard nothing from B.
    waiting = await sockets.connect(f"/ws/warteraum/{entry}/", w["waiting"].cookie)
    assert (await receive(waiting))["type"] == "position"
    assert await nothing_more(waiting)
    # Nor does B read what A's citizen answers A.
    await send(waiting, {"type": "reply", "text": "Aktenzeichen 4711"})
    assert await receive(waiting) == {"type": "reply-sent"}
    assert await nothing_more(console)


@pytest.mark.django_db(transaction=True)
async def test_signal_to_a_participant_of_another_room_is_unknown(sockets, socket_world):
    w = await socket_world()
    _client, _staff = await run(logged_in)(w["staff_a"])
    here = await connect_room(sockets, w["room"], w["citizen"].cookie)
    there = await connect_room(sockets, w["other_room"], w["other"].cookie)
    for payload in (
        {"description": {"type": "offer", "sdp": "v=0"}},
        {"candidate": {"candidate": "candidate:1 1 udp 1 10.0.0.1 9 typ host"}},
    ):
        await send(here, {"type": "signal", "to": w["other_citizen_pid"], **payload})
        reply = await receive(here)
        assert (reply["type"], reply["code"]) == ("error", "unknown_peer")
    assert await nothing_more(there)


@pytest.mark.django_db(transaction=True)
async def test_waiting_room_messages_only_from_the_entry_holder(sockets, socket_world):
    w = await socket_world()
    for cookie in (w["citizen"].cookie, w["other"].cookie):
        socket, connected = await sockets.attempt(f"/ws/warteraum/{w['waiting'].entry_id}/", cookie)
        assert connected is True
        assert (await receive(socket))["code"] == "forbidden"
        assert await receive_close(socket) == 4403


@pytest.mark.django_db(transaction=True)
async def test_used_or_expired_invitation_cannot_join(sockets, socket_world):
    w = await socket_world()
    staff_participant = await run(participant)(w["room"], Role.STAFF)
    used = await run(call_actions.issue_invitation)(w["room"], staff_participant)
    first = english_client()
    url = reverse("public:invitation", args=[used.token])
    assert (await run(first.post)(url, {"display_name": "Gast"})).status_code == 302
    second = english_client()
    assert (await run(second.post)(url, {"display_name": "Zweit"})).status_code == 410

    expired = await run(call_actions.issue_invitation)(w["room"], staff_participant)
    await run(Invitation.objects.filter(pk=expired.pk).update)(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    late = english_client()
    expired_url = reverse("public:invitation", args=[expired.token])
    assert (await run(late.post)(expired_url, {"display_name": "Spät"})).status_code == 410

    for client in (second, late):
        socket, connected = await sockets.attempt(f"/ws/raum/{w['room']}/", cookie_of(client))
        assert connected is True
        assert (await receive(socket))["code"] == "forbidden"
        assert await receive_close(socket) == 4403


@pytest.mark.django_db(transaction=True)
async def test_ended_room_accepts_no_one(sockets, socket_world):
    w = await socket_world()
    _client, staff = await run(logged_in)(w["staff_a"])
    staff_participant = await run(participant)(w["room"], Role.STAFF)
    unused = await run(call_actions.issue_invitation)(w["room"], staff_participant)
    await run(call_actions.end_room)(w["room"], staff_participant)
    for cookie in (w["citizen"].cookie, staff.cookie):
        socket, connected = await sockets.attempt(f"/ws/raum/{w['room']}/", cookie)
        assert connected is True
        assert await receive(socket) == {"type": "ended", "by": None}
        assert await receive_close(socket) == 4410
    # The unused invitation died with the call.
    guest = english_client()
    url = reverse("public:invitation", args=[unused.token])
    assert (await run(guest.post)(url, {"display_name": "Gast"})).status_code == 410
    socket, _connected = await sockets.attempt(f"/ws/raum/{w['room']}/", cookie_of(guest))
    assert (await receive(socket))["code"] == "forbidden"
    assert await receive_close(socket) == 4403
