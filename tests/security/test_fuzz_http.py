"""Property-based fuzzing of the citizens' forms and of every URL segment a stranger can
type: never a server error, never a stored row for input the form refuses, and names
with markup come back as text."""

import json
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from buergerbuero.bookings.forms import BookingForm, CodeForm
from buergerbuero.bookings.models import Booking
from buergerbuero.calls.models import Participant
from buergerbuero.live import outgoing
from buergerbuero.public.forms import GuestForm, KnockForm
from buergerbuero.staff.models import StaffProfile
from buergerbuero.waiting import actions as queue_actions
from buergerbuero.waiting.desk import desk_of
from buergerbuero.waiting.models import QueueEntry

from ..factories import make_kind
from .fuzz_support import english_client, free_slot, knock_as, live_env, logged_in

__all__ = ["live_env"]  # the fixture, used by name
pytestmark = pytest.mark.usefixtures("live_env")

FUZZ = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

MARKUP = st.sampled_from(
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "</textarea><b>fett</b>",
        "&amp; &lt;",
        "' onmouseover='x",
        "{{ request }}",
        "{% debug %}",
        "\u202eevil",
        "\x00",
        "\r\n",
    ]
)
FIELD = st.one_of(
    st.text(max_size=120),
    MARKUP,
    st.text(alphabet="Aä𝕏 <>&\"'\x00\u200b", min_size=100, max_size=400),
    st.sampled_from(["", " ", "\u200b", "a" * 10_000]),
)
SEGMENT = st.one_of(
    st.text(min_size=1, max_size=80),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=90),
    st.sampled_from(["..", ".", "%00", "%2F", "a/b", "\x00", "😀", "null", "-1", "0", "9" * 40]),
)
ISO = st.one_of(
    st.datetimes(
        min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.timezones()
    ).map(lambda d: d.isoformat()),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)).map(
        lambda d: d.isoformat()
    ),
    st.sampled_from(
        [
            "0001-01-01T00:00:00+14:00",
            "0001-01-01T00:00:00+00:00",
            "9999-12-31T23:59:59-14:00",
            "9999-12-31T23:59:59+00:00",
            "2025-02-30T10:00:00+01:00",
            "2025-06-01T10:00:00+24:00",
            "2025-06-01T10:00:00Z",
            "2025-06-01",
            "2025-06-01T10:00:00.123456789+01:00",
            "",
        ]
    ),
    st.text(max_size=40),
)


def path_segment(text: str) -> str:
    return quote(text, safe="")


def ok(response) -> None:
    assert response.status_code < 500, response.status_code


def counts():
    return (
        QueueEntry.objects.count(),
        Booking.objects.count(),
        Participant.objects.count(),
    )


@pytest.fixture
def office_with_kind(make_department, make_staff):
    # Open around the clock, and a clerk available: knocks are taken.
    department = make_department()
    make_staff(department)
    return department, make_kind(department)


# --- forms ------------------------------------------------------------------------


@FUZZ
@given(name=FIELD, topic=FIELD)
def test_knock_form_fuzzed_stores_only_what_the_form_accepts(db, office_with_kind, name, topic):
    department, _kind = office_with_kind
    before = QueueEntry.objects.count()
    response = english_client().post(
        reverse("public:knock", args=[department.slug]), {"display_name": name, "topic": topic}
    )
    ok(response)
    valid = KnockForm({"display_name": name, "topic": topic}).is_valid()
    assert QueueEntry.objects.count() == before + (1 if valid else 0)
    assert response.status_code == (302 if valid else 200)


@FUZZ
@given(name=FIELD, email=FIELD, phone=FIELD, topic=FIELD)
def test_booking_form_fuzzed_stores_only_what_the_form_accepts(
    db, office_with_kind, name, email, phone, topic
):
    department, kind = office_with_kind
    start = free_slot(kind, after_hours=24)
    before = Booking.objects.count()
    data = {"display_name": name, "email": email, "phone": phone, "topic": topic}
    response = english_client().post(
        reverse("bookings:book", args=[department.slug, kind.pk, start.isoformat()]), data
    )
    ok(response)
    valid = BookingForm(data).is_valid()
    assert Booking.objects.count() == before + (1 if valid else 0)
    if valid:
        # Seat taken by this example; free it for the next one.
        Booking.objects.all().delete()


@FUZZ
@given(start=ISO, kind_id=st.integers(min_value=0, max_value=2**63 - 1), post=st.booleans())
def test_booking_page_fuzzed_start_and_kind_never_fail(db, office_with_kind, start, kind_id, post):
    department, kind = office_with_kind
    kind_id = kind.pk if kind_id % 2 else kind_id
    url = reverse("bookings:book", args=[department.slug, kind_id, "x"])[: -len("x/")]
    client = english_client()
    data = {"display_name": "Ada"}
    response = (
        client.post(url + path_segment(start) + "/", data)
        if post
        else client.get(url + path_segment(start) + "/")
    )
    ok(response)
    if response.status_code == 302:
        # Booked: only a free slot of the offer is bookable, and it is aware.
        booking = Booking.objects.get()
        assert datetime.fromisoformat(start) == booking.starts_at
        booking.delete()
    else:
        assert Booking.objects.count() == 0


