"""/healthz and /readyz through Django's test client: each check of /readyz fails on its
own, with a JSON body that names it; neither probe reads a session, sets a cookie, or
minds the Host header and the HTTPS redirect."""

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from buergerbuero.live import heartbeat

from ..server import free_port

READY = {
    "database": "ok",
    "migrations": "ok",
    "redis": "not configured",
    "ticker": "running",
    "process": "serving",
}


@pytest.fixture
def no_redis(settings):
    settings.REDIS_URL = ""


def probe(path: str, client: Client | None = None):
    response = (client or Client()).get(path)
    assert response.cookies == {}
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    return response.status_code, response.json()


def test_healthz_answers_without_the_database():
    # No `db` fixture: pytest-django refuses any query, so this passes only without one.
    assert probe("/healthz") == (200, {"status": "ok"})


def test_healthz_ignores_a_session_cookie():
    # Still no database: the session (and the staff login it may hold) is never read.
    client = Client()
    client.cookies["sessionid"] = "a" * 32
    assert probe("/healthz", client) == (200, {"status": "ok"})


def test_probes_answer_any_host_over_plain_http(db, ticking, no_redis, settings):
    # An orchestrator asks the process at its own address (a pod's IP), not via nginx.
    settings.SECURE_SSL_REDIRECT = True
    client = Client(headers={"host": "10.0.0.7:8000"})
    assert probe("/healthz", client) == (200, {"status": "ok"})
    assert probe("/readyz", client)[0] == 200


def test_readyz_ready(db, ticking, settings, django_assert_max_num_queries):
    # Redis as the run has it: asked and answering in the PostgreSQL + Redis run.
    redis = "ok" if settings.REDIS_URL else "not configured"
    with django_assert_max_num_queries(3):
        assert probe("/readyz") == (
            200,
            {"status": "ready", "failed": [], "checks": READY | {"redis": redis}},
        )


def test_readyz_not_ready_without_a_ticker(db, no_redis):
    assert heartbeat.state() == "not started"
    assert probe("/readyz") == (
        503,
        {"status": "not ready", "failed": ["ticker"], "checks": READY | {"ticker": "not started"}},
    )


def test_readyz_ticker_starting_counts_as_ready(db, no_redis):
    heartbeat.started(10)
    try:
        assert probe("/readyz") == (
            200,
            {"status": "ready", "failed": [], "checks": READY | {"ticker": "starting"}},
        )
    finally:
        heartbeat.stopped()


def test_readyz_not_ready_when_the_ticker_stalled(db, no_redis, ticking):
    # Last tick 31 s ago with a 10 s interval: three intervals missed.
    heartbeat.ticked(now=heartbeat.time.monotonic() - 31)
    assert probe("/readyz") == (
        503,
        {"status": "not ready", "failed": ["ticker"], "checks": READY | {"ticker": "stalled"}},
    )


def test_readyz_not_ready_while_the_process_stops(db, ticking, no_redis, monkeypatch):
    """After SIGTERM (live/shutdown.py) the load balancer must stop sending new visitors
    here while the process tells its sockets to go elsewhere."""
    from buergerbuero.live import shutdown

    monkeypatch.setattr(shutdown, "_draining", True)
    assert probe("/readyz") == (
        503,
        {"status": "not ready", "failed": ["process"], "checks": READY | {"process": "stopping"}},
    )
    monkeypatch.setattr(shutdown, "_draining", False)
    assert probe("/readyz")[0] == 200


def test_heartbeat_states():
    heartbeat.started(10, now=100.0)
    try:
        assert [heartbeat.state(now) for now in (100.0, 130.0, 130.1)] == [
            "starting",
            "starting",
            "stalled",
        ]
        heartbeat.ticked(now=125.0)
        assert [heartbeat.state(now) for now in (125.0, 155.0, 155.1)] == [
            "running",
            "running",
            "stalled",
        ]
    finally:
        heartbeat.stopped()
    assert heartbeat.state() == "not started"


def test_readyz_not_ready_with_an_unapplied_migration(db, ticking, no_redis):
    MigrationRecorder(connection).record_unapplied("privacy", "0001_initial")
    assert probe("/readyz") == (
        503,
        {
            "status": "not ready",
            "failed": ["migrations"],
            "checks": READY | {"migrations": "not applied"},
        },
    )


def test_readyz_not_ready_when_redis_is_away(db, ticking, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    assert probe("/readyz") == (
        503,
        {"status": "not ready", "failed": ["redis"], "checks": READY | {"redis": "unavailable"}},
    )


@pytest.fixture
def database_away(transactional_db, monkeypatch):
    """The default database at an address where nothing answers (SQLite: a file in a
    folder that does not exist; PostgreSQL: a port nobody listens on, with a short pool
    wait), the real one back afterwards."""
    connection.close()  # PostgreSQL: back to the pool (SQLite's in-memory test db stays)
    kept = connection.connection
    connection.connection = None
    if connection.vendor == "postgresql":
        connection.close_pool()
        monkeypatch.setitem(connection.settings_dict, "PORT", free_port())
        options = dict(connection.settings_dict["OPTIONS"])
        options["pool"] = {**options["pool"], "min_size": 0, "timeout": 0.5}
        monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    else:
        monkeypatch.setitem(connection.settings_dict, "NAME", "/nonexistent/bb/db.sqlite3")
    yield
    if connection.vendor == "postgresql":
        connection.close()
        connection.close_pool()
    monkeypatch.undo()
    connection.connection = kept


def test_readyz_not_ready_when_the_database_is_away(database_away, ticking, no_redis):
    assert probe("/readyz") == (
        503,
        {
            "status": "not ready",
            "failed": ["database"],
            "checks": READY | {"database": "unavailable", "migrations": "not checked"},
        },
    )


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_refuse_writes(path):
    assert Client().post(path).status_code == 405
