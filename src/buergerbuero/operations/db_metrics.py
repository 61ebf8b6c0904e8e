"""Database metrics for /metrics (docs/operations.md, "Metrics"): every query this process
runs, how long it took and whether it failed, and the state of its PostgreSQL connection
pool.

Queries are observed by a Django execute wrapper put on every database connection as it
is created (`install`, connected to `connection_created` in apps.py), so every query of
the ORM, of raw cursors and of the probes counts, whichever thread runs it. Labels are
the database alias and the statement's kind (its first keyword), never its text or
parameters, which hold personal data.

The pool (psycopg_pool, OPTIONS["pool"] in settings.py) is read at scrape time by
`PoolCollector`: one process's pool, as each process has its own.
"""

import time

from django.db import connections
from prometheus_client import Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

KINDS = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE"})

queries = Counter(
    "bb_db_queries",
    "Database queries run by this process, by database and kind of statement.",
    ["database", "kind"],
)
query_errors = Counter(
    "bb_db_query_errors",
    "Database queries that failed (refused, lost connection, constraint), by database.",
    ["database"],
)
query_duration = Histogram(
    "bb_db_query_duration_seconds",
    "Time a database query took, by database.",
    ["database"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


def kind(sql: str) -> str:
    """SELECT, INSERT, UPDATE, DELETE or other (transactions, savepoints, DDL, PRAGMA)."""
    first = sql.lstrip()[:7].split(None, 1)
    word = first[0].upper() if first else ""
    return word if word in KINDS else "other"


def observe(execute, sql, params, many, context):
    database = context["connection"].alias
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    except Exception:
        query_errors.labels(database).inc()
        raise
    finally:
        queries.labels(database, kind(sql)).inc()
        query_duration.labels(database).observe(time.perf_counter() - started)


def install(sender, connection, **kwargs) -> None:
    """On `connection_created`: the wrappers belong to the connection's wrapper object,
    which lives on across reconnects, so it is added once."""
    if observe not in connection.execute_wrappers:
        connection.execute_wrappers.append(observe)


class PoolCollector(Collector):
    """This process's connection pools (PostgreSQL with OPTIONS["pool"]); nothing for
    SQLite or a database without a pool."""

    def collect(self):
        pools = [
            # The PostgreSQL backend's pool (psycopg_pool.ConnectionPool), made on first use.
            (alias, getattr(connections[alias], "pool", None))
            for alias in connections
            if connections[alias].vendor == "postgresql"
            and connections[alias].settings_dict.get("OPTIONS", {}).get("pool")
        ]
        gauges = {
            "pool_max": ("bb_db_pool_max", "Most connections this process's pool may open."),
            "pool_size": ("bb_db_pool_size", "Connections this process's pool holds open now."),
            "pool_available": (
                "bb_db_pool_available",
                "Open connections of this process's pool that are idle.",
            ),
            "requests_waiting": (
                "bb_db_pool_waiting",
                "Requests of this process waiting for a connection from its pool.",
            ),
        }
        counters = {
            "requests_errors": (
                "bb_db_pool_requests_failed",
                "Requests that got no connection from the pool (DB_POOL_TIMEOUT passed).",
            ),
            "connections_errors": (
                "bb_db_pool_connection_errors",
                "Attempts of the pool to open a connection that failed.",
            ),
        }
        families = {
            key: GaugeMetricFamily(name, text, labels=["database"])
            for key, (name, text) in gauges.items()
        } | {
            key: CounterMetricFamily(name, text, labels=["database"])
            for key, (name, text) in counters.items()
        }
        for alias, pool in pools:
            if pool is None:
                continue
            stats = pool.get_stats()
            for key, family in families.items():
                family.add_metric([alias], stats.get(key, 0))
        if pools:
            yield from families.values()