@FUZZ
@given(code=FIELD)
def test_code_entry_fuzzed_admits_nobody_with_an_unknown_code(db, office_with_kind, code):
    department, _kind = office_with_kind
    before = counts()
    response = english_client().post(
        reverse("bookings:check_in_by_code", args=[department.slug]), {"code": code}
    )
    ok(response)
    assert response.status_code == 302
    assert counts() == before
    CodeForm({"code": code}).is_valid()  # whatever it says, nothing was let in


@FUZZ
@given(name=FIELD)
def test_invitation_form_fuzzed_adds_a_guest_only_for_a_valid_name(
    db, office_with_kind, make_staff, name
):
    department, _kind = office_with_kind
    clerk = make_staff(department)
    citizen = knock_as(department)
    room = queue_actions.admit(citizen.entry_id, clerk)
    staff = room.participants.get(role="staff")
    from buergerbuero.calls.actions import issue_invitation

    invitation = issue_invitation(room.pk, staff)
    before = Participant.objects.count()
    response = english_client().post(
        reverse("public:invitation", args=[invitation.token]), {"display_name": name}
    )
    ok(response)
    valid = GuestForm({"display_name": name}).is_valid()
    assert Participant.objects.count() == before + (1 if valid else 0)
    invitation.refresh_from_db()
    assert (invitation.used_at is not None) is valid


@FUZZ
@given(confirm=st.one_of(FIELD, st.sampled_from(["yes", "Yes", "yes ", "ja", "1", "true"])))
def test_erase_form_fuzzed_erases_only_when_confirmed(db, office_with_kind, confirm):
    _department, kind = office_with_kind
    from buergerbuero.bookings import actions as booking_actions

    booking = booking_actions.book(kind, free_slot(kind, after_hours=24), "Erika Muster")
    response = english_client().post(
        reverse("privacy:erase", args=[booking.token]), {"confirm": confirm}
    )
    ok(response)
    assert response.status_code == 302
    still_there = Booking.objects.filter(pk=booking.pk, display_name="Erika Muster").exists()
    assert still_there is (confirm != "yes")
    Booking.objects.all().delete()


# --- URL segments ------------------------------------------------------------------------

SEGMENT_URLS = [
    ("public:department", "slug"),
    ("public:knock", "slug"),
    ("public:waiting", "entry_id"),
    ("public:call", "room_id"),
    ("public:call_ended", "room_id"),
    ("public:invitation", "token"),
    ("bookings:choose", "slug"),
    ("bookings:check_in_by_code", "slug"),
    ("bookings:manage", "token"),
    ("bookings:ics", "token"),
    ("bookings:qr", "token"),
    ("bookings:cancel", "token"),
    ("bookings:move", "token"),
    ("bookings:check_in", "token"),
    ("privacy:my_data", "token"),
    ("privacy:erase", "token"),
]


@FUZZ
@given(
    name_and_kwarg=st.sampled_from(SEGMENT_URLS),
    segment=SEGMENT,
    method=st.sampled_from(["get", "post"]),
    start=ISO,
)
def test_url_segments_fuzzed_never_fail(
    db, office_with_kind, name_and_kwarg, segment, method, start
):
    _department, _kind = office_with_kind
    name, _kwarg = name_and_kwarg
    placeholder = "PLACEHOLDER"
    url = reverse(name, args=[placeholder]).replace(placeholder, path_segment(segment))
    client = english_client()
    before = counts()
    response = getattr(client, method)(
        url, {"start": start, "display_name": "Ada", "code": segment}
    )
    ok(response)
    if name not in ("public:knock", "bookings:check_in_by_code"):
        # Nothing but a knock or a (failed) code check could add a row, and no token is real.
        assert counts() == before


@FUZZ
@given(segment=SEGMENT, action=SEGMENT, day=st.one_of(ISO, st.text(max_size=20)))
def test_staff_url_segments_fuzzed_never_fail(
    db, office_with_kind, make_staff, segment, action, day
):
    department, _kind = office_with_kind
    client, _staff = logged_in(make_staff(department))
    day_url = reverse("console:day", args=[department.slug])
    ok(client.get(day_url, {"tag": day}))
    url = (
        reverse("console:cancel_booking", args=[department.slug, "B"])
        .replace("/B/", f"/{path_segment(segment)}/")
        .replace("/absagen/", f"/{path_segment(action)}/")
    )
    ok(client.post(url))
    no_show = reverse("console:mark_no_show", args=[department.slug, "B"])
    ok(client.post(no_show.replace("/B/", f"/{path_segment(segment)}/")))
    ok(
        client.post(
            reverse("console:book_for_caller", args=[department.slug]) + f"?tag={quote(day)}",
            {"slot": segment},
        )
    )


