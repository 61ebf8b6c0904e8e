"""Several uvicorn processes with one PROMETHEUS_MULTIPROC_DIR: whichever is scraped
answers for all of them (requests summed, open sockets of the living processes), and a
stopped process's sockets stop counting."""

import secrets
import urllib.request

from prometheus_client.parser import text_string_to_metric_families
from websockets.sync.client import connect

from ..server import Uvicorn, manage, server_env

WATCHERS = ("bb_websocket_connections", (("endpoint", "status"),))


def scrape(process: Uvicorn) -> dict[tuple[str, tuple], float]:
    with urllib.request.urlopen(process.url + "/metrics", timeout=5) as response:
        text = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def requests_for(samples, view: str) -> float:
    return sum(
        value
        for (name, labels), value in samples.items()
        if name == "bb_http_requests_total" and ("view", view) in labels
    )


def test_one_scrape_answers_for_every_process(tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = server_env(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'metrics.sqlite3'}",
        REDIS_PREFIX=f"bbmetrics{secrets.token_hex(4)}",
        STATUS_PUBSUB_CHANNEL=f"bb:metrics:{secrets.token_hex(4)}",
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
    )
    manage(env, "migrate", "--no-input", "-v0")
    first = Uvicorn(env, ["--log-level", "warning"], tmp_path / "first.log")
    second = Uvicorn(env, ["--log-level", "warning"], tmp_path / "second.log")
    first.start()
    second.start()
    try:
        for process in (first, second, second):
            urllib.request.urlopen(process.url + "/datenschutz/", timeout=5).read()
        with connect(f"ws://127.0.0.1:{first.port}/ws/status/", open_timeout=5) as watcher:
            watcher.recv(timeout=5)
            samples = scrape(second)
            assert samples[WATCHERS] == 1  # the first process's socket, from the second
            assert requests_for(samples, "privacy:notice") == 3
            # Database queries of both processes (their startup, tickers, sessions).
            selects = ("bb_db_queries_total", (("database", "default"), ("kind", "SELECT")))
            timed = ("bb_db_query_duration_seconds_count", (("database", "default"),))
            assert samples[selects] > 0
            assert samples[timed] > 0
            assert scrape(first)[WATCHERS] == 1  # the same from either
            first.stop()  # SIGTERM: the socket is told to reconnect and closed
        samples = scrape(second)
        assert samples[WATCHERS] == 0
        assert requests_for(samples, "privacy:notice") == 3  # counters outlive the process
    finally:
        first.stop()
        second.stop()
    for process in (first, second):
        assert "Traceback" not in process.log_path.read_text()
