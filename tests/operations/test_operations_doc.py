"""The runbook's example Prometheus configuration (docs/operations.md, "Prometheus" and
"Alerts") is valid YAML of the right shape, and every `bb_*` series its alert rules ask
for is in a real scrape of /metrics, so a renamed metric cannot leave an alert that
silently never fires."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.db import connection
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from ..factories import make_department

RUNBOOK = Path(settings.BASE_DIR) / "docs" / "operations.md"
SERIES = re.compile(r"\bbb_[a-z0-9_]+\b")
DURATION = re.compile(r"^[0-9]+[smhd]$")
# The connection pool exists with PostgreSQL only (settings.py, OPTIONS["pool"]).
POSTGRESQL_ONLY = {"bb_db_pool_requests_failed_total", "bb_db_pool_waiting"}


def yaml_blocks() -> list:
    text = RUNBOOK.read_text()
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def block_with(key: str) -> dict:
    found = [block for block in yaml_blocks() if isinstance(block, dict) and key in block]
    assert len(found) == 1, f"one YAML block with {key} in {RUNBOOK.name}"
    return found[0]


def test_the_scrape_config_asks_each_process_for_metrics_and_readiness():
    jobs = {job["job_name"]: job for job in block_with("scrape_configs")["scrape_configs"]}
    assert set(jobs) == {"buergerbuero", "buergerbuero-ready"}
    metrics = jobs["buergerbuero"]
    assert metrics["metrics_path"] == "/metrics"
    assert DURATION.match(metrics["scrape_interval"])
    targets = metrics["static_configs"][0]["targets"]
    assert targets and all(re.fullmatch(r"[a-z0-9.-]+:[0-9]+", t) for t in targets)
    ready = jobs["buergerbuero-ready"]
    probed = ready["static_configs"][0]["targets"]
    assert [t.rsplit("/", 1)[-1] for t in probed] == ["readyz"] * len(probed)
    assert {t.split("//")[1].split("/")[0] for t in probed} == set(targets)


@pytest.fixture
def rules() -> list[dict]:
    groups = block_with("groups")["groups"]
    assert [group["name"] for group in groups] == ["buergerbuero"]
    return groups[0]["rules"]


def test_the_alert_rules_have_what_prometheus_needs(rules):
    assert len(rules) >= 3
    for rule in rules:
        assert set(rule) == {"alert", "expr", "for", "labels", "annotations"}, rule
        assert re.fullmatch(r"[A-Za-z]+", rule["alert"])
        assert DURATION.match(rule["for"])
        assert rule["labels"]["severity"] in {"page", "ticket"}
        assert set(rule["annotations"]) == {"summary", "runbook"}
        # Balanced brackets: a cut-off expression would not load in Prometheus either.
        for opening, closing in ("()", "[]", "{}"):
            assert rule["expr"].count(opening) == rule["expr"].count(closing), rule["expr"]
    assert len({rule["alert"] for rule in rules}) == len(rules)


@pytest.mark.django_db(transaction=True)
def test_every_series_the_alerts_name_is_in_a_real_scrape(rules):
    make_department(slug="alerts-wohngeld")  # the gauges by department have a sample
    response = Client().get("/metrics")
    assert response.status_code == 200
    scraped = {
        sample.name
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }
    named = {name for rule in rules for name in SERIES.findall(rule["expr"])}
    assert named >= {"bb_waiting_citizens", "bb_staff_available", "bb_mails_failed"}
    expected = named if connection.vendor == "postgresql" else named - POSTGRESQL_ONLY
    assert expected - scraped == set()
