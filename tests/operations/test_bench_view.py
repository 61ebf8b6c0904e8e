"""The trivial view bench/pages.py measures against exists only when asked for."""

import importlib
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import clear_url_caches

from buergerbuero import urls

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def reload_urls(settings):
    def reload(enabled: bool) -> None:
        settings.BENCH_TRIVIAL_VIEW = enabled
        importlib.reload(urls)
        clear_url_caches()

    yield reload
    settings.BENCH_TRIVIAL_VIEW = False
    importlib.reload(urls)
    clear_url_caches()


def test_trivial_view_is_not_mounted_by_default(db):
    assert Client().get("/bench/trivial/").status_code == 404


def test_trivial_view_when_the_benchmark_asks_for_it(db, reload_urls):
    reload_urls(True)
    response = Client().get("/bench/trivial/")
    assert (response.status_code, response.content) == (200, b"ok")
    reload_urls(False)
    assert Client().get("/bench/trivial/").status_code == 404


WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:8000/status.json
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    40.12ms   10.00ms  120.00ms   80.00%
    Req/Sec     1.20k   100.00     1.40k    70.00%
  Latency Distribution
     50%   38.00ms
     75%   45.00ms
     90%   55.00ms
     99%    1.20s
  6012 requests in 5.00s, 3.01MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   1202.40
Transfer/sec:    616.00KB
"""


def test_the_benchmark_reads_wrks_report(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    pages = importlib.import_module("pages")
    try:
        assert pages.parse_wrk(WRK_OUTPUT) == {
            "rps": 1202.4,
            "p99_ms": 1200.0,
            "bad": 3,
            "socket_errors": "",
        }
    finally:
        sys.modules.pop("pages", None)
        sys.modules.pop("status_fanout", None)
