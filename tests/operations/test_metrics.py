"""/metrics: only for the monitoring's addresses (and token), everyone else a 404 without
a number; and the office's numbers after a real knock, admission and end of a call."""

import ipaddress
from datetime import timedelta

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from buergerbuero.bookings import mails
from buergerbuero.bookings.models import OutgoingMail
from buergerbuero.calls.actions import end_room
from buergerbuero.calls.models import Participant, Role
from buergerbuero.live.application import websocket_router
from buergerbuero.privacy import purge
from buergerbuero.waiting import actions
from buergerbuero.waiting.models import QueueEntry

from ..factories import make_booking, make_department, make_staff

pytestmark = pytest.mark.django_db(transaction=True)
TOKEN = "a-long-random-token-for-the-monitoring"


def scrape(client: Client | None = None, **headers) -> dict[tuple[str, tuple], float]:
    response = (client or Client()).get("/metrics", headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert response.cookies == {}
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def refused(response) -> None:
    assert response.status_code == 404
    assert b"bb_" not in response.content
    assert b"# TYPE" not in response.content


@pytest.mark.parametrize("address", ["203.0.113.5", "10.0.0.1", "::2", "127.0.0.2"])
def test_an_address_outside_the_allowed_networks_gets_a_404(address):
    refused(Client(REMOTE_ADDR=address).get("/metrics"))


def test_the_allowed_networks_come_from_the_settings(settings):
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.0.5.0/24")]
    refused(Client().get("/metrics"))  # 127.0.0.1 no longer
    assert Client(REMOTE_ADDR="10.0.5.77").get("/metrics").status_code == 200


def test_with_a_token_only_the_right_bearer_token_reads_them(settings):
    settings.METRICS_TOKEN = TOKEN
    refused(Client().get("/metrics"))
    refused(Client().get("/metrics", headers={"Authorization": "Bearer wrong"}))
    refused(Client().get("/metrics", headers={"Authorization": TOKEN}))
    scrape(Authorization=f"Bearer {TOKEN}")
    # The token adds to the networks; it does not replace them.
    refused(Client(REMOTE_ADDR="203.0.113.5").get("/metrics", Authorization=f"Bearer {TOKEN}"))


def test_the_office_numbers_after_a_knock_an_admission_and_the_end_of_the_call():
    department = make_department(slug="metrics-wohngeld")
    other = make_department(slug="metrics-kfz")
    clerk = make_staff(department)
    first = actions.knock(department, "Erika Mustermann", "Wohngeld für Familie Mustermann")
    actions.knock(department, "Max Mustermann")
    # Knocked 90 s ago: its wait falls in the 120 s bucket, not the 60 s one.
    QueueEntry.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(seconds=90))
    before = scrape()
    room = actions.admit(first.pk, clerk)

    during = scrape()
    wait = "bb_admission_wait_seconds"
    dept = ("department", "metrics-wohngeld")
    assert during[("bb_waiting_citizens", (dept,))] == 1
    assert during[("bb_waiting_citizens", (("department", "metrics-kfz"),))] == 0
    assert during[("bb_staff_available", (dept,))] == 1
    assert during[("bb_staff_available", (("department", "metrics-kfz"),))] == 0
    assert during[("bb_active_calls", (dept,))] == 1
    assert during[(f"{wait}_count", (dept,))] == 1
    assert during[(f"{wait}_bucket", (dept, ("le", "60.0")))] == 0
    assert during[(f"{wait}_bucket", (dept, ("le", "120.0")))] == 1
    assert 90 <= during[(f"{wait}_sum", (dept,))] < 100
    assert (f"{wait}_count", (dept,)) not in before
    assert during[("bb_database_up", ())] == 1
    assert during[("bb_mails_queued", ())] == 0
    assert during[("bb_mails_failed", ())] == 0
    # The page requests of this test so far: none (the scrape itself is not counted).
    assert ("bb_http_requests_total", (("status", "200"), ("view", "metrics"))) not in during

    staff_seat = Participant.objects.get(room=room, role=Role.STAFF)
    end_room(room.pk, staff_seat)
    after = scrape()
    assert after[("bb_active_calls", (dept,))] == 0
    assert after[("bb_waiting_citizens", (dept,))] == 1
    assert after[("bb_consultation_seconds_count", (dept,))] == 1
    assert after[("bb_consultation_seconds_bucket", (dept, ("le", "60.0")))] == 1
    assert other.slug == "metrics-kfz"


def test_page_requests_are_counted_by_view_and_status_never_by_path():
    make_department(slug="metrics-pages")
    counted = ("bb_http_requests_total", (("status", "200"), ("view", "public:department")))
    before = scrape().get(counted, 0)
    Client().get("/fachbereich/metrics-pages/")
    Client().get("/fachbereich/metrics-pages/")
    after = scrape()
    assert after[counted] == before + 2
    assert not any(
        "metrics-pages" in str(labels) for (_, labels) in after if _.startswith("bb_http")
    )


