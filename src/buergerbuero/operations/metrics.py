"""/metrics for Prometheus (docs/operations.md, "Metrics").

Served by `middleware.ProbeMiddleware` before the session and host machinery, and only to
`METRICS_ALLOWED_NETWORKS` (and, with `METRICS_TOKEN`, only with that bearer token);
everybody else gets the office's ordinary 404, as if there were no such page.

Three kinds of numbers:
- read from the database at scrape time by `OfficeCollector` (who waits per department,
  staff available, active calls, mails queued and given up): right whichever process is
  asked and after any restart, and never counted up and down in many places;
- observed by the domain when they happen (`buergerbuero.metrics`: admission waits,
  consultation lengths, mail attempts, purge runs);
- this process's traffic: HTTP requests by view and status (`observe_request`), open
  WebSockets per endpoint (`live/connections.py`, which also tells them to reconnect
  elsewhere when the process stops), database queries and its connection pool
  (`db_metrics.py`).

With PROMETHEUS_MULTIPROC_DIR set (e.g. `uvicorn --workers N` on one port), the numbers of
every process are summed from that directory; without it each process serves its own
and Prometheus scrapes each process's port.
"""

import hmac
import ipaddress
import os
import time

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from buergerbuero.bookings.models import OutgoingMail
from buergerbuero.calls.models import Room
from buergerbuero.departments.models import Department
from buergerbuero.office.status import staffing
from buergerbuero.waiting.models import EntryState, QueueEntry

from .db_metrics import PoolCollector

PATH = "/metrics"
MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

http_requests = Counter(
    "bb_http_requests", "HTTP requests answered, by view and status.", ["view", "status"]
)
http_duration = Histogram(
    "bb_http_request_duration_seconds",
    "Time to answer an HTTP request, by view.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class OfficeCollector(Collector):
    """Gauges read from the database when Prometheus asks: six small queries. With the
    database away they are left out and `bb_database_up` is 0 (the process's own numbers
    are still served: a scrape must not fail with the thing it should report)."""

    def collect(self):
        try:
            families = list(self._from_database())
        except DatabaseError:
            families = []
        yield GaugeMetricFamily(
            "bb_database_up",
            "Whether this scrape could read the office's numbers from the database.",
            1 if families else 0,
        )
        yield from families

    def _from_database(self):
        slugs = dict(Department.objects.values_list("pk", "slug"))
        waiting = GaugeMetricFamily(
            "bb_waiting_citizens",
            "Citizens waiting in a department's queue.",
            labels=["department"],
        )
        counts = dict(
            QueueEntry.objects.filter(state=EntryState.WAITING)
            .values_list("department_id")
            .annotate(n=Count("pk"))
        )
        staff = GaugeMetricFamily(
            "bb_staff_available",
            "Staff members available (at the console, in a call or not), by department.",
            labels=["department"],
        )
        available = staffing(slugs)
        calls = GaugeMetricFamily(
            "bb_active_calls", "Consultations going on, by department.", labels=["department"]
        )
        active = dict(
            Room.objects.filter(ended_at__isnull=True)
            .values_list("department_id")
            .annotate(n=Count("pk"))
        )
        for pk, slug in sorted(slugs.items(), key=lambda item: item[1]):
            waiting.add_metric([slug], counts.get(pk, 0))
            staff.add_metric([slug], available.get(pk, (0, 0))[0])
            calls.add_metric([slug], active.get(pk, 0))
        yield waiting
        yield staff
        yield calls
        mails = OutgoingMail.objects.filter(sent_at__isnull=True).aggregate(
            queued=Count("pk", filter=Q(attempts__lt=settings.MAIL_MAX_ATTEMPTS)),
            failed=Count("pk", filter=Q(attempts__gte=settings.MAIL_MAX_ATTEMPTS)),
        )
        yield GaugeMetricFamily(
            "bb_mails_queued", "Booking mails not sent yet that will be tried.", mails["queued"]
        )
        yield GaugeMetricFamily(
            "bb_mails_failed",
            "Booking mails given up after MAIL_MAX_ATTEMPTS (see the admin's outgoing mails).",
            mails["failed"],
        )


def registry() -> CollectorRegistry:
    """What one scrape reads: every process's numbers from the multiprocess directory, or
    this process's own; plus the office's gauges from the database."""
    if os.environ.get(MULTIPROC_DIR_VARIABLE):
        scraped = CollectorRegistry()
        multiprocess.MultiProcessCollector(scraped)
    else:
        scraped = CollectorRegistry()
        scraped.register(_ProcessMetrics())
    scraped.register(OfficeCollector())
    scraped.register(PoolCollector())
    return scraped


class _ProcessMetrics(Collector):
    """This process's default registry (its counters, histograms, the Python and process
    collectors), added to a scrape's registry without registering the office's collector
    there for good."""

    def collect(self):
        return REGISTRY.collect()


def allowed(request: HttpRequest) -> bool:
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if not any(address in network for network in settings.METRICS_ALLOWED_NETWORKS):
        return False
    token = settings.METRICS_TOKEN
    if not token:
        return True
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def metrics(request: HttpRequest) -> HttpResponse:
    # The format the scraper asks for (Prometheus 3 prefers OpenMetrics); plain text 0.0.4
    # without an Accept header.
    encode, content_type = choose_encoder(request.headers.get("accept", ""))
    response = HttpResponse(encode(registry()), content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response


def observe_request(request: HttpRequest, status: int, started: float) -> None:
    """One answered request: its view's name (never its path, which may hold a booking
    token), its status and how long it took."""
    match = getattr(request, "resolver_match", None)
    view = (match.view_name or "unnamed") if match is not None else "unresolved"
    http_requests.labels(view, str(status)).inc()
    http_duration.labels(view).observe(time.perf_counter() - started)


def process_exited(pid: int) -> None:
    """In multiprocess mode, forget a stopped process's live gauges (its open sockets)."""
    if os.environ.get(MULTIPROC_DIR_VARIABLE):
        multiprocess.mark_process_dead(pid)
