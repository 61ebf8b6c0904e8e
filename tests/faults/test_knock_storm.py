"""200 citizens knock at one department at the same moment, 100 on each of two processes,
against a PostgreSQL that allows 100 connections: nobody gets a 500, whoever is told to try
again is not in the queue, and everyone told "you are in" is."""

import threading
from concurrent.futures import ThreadPoolExecutor

from .harness import OPEN_DEPARTMENT, Citizen, start_office

CITIZENS = 200


def test_a_knock_storm_on_two_processes_gives_no_500_and_no_orphaned_place(own_postgres, tmp_path):
    office = start_office(
        tmp_path,
        own_postgres.url,
        MAX_WAITING_PER_DEPARTMENT="1000",
        RATE_KNOCK="1000",  # all 200 come from 127.0.0.1; the limit has tests of its own
    )
    try:
        office.shell(OPEN_DEPARTMENT)
        citizens = [Citizen(office.processes[n % 2].url) for n in range(CITIZENS)]
        tokens = [c.knock_form("wohngeld") for c in citizens]
        start = threading.Barrier(CITIZENS)

        def knock(n: int) -> tuple[int, str]:
            start.wait()
            return citizens[n].knock("wohngeld", tokens[n], f"Sturm {n}")

        with ThreadPoolExecutor(max_workers=CITIZENS) as pool:
            results = list(pool.map(knock, range(CITIZENS)))

        statuses = sorted({status for status, _ in results})
        assert set(statuses) <= {302, 503}, [r for r in results if r[0] not in (302, 503)][:3]
        admitted = {
            location.rstrip("/").rsplit("/", 1)[-1] for status, location in results if status == 302
        }
        stored = set(
            office.shell(
                "from buergerbuero.waiting.models import QueueEntry\n"
                "print(' '.join(QueueEntry.objects.values_list('pk', flat=True)))"
            ).split()
        )
        # Everyone told "you are in" is in; nobody told "try again" is.
        assert stored == admitted
        # With a bounded pool the crowd is served, not refused.
        assert len(admitted) == CITIZENS, statuses
        log = office.log_text()
        assert "too many clients" not in log
        assert "Traceback" not in log, log[-3000:]
    finally:
        office.stop()
