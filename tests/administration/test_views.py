"""The administration pages: bad input gets a clear message and changes nothing; good
input changes exactly what it says, audited."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buergerbuero.audit.models import AuditEvent
from buergerbuero.departments.models import Closure, Department, OpeningHours
from buergerbuero.office.status import OfficeStatus, department_state
from buergerbuero.staff.models import ConsoleConnection, Membership, StaffProfile


def client_of(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def administrator(db, make_staff):
    return make_staff(administrator=True)


def hours_of(department) -> list[tuple[int, int, int]]:
    return list(
        OpeningHours.objects.filter(department=department).values_list(
            "weekday", "opens_minute", "closes_minute"
        )
    )


def schedule_post(client, department, rows: dict) -> object:
    return client.post(reverse("administration:schedule", args=[department.slug]), rows)


def test_schedule_saves_several_ranges_a_day(administrator, make_department):
    department = make_department(hours=[])
    response = schedule_post(
        client_of(administrator),
        department,
        {
            "d0-0-opens": "08:00",
            "d0-0-closes": "12:00",
            "d3-0-opens": "14:00",
            "d3-0-closes": "18:00",
            "d3-1-opens": "8:00",
            "d3-1-closes": "12:00",
            "d4-0-opens": "",
            "d4-0-closes": "",
        },
    )
    assert response.status_code == 302
    assert hours_of(department) == [(0, 480, 720), (3, 480, 720), (3, 840, 1080)]
    assert AuditEvent.objects.filter(action="set_schedule").count() == 1


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            {
                "d1-0-opens": "08:00",
                "d1-0-closes": "12:00",
                "d1-1-opens": "11:00",
                "d1-1-closes": "14:00",
            },
            "Tuesday: 08:00–12:00 and 11:00–14:00 overlap.",
        ),
        (
            {"d0-0-opens": "08:00", "d0-0-closes": "25:00"},
            "Monday, range 1: “25:00” is not a time. Please write HH:MM between 00:00 and 24:00, e.g. 08:30.",
        ),
        (
            {"d2-0-opens": "12:00", "d2-0-closes": "08:00"},
            "Wednesday, range 1: the end (08:00) must be after the start (12:00).",
        ),
        (
            {"d4-0-opens": "08:00", "d4-0-closes": ""},
            "Friday, range 1: please fill in both the start and the end.",
        ),
        (
            {"d5-0-opens": "8h", "d5-0-closes": "12:00"},
            "Saturday, range 1: “8h” is not a time. Please write HH:MM between 00:00 and 24:00, e.g. 08:30.",
        ),
    ],
)
def test_schedule_mistakes_are_named_and_change_nothing(
    administrator, make_department, rows, message
):
    department = make_department()
    before = hours_of(department)
    response = schedule_post(client_of(administrator), department, rows)
    assert response.status_code == 200
    assert [p["text"] for p in response.context["problems"]] == [message]
    assert message in response.content.decode()
    assert 'id="error-summary"' in response.content.decode()
    assert hours_of(department) == before
    assert not AuditEvent.objects.filter(action="set_schedule").exists()


def department_data(**changes) -> dict:
    return {
        "name": "Kfz-Zulassung",
        "slug": "kfz",
        "summary": "",
        "description": "",
        "contact_phone": "",
        "contact_email": "",
        "contact_address": "",
        "time_zone": "Europe/Berlin",
        "holiday_subdivision": "NW",
        **changes,
    }


def test_new_department_is_created_and_audited(administrator):
    response = client_of(administrator).post(
        reverse("administration:department_new"), department_data()
    )
    assert response.status_code == 302
    department = Department.objects.get(slug="kfz")
    assert (department.name, department.time_zone, department.is_active) == (
        "Kfz-Zulassung",
        "Europe/Berlin",
        True,
    )
    assert AuditEvent.objects.get(action="create_department").department_id == department.pk


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"slug": "taken"},
            "slug",
            "Another department already uses this web address. Please choose another.",
        ),
        (
            {"slug": "Not A Slug"},
            "slug",
            "The web address may contain only lower-case letters, digits and hyphens, e.g. buergerservice.",
        ),
        (
            {"time_zone": "Mars/Olympus"},
            "time_zone",
            "“Mars/Olympus” is not a time zone we know. Please choose one from the list, "
            "e.g. Europe/Berlin.",
        ),
        (
            {"holiday_subdivision": "XX"},
            "holiday_subdivision",
            "Unknown region code, e.g. NW for North Rhine-Westphalia.",
        ),
    ],
)
def test_bad_department_input_is_refused_with_a_message(
    administrator, make_department, changes, field, message
):
    make_department(slug="taken")
    response = client_of(administrator).post(
        reverse("administration:department_new"), department_data(**changes)
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {field: [message]}
    page = response.content.decode()
    assert f'aria-describedby="id_{field}_error' in page
    assert Department.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_a_lead_edits_their_department_but_creates_none(make_department, make_staff):
    mine, other = make_department(slug="mine"), make_department(slug="other")
    lead = make_staff(mine, role="lead")
    client = client_of(lead)
    assert client.get(reverse("administration:department_new")).status_code == 403
    assert (
        client.post(
            reverse("administration:department_edit", args=["other"]), department_data(slug="other")
        ).status_code
        == 403
    )
    response = client.post(
        reverse("administration:department_edit", args=["mine"]),
        department_data(slug="mine", name="Meins"),
    )
    assert response.status_code == 302, response.context["form"].errors
    mine.refresh_from_db()
    other.refresh_from_db()
    assert (mine.name, other.name) != ("Meins", "Meins")
    assert mine.name == "Meins"


def test_a_lead_sets_related_departments_and_callbacks(make_department, make_staff):
    mine = make_department(slug="mine", name="Meins", holiday_country="DE")
    neighbour = make_department(slug="nachbar", name="Nachbar")
    make_department(slug="alt", name="Alt", is_active=False)
    lead = make_staff(mine, role="lead")
    client = client_of(lead)

    page = client.get(reverse("administration:department_edit", args=["mine"]))
    choices = [
        str(label) for _value, label in page.context["form"].fields["related_departments"].choices
    ]
    # Every other active department, never the department itself.
    assert choices == ["Nachbar"]
    assert "<legend>Related departments</legend>" in page.content.decode()

    response = client.post(
        reverse("administration:department_edit", args=["mine"]),
        department_data(
            slug="mine", name="Meins", accepts_callbacks="on", related_departments=[neighbour.pk]
        ),
    )

    assert response.status_code == 302, response.context["form"].errors
    mine.refresh_from_db()
    assert mine.accepts_callbacks is True
    assert list(mine.related_departments.all()) == [neighbour]
    event = AuditEvent.objects.filter(action="change_department").get()
    assert event.detail == "accepts_callbacks related_departments"
    # Unrelated again: the field left empty clears it.
    client.post(
        reverse("administration:department_edit", args=["mine"]),
        department_data(slug="mine", name="Meins"),
    )
    mine.refresh_from_db()
    assert (mine.accepts_callbacks, list(mine.related_departments.all())) == (False, [])


def test_closure_closes_the_walk_in_office(administrator, make_department, make_staff):
    # Monday 2030-01-07; open 08:00-12:00 Mon and Tue.
    department = make_department(hours=[(0, 480, 720), (1, 480, 720)])
    make_staff(department)
    response = client_of(administrator).post(
        reverse("administration:closures", args=[department.slug]),
        {"starts_at": "2030-01-07T00:00", "ends_at": "2030-01-08T00:00", "reason": "Schulung"},
    )
    assert response.status_code == 302
    closure = Closure.objects.get()
    assert closure.starts_at == datetime(2030, 1, 6, 23, 0, tzinfo=UTC)
    state = department_state(department, now=datetime(2030, 1, 7, 9, 0, tzinfo=UTC))
    assert (state.state, state.next_opening) == (
        OfficeStatus.CLOSED,
        datetime(2030, 1, 8, 7, 0, tzinfo=UTC),
    )


def test_public_holiday_closes_the_walk_in_office(make_department, make_staff):
    # 2030-01-01 (Tuesday) is New Year's Day; next opening Monday 2030-01-07 08:00.
    department = make_department(
        hours=[(0, 480, 720), (1, 480, 720)], holiday_country="DE", holiday_subdivision="NW"
    )
    make_staff(department)
    state = department_state(department, now=datetime(2030, 1, 1, 8, 0, tzinfo=UTC))
    assert (state.state, state.next_opening) == (
        OfficeStatus.CLOSED,
        datetime(2030, 1, 7, 7, 0, tzinfo=UTC),
    )


def test_add_member_in_one_step_sends_an_invitation(
    administrator, make_department, django_capture_on_commit_callbacks
):
    department = make_department()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(administrator).post(
            reverse("administration:staff_add"),
            {"name": "Lea Leitung", "email": "Lea@Example.org", f"role_{department.pk}": "lead"},
        )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="lea@example.org")
    assert not user.has_usable_password()
    assert list(Membership.objects.filter(profile__user=user).values_list("role", flat=True)) == [
        "lead"
    ]
    [invitation] = mail.outbox
    assert invitation.to == ["lea@example.org"]
    [path] = re.findall(r"/konsole/verwaltung/passwort/\S+/", invitation.body)
    anonymous = Client()
    response = anonymous.post(
        path, {"new_password1": "ein-langes-passwort-42", "new_password2": "ein-langes-passwort-42"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("ein-langes-passwort-42")
    # The link is used up.
    assert anonymous.get(path).status_code == 410


def test_a_lead_cannot_make_an_administrator(make_department, make_staff):
    department = make_department()
    lead = make_staff(department, role="lead")
    response = client_of(lead).post(
        reverse("administration:staff_add"),
        {
            "name": "Eve",
            "email": "eve@example.org",
            f"role_{department.pk}": "staff",
            "is_administrator": "on",
        },
    )
    assert response.status_code == 302
    profile = get_user_model().objects.get(username="eve@example.org").staff_profile
    assert profile.is_administrator is False


def test_suspend_needs_confirmation_and_ends_sessions(administrator, make_department, make_staff):
    department = make_department()
    member = make_staff(department)
    member_client = client_of(member)
    assert member_client.get(reverse("console:home")).status_code == 200
    client = client_of(administrator)
    url = reverse("administration:staff_suspend", args=[member.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 200  # no confirmation: nothing happens
    member.refresh_from_db()
    assert member.is_active
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    member.refresh_from_db()
    assert member.is_active is False
    assert set(member.staff_profile.memberships.values_list("presence", flat=True)) == {"offline"}
    response = member_client.get(reverse("console:home"))
    assert response.status_code == 302


def test_forgot_password_does_not_tell_whether_an_account_exists(
    administrator, django_capture_on_commit_callbacks
):
    administrator.email = "it@example.org"
    administrator.save()
    client = Client(headers={"accept-language": "en"})
    url = reverse("administration:forgot_password")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url, {"email": "it@example.org"})
        unknown = client.post(url, {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mail.outbox] == [["it@example.org"]]


STAFF_LIST_QUERIES = 13
HOME_QUERIES = 8


@pytest.mark.parametrize("count", [1, 6])
def test_list_pages_query_count_is_constant(
    administrator, make_department, make_staff, django_assert_num_queries, count
):
    for _ in range(count):
        department = make_department()
        make_staff(department, role="lead")
        make_staff(department)
    client = client_of(administrator)
    # Session, user, authenticator app (StaffSessionMiddleware); the profile (administrator?)
    # and the led departments (the header); the session saved: savepoint, UPDATE, release.
    # Staff: the members, their memberships, their departments. Home: the departments and
    # their hours.
    with django_assert_num_queries(STAFF_LIST_QUERIES):
        assert client.get(reverse("administration:staff_list")).status_code == 200
    with django_assert_num_queries(HOME_QUERIES):
        assert client.get(reverse("administration:home")).status_code == 200


def test_staff_list_shows_who_is_present_where_now(administrator, make_department, make_staff):
    wohngeld = make_department(name="Wohngeld")
    kfz = make_department(name="Kfz")
    serving = make_staff(wohngeld, kfz, username="serving")
    Membership.objects.filter(profile__user=serving, department=kfz).update(presence="paused")
    ConsoleConnection.objects.create(
        profile=serving.staff_profile, channel="c1", seen_at=timezone.now()
    )
    # Chose "available", then the laptop went to sleep: the board no longer counts them.
    gone = make_staff(wohngeld, username="gone")
    StaffProfile.objects.filter(user=gone).update(seen_at=timezone.now() - timedelta(hours=1))
    suspended = make_staff(wohngeld, username="suspended")
    suspended.is_active = False
    suspended.save()
    page = client_of(administrator).get(reverse("administration:staff_list")).content.decode()

    def present(username):
        row = page.split(
            f"Suspend {username}" if username != "suspended" else "Reactivate suspended"
        )[0]
        cell = row.rsplit('<td class="present-now">', 1)[1].split("</td>", 1)[0]
        return " ".join(re.sub(r"<[^>]+>", " ", cell).split())

    # In the office's order of departments (position, then name), whatever the database's.
    assert present("serving") == "Console open Kfz: paused Wohngeld: available"
    assert present("gone") == "Not connected Wohngeld: offline"
    assert present("suspended") == "suspended"
