"""status.json, the overview and the embedded board read the board from the process's status
hub when the lifespan keeps it current, and from the database otherwise; the response is
the same either way."""

import json
import re
import secrets
import subprocess
import time
import urllib.request

import pytest
from django.test import Client
from django.urls import reverse

from buergerbuero.live.announce import board_text
from buergerbuero.live.statusboard import hub
from buergerbuero.public.board import PAGE_SECONDS, forget_pages
from buergerbuero.staff.models import StaffProfile
from buergerbuero.staff.presence import set_presence

from ..server import Uvicorn, manage, server_env


@pytest.fixture
def live_hub():
    """The hub as the ASGI lifespan leaves it: kept current, holding the board."""

    def reset():
        hub.last_text = None
        hub.kept_current = False
        forget_pages()

    reset()
    hub.kept_current = True
    yield hub
    reset()


def without_token(response) -> str:
    """The page without its CSRF token, which is new for every visitor."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def token_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


@pytest.fixture
def two_departments(make_department, make_staff):
    wohngeld = make_department(slug="wohngeld", name="Wohngeld", summary="WBS", position=1)
    make_staff(wohngeld)
    make_department(slug="kataster", name="Kataster", position=2)
    return wohngeld


def test_status_json_from_memory_is_the_database_board_byte_for_byte(
    two_departments, live_hub, django_assert_num_queries
):
    from_database = Client().get(reverse("public:status_json"))  # no board in the hub yet
    live_hub.last_text = board_text()
    with django_assert_num_queries(0):
        from_memory = Client().get(reverse("public:status_json"))
    assert from_memory.status_code == 200
    assert from_memory.content == from_database.content
    assert [from_memory[h] for h in ("Content-Type", "Cache-Control", "ETag")] == [
        "application/json",
        "no-cache",
        from_database["ETag"],
    ]


def test_status_json_follows_the_hub_not_the_database(two_departments, live_hub):
    live_hub.last_text = board_text()
    before = Client().get(reverse("public:status_json"))
    two_departments.name = "Wohngeld und WBS"
    two_departments.save()
    # Not announced: the hub still has the old board until the ticker's next board.
    assert Client().get(reverse("public:status_json")).content == before.content
    live_hub.last_text = board_text()
    after = Client().get(reverse("public:status_json"))
    assert after.json()["departments"][0]["name"] == "Wohngeld und WBS"
    assert after["ETag"] != before["ETag"]


def test_status_json_unchanged_board_is_not_modified(two_departments, live_hub):
    live_hub.last_text = board_text()
    etag = Client().get(reverse("public:status_json"))["ETag"]
    response = Client().get(reverse("public:status_json"), HTTP_IF_NONE_MATCH=etag)
    assert (response.status_code, response.content, response["ETag"]) == (304, b"", etag)
    other = Client().get(reverse("public:status_json"), HTTP_IF_NONE_MATCH='"old"')
    assert other.status_code == 200


def test_overview_from_memory_reads_only_the_departments(
    two_departments, live_hub, django_assert_num_queries
):
    from_database = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("public:overview"))
    live_hub.last_text = board_text()
    # The departments (for their summaries); the board comes from the hub.
    with django_assert_num_queries(1):
        from_memory = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("public:overview"))
    assert without_token(from_memory) == without_token(from_database)
    assert [(d.slug, row.state) for d, row in from_memory.context["departments"]] == [
        ("wohngeld", "open"),
        ("kataster", "closed"),
    ]


def test_overview_for_visitors_without_a_session_is_rendered_once_per_board(
    two_departments, live_hub, django_assert_num_queries
):
    live_hub.last_text = board_text()
    first = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("public:overview"))
    with django_assert_num_queries(0):
        again = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("public:overview"))
    assert without_token(again) == without_token(first)
    assert token_of(again) != token_of(first)
    # The token works: it is the one of the cookie this response sets.
    assert again.cookies["csrftoken"].value
    german = Client(HTTP_ACCEPT_LANGUAGE="de").get(reverse("public:overview"))
    assert "Alle Fachbereiche" in german.content.decode()
    # A new board is a new page.
    two_departments.name = "Wohngeld und WBS"
    two_departments.save()
    live_hub.last_text = board_text()
    assert "Wohngeld und WBS" in Client().get(reverse("public:overview")).content.decode()


def test_overview_with_a_session_is_rendered_for_that_visitor(
    two_departments, live_hub, django_assert_num_queries
):
    live_hub.last_text = board_text()
    Client().get(reverse("public:overview"))
    visitor = Client()
    visitor.cookies["sessionid"] = "x" * 32
    # The departments, and the session the messages would be read from.
    with django_assert_num_queries(2):
        response = visitor.get(reverse("public:overview"))
    assert response.context is not None


def test_a_kept_page_lasts_one_tick(two_departments, live_hub, monkeypatch):
    live_hub.last_text = board_text()
    Client().get(reverse("public:overview"))
    two_departments.summary = "Neu"
    two_departments.save()
    assert "Neu" not in Client().get(reverse("public:overview")).content.decode()
    later = time.monotonic() + PAGE_SECONDS + 1
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert "<p>Neu</p>" in Client().get(reverse("public:overview")).content.decode()


def test_embedded_board_from_memory_makes_no_query(
    two_departments, live_hub, django_assert_num_queries
):
    from_database = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("public:embed_status"))
    live_hub.last_text = board_text()
    with django_assert_num_queries(0):
        from_memory = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("public:embed_status"))
    assert without_token(from_memory) == without_token(from_database)


def test_without_the_lifespan_the_database_is_read(two_departments, django_assert_num_queries):
    # A stale board left in the hub (by a command or an earlier test) is never served.
    hub.last_text = '{"type": "status", "departments": []}'
    try:
        with django_assert_num_queries(5):
            response = Client().get(reverse("public:status_json"))
    finally:
        hub.last_text = None
    assert [row["slug"] for row in response.json()["departments"]] == ["wohngeld", "kataster"]


def test_an_announced_change_reaches_status_json_at_once(
    two_departments, live_hub, settings, django_capture_on_commit_callbacks
):
    # One process without Redis: the announcement replaces the hub's board.
    settings.REDIS_URL = ""
    live_hub.last_text = board_text()
    with django_capture_on_commit_callbacks(execute=True):
        set_presence(StaffProfile.objects.get(departments=two_departments), "offline")
    states = [row["state"] for row in Client().get("/status.json").json()["departments"]]
    assert states == ["closed", "closed"]


def read(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def test_a_real_server_serves_the_board_its_ticker_keeps(tmp_path):
    env = server_env(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'board.sqlite3'}",
        REDIS_PREFIX=f"bbboard{secrets.token_hex(4)}",
        STATUS_PUBSUB_CHANNEL=f"bb:board:{secrets.token_hex(4)}",
    )
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "seed_demo", stdout=subprocess.DEVNULL)
    server = Uvicorn(env, ["--log-level", "warning"], tmp_path / "server.log")
    server.start()
    try:
        first = read(server.url + "/status.json")["departments"][0]
        # Renamed behind the office's back (no announcement): the board in memory stays
        # until the ticker's next board (every 10 s), then status.json follows.
        rename = (
            "from buergerbuero.departments.models import Department; "
            f"Department.objects.filter(slug={first['slug']!r}).update(name='Renamed')"
        )
        time.sleep(10.5 - time.time() % 10)  # just after a tick: the hub has its board
        manage(env, "shell", "-c", rename)
        assert read(server.url + "/status.json")["departments"][0]["name"] == first["name"]
        deadline = time.monotonic() + 12
        while read(server.url + "/status.json")["departments"][0]["name"] != "Renamed":
            assert time.monotonic() < deadline
            time.sleep(0.2)
    finally:
        server.stop()
    assert "Traceback" not in server.log_path.read_text()


def test_knock_form_for_visitors_without_a_session_follows_the_board(
    two_departments, live_hub, django_assert_num_queries
):
    """The knock form is kept per board and language like the overview: no query for a
    second first-time visitor; a new board (the office closed) is a new page, and a knock
    sent then is refused as closed, with nothing stored."""
    from buergerbuero.waiting.models import QueueEntry

    url = reverse("public:knock", args=["wohngeld"])
    live_hub.last_text = board_text()
    first = Client(HTTP_ACCEPT_LANGUAGE="en").get(url)
    assert first.status_code == 200 and 'name="display_name"' in first.content.decode()
    with django_assert_num_queries(0):
        again = Client(HTTP_ACCEPT_LANGUAGE="en").get(url)
    assert without_token(again) == without_token(first)
    assert token_of(again) != token_of(first)
    # The clerk goes offline; the board (as the announcement would) says closed.
    set_presence(StaffProfile.objects.get(), "offline")
    live_hub.last_text = board_text()
    citizen = Client(HTTP_ACCEPT_LANGUAGE="en")
    closed = citizen.get(url)
    assert "This office is closed right now." in closed.content.decode()
    assert 'name="display_name"' not in closed.content.decode()
    knocked = citizen.post(url, {"display_name": "Ada", "csrfmiddlewaretoken": token_of(closed)})
    assert knocked.status_code == 409
    assert not QueueEntry.objects.exists()


def test_a_board_one_tick_behind_an_opening_does_not_refuse_the_knock(two_departments, live_hub):
    """The board says closed, but the office has opened since (a clerk set available
    without an announcement reaching this process yet, or hours that began before the
    next tick): the database decides, so the citizen gets the form and is let in."""
    from buergerbuero.waiting.models import QueueEntry

    url = reverse("public:knock", args=["wohngeld"])
    profile = StaffProfile.objects.get()
    set_presence(profile, "offline")
    live_hub.last_text = board_text()
    assert '"closed"' in live_hub.last_text
    set_presence(profile, "available")  # not announced to this board
    citizen = Client(HTTP_ACCEPT_LANGUAGE="en")
    form = citizen.get(url)
    assert 'name="display_name"' in form.content.decode()
    knocked = citizen.post(url, {"display_name": "Ada", "csrfmiddlewaretoken": token_of(form)})
    assert knocked.status_code == 302
    assert QueueEntry.objects.get().display_name == "Ada"
