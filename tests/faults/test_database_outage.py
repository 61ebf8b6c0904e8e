"""PostgreSQL away for longer than the grace period: nobody who kept the waiting-room page
open loses their place, their pings are answered "unavailable" (never "internal"), and a
citizen who really left is still let go afterwards."""

import asyncio
import time
import urllib.request

from buergerbuero.waiting.models import EntryState

from .harness import OPEN_DEPARTMENT, Citizen, start_office

GRACE = 12  # seconds; the ticker runs every 10
OUTAGE = 25  # longer than the grace period, and than two ticks
PING = 2


def scrape(url: str) -> str:
    with urllib.request.urlopen(url + "/metrics", timeout=10) as response:
        return response.read().decode()


def entry_states(office) -> dict[str, str]:
    out = office.shell(
        "from buergerbuero.waiting.models import QueueEntry\n"
        "print(';'.join(f'{e.pk}={e.state}' for e in QueueEntry.objects.all()))"
    )
    return dict(pair.split("=") for pair in out.split(";") if pair)


def test_a_database_outage_longer_than_the_grace_period_expires_nobody_still_there(
    own_postgres, tmp_path
):
    office = start_office(
        tmp_path, own_postgres.url, QUEUE_GRACE_SECONDS=str(GRACE), DB_POOL_TIMEOUT="2"
    )
    try:
        office.shell(OPEN_DEPARTMENT)
        citizens = []
        for n in range(8):
            citizen = Citizen(office.processes[n % 2].url)
            status, location = citizen.knock("wohngeld", citizen.knock_form("wohngeld"), f"C{n}")
            assert status == 302, location
            citizen.entry_id = location.rstrip("/").rsplit("/", 1)[-1]
            citizens.append(citizen)
        staying, leaving = citizens[:-1], citizens[-1]

        async def scenario():
            stop_all, stop_leaving = asyncio.Event(), asyncio.Event()
            waits = [asyncio.create_task(c.wait(PING, stop_all)) for c in staying]
            gone = asyncio.create_task(leaving.wait(PING, stop_leaving))
            await asyncio.sleep(3)
            stop_leaving.set()  # this one closes the tab before the outage
            await gone
            await asyncio.to_thread(own_postgres.stop)
            await asyncio.sleep(3)
            # The monitoring still gets an answer, which says the database is away.
            during_outage.append(await asyncio.to_thread(scrape, office.processes[0].url))
            await asyncio.sleep(OUTAGE - 3)
            await asyncio.to_thread(own_postgres.start)
            # Two grace periods and two ticks: time enough to expire whoever is gone.
            await asyncio.sleep(2 * GRACE + 20)
            stop_all.set()
            await asyncio.gather(*waits)

        during_outage: list[str] = []
        started = time.monotonic()
        asyncio.run(scenario())
        assert time.monotonic() - started < 120

        states = entry_states(office)
        assert {c.entry_id: states[c.entry_id] for c in staying} == {
            c.entry_id: EntryState.WAITING for c in staying
        }
        assert states[leaving.entry_id] == EntryState.EXPIRED
        for citizen in staying:
            types = [m["type"] for m in citizen.received]
            codes = {m["code"] for m in citizen.received if m["type"] == "error"}
            assert "expired" not in types, citizen.received
            assert codes <= {"unavailable"}, citizen.received
        # Pings in the outage were answered, and said so.
        assert any(m.get("code") == "unavailable" for c in staying for m in c.received), (
            "no ping was answered during the outage"
        )
        # After it, each page got its place back (a fresh position after the outage).
        for citizen in staying:
            last_error = max(
                (i for i, m in enumerate(citizen.received) if m["type"] == "error"), default=-1
            )
            assert any(m["type"] == "position" for m in citizen.received[last_error + 1 :])
        [metrics] = during_outage
        assert "bb_database_up 0.0" in metrics.splitlines(), metrics
        assert "bb_waiting_citizens" not in metrics
        assert "bb_http_requests_total{" in metrics  # the process's own numbers
        assert "Traceback" not in office.log_text(), office.log_text()
    finally:
        office.stop()