@FUZZ
@given(segment=SEGMENT, period=st.text(max_size=20))
def test_statistics_url_and_period_fuzzed_never_fail(
    db, office_with_kind, make_staff, segment, period
):
    department, _kind = office_with_kind
    client, _lead = logged_in(make_staff(department, role="lead"))
    for name in ("console:department_statistics", "console:department_statistics_csv"):
        url = reverse(name, args=["PLACEHOLDER"]).replace("PLACEHOLDER", path_segment(segment))
        ok(client.get(url, {"zeitraum": period}))
        assert (
            client.get(reverse(name, args=[department.slug]), {"zeitraum": period}).status_code
            == 200
        )
    ok(client.get(reverse("console:statistics"), {"zeitraum": period}))


# --- names with markup are text ---------------------------------------------------


# A raw "&" would be a prefix of its own escape ("&amp;"); these four are not.
MARKUP_CHARS = "<>\"'"


@settings(FUZZ, max_examples=15)
@given(core=MARKUP, extra=st.text(alphabet="a <>&\"'", max_size=20))
def test_names_with_markup_are_shown_as_text(db, office_with_kind, make_staff, core, extra):
    department, kind = office_with_kind
    name = f"Ada {core}{extra}"
    assume(KnockForm({"display_name": name}).is_valid())
    citizen = knock_as(department, name=name)
    stored = QueueEntry.objects.get(pk=citizen.entry_id).display_name

    page = citizen.client.get(reverse("public:waiting", args=[citizen.entry_id]))
    assert page.status_code == 200
    assert escape(stored) in page.content.decode()
    if any(c in stored for c in MARKUP_CHARS):
        assert stored not in page.content.decode()

    # The console receives the name as a JSON string value, which console.js puts into
    # the page as text (no innerHTML anywhere in our scripts: see the test below).
    clerk = make_staff(department)
    desk = desk_of(StaffProfile.objects.get(user=clerk).pk)
    snapshot = outgoing.Queues(departments=desk.departments, waiting=desk.waiting)
    frame = json.loads(json.dumps(snapshot.dump()))
    names = [w["name"] for w in frame["waiting"]]
    assert stored in names

    booking_name = name
    response = english_client().post(
        reverse("bookings:book", args=[department.slug, kind.pk, free_slot(kind, 24).isoformat()]),
        {"display_name": booking_name},
    )
    assert response.status_code == 302, response.status_code
    booking = Booking.objects.get()
    manage = english_client().get(response["Location"]).content.decode()
    assert escape(booking.display_name) in manage
    if any(c in booking.display_name for c in MARKUP_CHARS):
        assert booking.display_name not in manage
    staff_client, _ = logged_in(clerk)
    day = staff_client.get(
        reverse("console:day", args=[department.slug]),
        {"tag": booking.starts_at.astimezone(department.zone).date().isoformat()},
    ).content.decode()
    assert escape(booking.display_name) in day
    if any(c in booking.display_name for c in MARKUP_CHARS):
        assert booking.display_name not in day
    Booking.objects.all().delete()
    QueueEntry.objects.all().delete()


def test_scripts_never_write_markup():
    # What arrives over the sockets (names, topics, messages, chat) is set as text.
    static = Path(__file__).parents[2] / "src/buergerbuero/static/bb"
    sinks = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(")
    found = [
        (path.name, sink)
        for path in sorted(static.glob("*.js"))
        for sink in sinks
        if sink in path.read_text()
    ]
    assert found == []


def test_booking_start_in_the_past_is_refused_and_off_the_calendar_not_found(db, office_with_kind):
    # Fixed points of the start fuzzing above. Years 1 and 9999 near midnight used to
    # overflow while rendering the page in the department's zone (a 500).
    department, kind = office_with_kind
    for start, status in [
        ((timezone.now() - timedelta(days=1)).isoformat(), 409),
        ("9999-12-31T23:00:00+00:00", 404),
        ("9999-12-31T23:59:59-14:00", 404),
        ("0001-01-01T00:00:00+14:00", 404),
    ]:
        for method in ("get", "post"):
            response = getattr(english_client(), method)(
                reverse("bookings:book", args=[department.slug, kind.pk, start]),
                {"display_name": "Ada"},
            )
            assert response.status_code == (200 if method == "get" and status == 409 else status)
    assert Booking.objects.count() == 0


@pytest.mark.parametrize("name", [name for name, kwarg in SEGMENT_URLS if kwarg != "slug"])
def test_nul_and_other_bytes_in_an_id_are_not_found(db, office_with_kind, make_staff, name):
    # A NUL in a token reached the database and PostgreSQL answered with an error (a 500).
    department, _kind = office_with_kind
    for segment in ("%00", "a%00b", "%C3%A4", "a.b", "%F0%9F%98%80"):
        url = reverse(name, args=["PLACEHOLDER"]).replace("PLACEHOLDER", segment)
        for method in ("get", "post"):
            assert getattr(english_client(), method)(url).status_code == 404, (url, method)
    client, _staff = logged_in(make_staff(department))
    for name in ("console:cancel_booking", "console:mark_no_show"):
        url = reverse(name, args=[department.slug, "B"])
        assert client.post(url.replace("/B/", "/%00/")).status_code == 404
