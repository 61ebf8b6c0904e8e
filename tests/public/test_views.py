"""Citizens' pages: overview, status, knock, waiting room, call and invitation."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buergerbuero.access import ENTRIES_KEY, PARTICIPANTS_KEY
from buergerbuero.calls import actions as call_actions
from buergerbuero.calls.models import Invitation, Participant, Role
from buergerbuero.waiting import actions
from buergerbuero.waiting.models import EntryState, QueueEntry

WEEKDAY_MORNINGS = [(day, 8 * 60, 12 * 60) for day in range(5)]


def admitted(knocked, office_with_clerk):
    """Admit the knocked citizen; returns (room, staff participant, citizen participant)."""
    _client, entry_id = knocked
    _department, clerk = office_with_clerk
    room = actions.admit(entry_id, clerk)
    return room, room.participants.get(role=Role.STAFF), room.participants.get(role=Role.CITIZEN)


# --- Overview and status ---------------------------------------------------------------------
def test_overview_lists_departments_with_status(english, make_department, make_staff):
    open_one = make_department(
        slug="wohngeld", name="Wohngeld", summary="Wohngeld und WBS", position=1
    )
    make_staff(open_one)
    make_department(slug="kataster", name="Kataster", position=2)
    make_department(slug="archiv", name="Archiv", is_active=False)

    response = english.get(reverse("public:overview"))

    assert response.status_code == 200
    rows = [(d.slug, row.state) for d, row in response.context["departments"]]
    assert rows == [("wohngeld", "open"), ("kataster", "closed")]
    html = response.content.decode()
    # The name is the office's (German) content on an English page: marked as such.
    assert '<a href="/fachbereich/wohngeld/" lang="de" dir="auto">Wohngeld</a>' in html
    badge = (
        '<span class="status status-{}" data-status-for="{}" data-time-zone="Europe/Berlin">'
        "{}</span>"
    )
    assert badge.format("open", "wohngeld", "Open \u2013 free") in html
    assert badge.format("closed", "kataster", "Closed") in html
    assert "Archiv" not in html


def test_overview_shows_next_opening_in_department_zone(english, make_department):
    make_department(
        slug="kataster", name="Kataster", hours=[(5, 9 * 60, 13 * 60)], time_zone="America/New_York"
    )
    html = english.get(reverse("public:overview")).content.decode()
    row = english.get(reverse("public:status_json")).json()["departments"][0]
    # Saturday 09:00 in New York, whatever the server's zone.
    assert f'opens <time datetime="{row["next_opening"]}">Sat, 09:00</time>' in html


@pytest.mark.parametrize("count", [1, 6])
def test_overview_query_count_is_constant(
    english, make_department, make_staff, django_assert_num_queries, count
):
    for _ in range(count):
        make_staff(make_department(hours=WEEKDAY_MORNINGS))
    # The departments, then the board: departments, hours, staff links, staff in calls.
    with django_assert_num_queries(6):
        response = english.get(reverse("public:overview"))
    assert len(response.context["departments"]) == count


def test_status_json_is_the_board(english, make_department, make_staff):
    wohngeld = make_department(slug="wohngeld", name="Wohngeld", position=1)
    make_staff(wohngeld)
    make_department(slug="kataster", name="Kataster", position=2)

    response = english.get(reverse("public:status_json"))

    assert response.status_code == 200
    assert (
        response["Content-Type"],
        response["Access-Control-Allow-Origin"],
        response["Cache-Control"],
    ) == (
        "application/json",
        "*",
        "no-cache",
    )
    assert response.json() == {
        "departments": [
            {
                "slug": "wohngeld",
                "name": "Wohngeld",
                "state": "open",
                "next_opening": None,
                "time_zone": "Europe/Berlin",
            },
            {
                "slug": "kataster",
                "name": "Kataster",
                "state": "closed",
                "next_opening": None,
                "time_zone": "Europe/Berlin",
            },
        ]
    }


def test_status_json_refuses_post(english, db):
    assert english.post(reverse("public:status_json")).status_code == 405


def test_embed_status_may_be_framed_by_configured_origins(english, office_with_clerk, settings):
    settings.EMBED_ALLOWED_ORIGINS = ["https://www.kreis.example"]
    response = english.get(reverse("public:embed_status"))
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors https://www.kreis.example" in response["Content-Security-Policy"]


def test_overview_may_not_be_framed(english, db):
    response = english.get(reverse("public:overview"))
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_department_page_shows_schedule_and_knock_link(english, make_department, make_staff):
    department = make_department(slug="wohngeld", name="Wohngeld")
    make_staff(department)
    response = english.get(reverse("public:department", args=["wohngeld"]))
    assert response.status_code == 200
    assert response.context["state"].state == "open"
    assert [
        (row["ranges"][0].opens_label, row["ranges"][0].closes_label)
        for row in response.context["schedule"]
    ] == [("00:00", "24:00")] * 7
    assert 'href="/fachbereich/wohngeld/anklopfen/"' in response.content.decode()


def test_department_page_inactive_is_404(english, make_department):
    make_department(slug="archiv", is_active=False)
    assert english.get(reverse("public:department", args=["archiv"])).status_code == 404


# --- Knock -----------------------------------------------------------------------------------
def test_knock_post_creates_entry_remembers_it_and_redirects(english, office_with_clerk):
    department, _clerk = office_with_clerk

    response = english.post(
        reverse("public:knock", args=["wohngeld"]),
        {"display_name": "  Ada  Lovelace ", "topic": "Antrag 4711"},
    )

    entry = QueueEntry.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/warteraum/{entry.pk}/")
    assert (entry.department, entry.display_name, entry.topic, entry.language, entry.state) == (
        department,
        "Ada Lovelace",
        "Antrag 4711",
        "en",
        EntryState.WAITING,
    )
    assert english.session[ENTRIES_KEY] == [entry.pk]


def test_knock_on_closed_department_shows_closed_message(english, make_department, make_staff):
    department = make_department(slug="kataster", hours=[])
    make_staff(department)

    response = english.post(reverse("public:knock", args=["kataster"]), {"display_name": "Ada"})

    assert (response.status_code, response.context["error"]) == (409, "closed")
    assert (
        '<p class="notice error" role="alert">This office is closed right now.</p>'
        in response.content.decode()
    )
    assert QueueEntry.objects.count() == 0
    assert ENTRIES_KEY not in english.session


def test_knock_full_queue_shows_try_later(english, office_with_clerk, settings):
    settings.MAX_WAITING_PER_DEPARTMENT = 1
    Client().post(reverse("public:knock", args=["wohngeld"]), {"display_name": "First"})

    response = english.post(reverse("public:knock", args=["wohngeld"]), {"display_name": "Ada"})

    assert (response.status_code, response.context["error"]) == (409, "queue_full")
    assert (
        "Too many people are waiting right now. Please try again in a few minutes."
        in response.content.decode()
    )
    assert QueueEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "This field is required."),
        ("    ", "This field is required."),
        ("\x00", "Null characters are not allowed."),
        ("\x01\x1b\x7f", "Please enter a name."),
        ("\u200b\u2028", "Please enter a name."),
    ],
)
def test_knock_blank_name_shows_form_error(english, office_with_clerk, name, error):
    response = english.post(reverse("public:knock", args=["wohngeld"]), {"display_name": name})
    assert response.status_code == 200
    assert response.context["form"].errors == {"display_name": [error]}
    assert QueueEntry.objects.count() == 0


def test_knock_get_shows_form(english, office_with_clerk):
    response = english.get(reverse("public:knock", args=["wohngeld"]))
    assert (response.status_code, response.context["error"]) == (200, None)
    assert 'name="display_name"' in response.content.decode()


def test_knock_remembers_several_entries_in_one_browser(
    english, office_with_clerk, make_department, make_staff
):
    other = make_department(slug="kataster")
    make_staff(other)
    english.post(reverse("public:knock", args=["wohngeld"]), {"display_name": "Ada"})
    english.post(reverse("public:knock", args=["kataster"]), {"display_name": "Ada"})
    assert english.session[ENTRIES_KEY] == list(
        QueueEntry.objects.order_by("created_at").values_list("pk", flat=True)
    )


# --- Waiting room ----------------------------------------------------------------------------
def test_waiting_page_for_own_browser(knocked):
    client, entry_id = knocked
    response = client.get(reverse("public:waiting", args=[entry_id]))
    assert response.status_code == 200
    assert f'data-socket="/ws/warteraum/{entry_id}/"' in response.content.decode()


def test_waiting_page_404_for_another_browser(knocked):
    _client, entry_id = knocked
    assert Client().get(reverse("public:waiting", args=[entry_id])).status_code == 404


# --- Call ------------------------------------------------------------------------------------
def test_call_page_403_for_strangers(knocked, office_with_clerk):
    room, _staff, _citizen = admitted(knocked, office_with_clerk)
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("public:call", args=[room.pk]))
    assert response.status_code == 403
    assert f"/ws/raum/{room.pk}/" not in response.content.decode()


def test_call_page_403_for_staff_of_the_department_not_in_the_call(
    knocked, office_with_clerk, make_staff
):
    room, _staff, _citizen = admitted(knocked, office_with_clerk)
    department, _clerk = office_with_clerk
    colleague = Client()
    colleague.force_login(make_staff(department))
    assert colleague.get(reverse("public:call", args=[room.pk])).status_code == 403


def test_call_page_404_for_unknown_room(english, db):
    assert english.get(reverse("public:call", args=["no-such-room"])).status_code == 404


def test_call_page_for_admitted_citizen_remembers_participant(knocked, office_with_clerk):
    room, _staff, citizen = admitted(knocked, office_with_clerk)
    client, _entry_id = knocked

    response = client.get(reverse("public:call", args=[room.pk]))

    assert (response.status_code, response.context["me"]) == (200, citizen)
    assert client.session[PARTICIPANTS_KEY] == {room.pk: citizen.pk}
    assert f'data-socket="/ws/raum/{room.pk}/" data-role="citizen"' in response.content.decode()


def test_call_page_for_the_staff_member(knocked, office_with_clerk):
    room, staff, _citizen = admitted(knocked, office_with_clerk)
    _department, clerk = office_with_clerk
    client = Client()
    client.force_login(clerk)
    response = client.get(reverse("public:call", args=[room.pk]))
    assert (response.status_code, response.context["me"]) == (200, staff)


def test_call_page_after_the_end_redirects_to_ended_page(knocked, office_with_clerk):
    room, staff, citizen = admitted(knocked, office_with_clerk)
    client, _entry_id = knocked
    call_actions.end_room(room.pk, staff)

    response = client.get(reverse("public:call", args=[room.pk]))

    assert (response.status_code, response["Location"]) == (302, f"/gespraech/{room.pk}/beendet/")
    ended = client.get(response["Location"])
    assert (ended.status_code, ended.context["me"]) == (200, citizen)


def test_call_page_of_a_call_missed_in_the_background_leads_back_to_the_waiting_room(
    knocked, office_with_clerk, settings
):
    settings.CALL_NO_SHOW_SECONDS = 90
    client, entry_id = knocked
    actions.backgrounded(entry_id)
    room, staff, _citizen = admitted(knocked, office_with_clerk)
    # Staff hang up before the citizen came.
    call_actions.end_room(room.pk, staff)

    # The woken page follows the call link it was sent: its waiting room offers the front.
    response = client.get(reverse("public:call", args=[room.pk]))

    assert (response.status_code, response["Location"]) == (302, f"/warteraum/{entry_id}/")


def test_call_ended_page_for_a_citizen_who_hung_up_a_call_started_in_the_waiting_room(
    knocked, office_with_clerk
):
    # The call page was never loaded (the call started in place), and the call goes on
    # without them: the browser holding the queue entry is still the citizen.
    room, _staff, citizen = admitted(knocked, office_with_clerk)
    call_actions.leave_room(citizen)
    client, _entry_id = knocked
    response = client.get(reverse("public:call_ended", args=[room.pk]))
    assert (response.status_code, response.context["me"]) == (200, citizen)


def test_call_ended_page_404_for_strangers(knocked, office_with_clerk):
    room, staff, _citizen = admitted(knocked, office_with_clerk)
    call_actions.end_room(room.pk, staff)
    assert Client().get(reverse("public:call_ended", args=[room.pk])).status_code == 404


# --- Invitation ------------------------------------------------------------------------------
@pytest.fixture
def invitation(knocked, office_with_clerk):
    room, staff, _citizen = admitted(knocked, office_with_clerk)
    return call_actions.issue_invitation(room.pk, staff, "Dolmetscherin")


def test_invitation_page_valid_shows_form(english, invitation):
    response = english.get(reverse("public:invitation", args=[invitation.token]))
    assert response.status_code == 200
    assert response.context["form"].initial == {"display_name": "Dolmetscherin"}


def test_invitation_post_joins_the_call(english, invitation):
    response = english.post(
        reverse("public:invitation", args=[invitation.token]), {"display_name": "Eva"}
    )

    guest = Participant.objects.get(role=Role.GUEST)
    assert (response.status_code, response["Location"]) == (
        302,
        f"/gespraech/{invitation.room_id}/",
    )
    assert (guest.room_id, guest.display_name) == (invitation.room_id, "Eva")
    assert english.session[PARTICIPANTS_KEY] == {invitation.room_id: guest.pk}
    assert english.get(response["Location"]).status_code == 200


def test_invitation_page_410_when_used(english, invitation):
    call_actions.redeem_invitation(invitation.token, "Eva")
    path = reverse("public:invitation", args=[invitation.token])
    assert (
        english.get(path).status_code,
        english.post(path, {"display_name": "Mallory"}).status_code,
    ) == (410, 410)
    assert Participant.objects.filter(role=Role.GUEST).count() == 1


def test_invitation_page_410_when_expired(english, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = english.get(reverse("public:invitation", args=[invitation.token]))
    assert response.status_code == 410
    assert "This invitation link is not valid" in response.content.decode()


def test_invitation_page_410_when_call_ended(english, invitation):
    call_actions.end_room(invitation.room_id, invitation.room.participants.get(role=Role.STAFF))
    assert english.get(reverse("public:invitation", args=[invitation.token])).status_code == 410


def test_invitation_page_410_for_unknown_token(english, db):
    assert english.get(reverse("public:invitation", args=["no-such-token"])).status_code == 410


def test_invitation_post_blank_name_shows_form_error(english, invitation):
    response = english.post(
        reverse("public:invitation", args=[invitation.token]), {"display_name": "\x01 \x1b"}
    )
    assert (response.status_code, response.context["form"].errors) == (
        200,
        {"display_name": ["Please enter a name."]},
    )
    assert Participant.objects.filter(role=Role.GUEST).count() == 0
    assert Invitation.objects.get(pk=invitation.pk).used_at is None


@pytest.mark.django_db
def test_knock_is_rate_limited_per_client(make_department, make_staff, settings):
    from django.test import Client

    from buergerbuero.waiting.models import QueueEntry

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "knock": (2, 3600)}
    department = make_department()
    make_staff(department)
    client = Client(headers={"accept-language": "en"})
    url = reverse("public:knock", args=[department.slug])
    statuses = [client.post(url, {"display_name": f"Bot {n}"}).status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert QueueEntry.objects.count() == 2


@pytest.mark.django_db
def test_invitation_guessing_is_rate_limited(settings):
    from django.test import Client

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "invitation": (3, 3600)}
    client = Client()
    statuses = [
        client.get(reverse("public:invitation", args=[f"guess{n}"])).status_code for n in range(4)
    ]
    assert statuses == [410, 410, 410, 429]