async def test_open_sockets_are_counted_per_endpoint():
    def watchers(samples) -> float:
        return samples[("bb_websocket_connections", (("endpoint", "status"),))]

    from channels.db import database_sync_to_async

    before = watchers(await database_sync_to_async(scrape)())
    communicator = WebsocketCommunicator(websocket_router(), "/ws/status/")
    connected, _ = await communicator.connect()
    assert connected
    await communicator.receive_from()
    assert watchers(await database_sync_to_async(scrape)()) == before + 1
    await communicator.disconnect()
    assert watchers(await database_sync_to_async(scrape)()) == before


def test_mail_attempts_and_mails_given_up(make_kind, settings):
    from ..bookings.failing_backend import FailingOnceBackend

    FailingOnceBackend.failed = False
    settings.EMAIL_BACKEND = "tests.bookings.failing_backend.FailingOnceBackend"
    booking = make_booking(
        make_kind(minutes=30), timezone.now() + timedelta(hours=2), email="mail@example.org"
    )
    mails.booking_confirmed(booking)  # a confirmation; no reminder two hours ahead
    before = scrape()
    assert before[("bb_mails_queued", ())] == 1
    now = timezone.now()
    assert mails.send_due(now=now) == 0  # refused once
    assert mails.send_due(now=now + timedelta(minutes=3)) == 1
    after = scrape()
    failures, sent = ("bb_mail_failures_total", ()), ("bb_mails_sent_total", ())
    assert (after[failures] - before[failures], after[sent] - before[sent]) == (1, 1)
    assert (after[("bb_mails_queued", ())], after[("bb_mails_failed", ())]) == (0, 0)

    mails.booking_cancelled(booking, by_staff=False)
    OutgoingMail.objects.filter(sent_at__isnull=True).update(attempts=settings.MAIL_MAX_ATTEMPTS)
    assert (scrape()[("bb_mails_queued", ())], scrape()[("bb_mails_failed", ())]) == (0, 1)


def test_purge_runs_by_result(settings, monkeypatch):
    success = ("bb_purge_runs_total", (("result", "success"),))
    failure = ("bb_purge_runs_total", (("result", "failure"),))
    before = scrape()
    monkeypatch.setattr(purge, "_last_purge", None)
    purge.purge_if_due()
    # An audit retention no date can be computed for: the purge fails for real.
    settings.AUDIT_RETENTION_DAYS = 10**9
    monkeypatch.setattr(purge, "_last_purge", None)
    with pytest.raises(OverflowError):
        purge.purge_if_due()
    after = scrape()
    assert (after[success] - before[success], after[failure] - before[failure]) == (1, 1)


def test_database_queries_by_kind_with_their_time_and_errors():
    from django.db import DatabaseError, connection

    from buergerbuero.departments.models import Department

    def counts(samples) -> dict[str, float]:
        found = {
            labels[1][1]: value
            for (name, labels), value in samples.items()
            if name == "bb_db_queries_total" and labels[0] == ("database", "default")
        }
        database = (("database", "default"),)
        found["errors"] = samples.get(("bb_db_query_errors_total", database), 0)
        found["timed"] = samples[("bb_db_query_duration_seconds_count", database)]
        return found

    def delta(after, before) -> dict[str, float]:
        return {key: after.get(key, 0) - before.get(key, 0) for key in after}

    first = counts(scrape())
    second = counts(scrape())
    # A scrape reads the office's gauges from the database: what it costs, as the baseline.
    own = delta(second, first)
    for _ in range(3):
        Department.objects.filter(slug="metrics-none").exists()
    Department.objects.filter(slug="metrics-none").update(name="x")
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM bb_no_such_table")
    third = counts(scrape())
    mine = {key: value - own.get(key, 0) for key, value in delta(third, second).items()}
    assert {key: value for key, value in mine.items() if value} == {
        "SELECT": 4,
        "UPDATE": 1,
        "errors": 1,
        "timed": 5,
    }


def test_the_connection_pool_of_this_process(settings):
    from django.db import connection

    samples = scrape()
    pool = {
        name: value
        for (name, labels), value in samples.items()
        if name.startswith("bb_db_pool_") and labels == (("database", "default"),)
    }
    if connection.vendor != "postgresql":
        assert pool == {}  # SQLite: no pool
        return
    configured = settings.DATABASES["default"]["OPTIONS"]["pool"]
    assert pool["bb_db_pool_max"] == configured["max_size"]
    assert 1 <= pool["bb_db_pool_size"] <= configured["max_size"]
    assert 0 <= pool["bb_db_pool_available"] < pool["bb_db_pool_size"]  # this one is in use
    assert pool["bb_db_pool_waiting"] == 0
    assert set(pool) == {
        "bb_db_pool_max",
        "bb_db_pool_size",
        "bb_db_pool_available",
        "bb_db_pool_waiting",
        "bb_db_pool_requests_failed_total",
        "bb_db_pool_connection_errors_total",
    }
