"""Prometheus config, rules, alert tests and dashboard agree with the worker's metrics."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

import stream.metrics

REPO = Path(__file__).resolve().parents[2]
PROMETHEUS = REPO / "deploy" / "prometheus"
RECORDING = PROMETHEUS / "rules" / "recording.yml"
ALERTS = PROMETHEUS / "rules" / "alerts.yml"
ALERT_TESTS = PROMETHEUS / "tests" / "alerts_test.yml"
DASHBOARD = REPO / "deploy" / "grafana" / "dashboards" / "listing-guard.json"
PROMTOOL = shutil.which("promtool")
METRIC_NAME = re.compile(r"\blisting_guard[a-zA-Z0-9_:]*")
SAMPLE_SUFFIXES = {
    "counter": ("_total",),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum"),
}

needs_promtool = pytest.mark.skipif(
    PROMTOOL is None,
    reason="promtool is not on PATH (apt-get install prometheus); CI installs it",
)


def exported_names() -> set[str]:
    """Sample names the worker exports: the metric objects of stream.metrics plus their suffixes."""
    names: set[str] = set()
    for metric in vars(stream.metrics).values():
        if isinstance(metric, MetricWrapperBase):
            names.update(metric._name + suffix for suffix in SAMPLE_SUFFIXES[metric._type])
    return names


def rules(path: Path) -> list[dict[str, Any]]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def recorded_names() -> set[str]:
    return {rule["record"] for rule in rules(RECORDING)}


def dashboard_panels() -> list[dict[str, Any]]:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [panel for panel in dashboard["panels"] if panel["type"] != "row"]


def unknown_names(expr: str) -> set[str]:
    return set(METRIC_NAME.findall(expr)) - exported_names() - recorded_names()


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PROMTOOL), *args], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )


@needs_promtool
def test_promtool_accepts_the_config() -> None:
    result = promtool("check", "config", str(PROMETHEUS / "prometheus.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_promtool_accepts_the_rules() -> None:
    result = promtool("check", "rules", str(RECORDING), str(ALERTS))
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_promtool_rule_unit_tests_pass() -> None:
    result = promtool("test", "rules", str(ALERT_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_exported_names_follow_prometheus_client_suffixes() -> None:
    names = exported_names()
    assert "listing_guard_listings_processed_total" in names
    assert "listing_guard_listings_processed" not in names
    assert "listing_guard_decision_latency_seconds_bucket" in names
    assert "listing_guard_table_keys" in names


def test_config_loads_both_rule_files() -> None:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text(encoding="utf-8"))
    loaded = {(PROMETHEUS / name).resolve() for name in config["rule_files"]}
    assert loaded == {RECORDING.resolve(), ALERTS.resolve()}
    assert [job["job_name"] for job in config["scrape_configs"]] == ["listing-guard"]


@pytest.mark.parametrize("path", [RECORDING, ALERTS], ids=lambda path: path.name)
def test_rules_use_only_exported_or_recorded_metrics(path: Path) -> None:
    for rule in rules(path):
        assert METRIC_NAME.search(rule["expr"]), rule["expr"]
        assert not unknown_names(rule["expr"]), (rule.get("record") or rule["alert"], rule["expr"])


def test_dashboard_uses_only_exported_or_recorded_metrics() -> None:
    exprs = [target["expr"] for panel in dashboard_panels() for target in panel["targets"]]
    assert exprs
    for expr in exprs:
        assert METRIC_NAME.search(expr), expr
        assert not unknown_names(expr), expr


def test_dashboard_shows_every_exported_metric() -> None:
    exprs = " ".join(target["expr"] for panel in dashboard_panels() for target in panel["targets"])
    used = set(METRIC_NAME.findall(exprs))
    for rule in rules(RECORDING):
        if rule["record"] in used:
            used.update(METRIC_NAME.findall(rule["expr"]))
    families = {re.sub(r"_(total|bucket|count|sum)$", "", name) for name in used}
    exported = {re.sub(r"_(total|bucket|count|sum)$", "", name) for name in exported_names()}
    assert exported <= families, exported - families


def test_dashboard_is_a_grafana_dashboard_on_a_datasource_variable() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["schemaVersion"] >= 36
    assert dashboard["uid"] == "listing-guard"
    variables = {item["name"]: item for item in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard_panels():
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "${datasource}", panel["title"]


def test_alerts_carry_summary_description_runbook_and_severity() -> None:
    alerts = rules(ALERTS)
    assert {alert["alert"] for alert in alerts} == {
        "ConsumerLagGrowing",
        "DeadLetterRateHigh",
        "NoCandidatesWhileTrafficFlows",
        "DecisionLatencyP99High",
        "WorkerDown",
        "RebalanceStorm",
    }
    for alert in alerts:
        assert set(alert["annotations"]) >= {"summary", "description", "runbook"}, alert["alert"]
        assert "Check:" in alert["annotations"]["runbook"], alert["alert"]
        assert "Do:" in alert["annotations"]["runbook"], alert["alert"]
        assert alert["labels"]["severity"] in {"warning", "critical"}, alert["alert"]


def test_runbooks_name_real_dashboard_panels() -> None:
    titles = {panel["title"] for panel in dashboard_panels()}
    for alert in rules(ALERTS):
        for quoted in re.findall(r'"([^"]+)"', alert["annotations"]["runbook"]):
            assert quoted in titles, (alert["alert"], quoted)


def test_every_alert_has_a_firing_and_a_quiet_unit_test() -> None:
    cases = [
        case
        for test in yaml.safe_load(ALERT_TESTS.read_text(encoding="utf-8"))["tests"]
        for case in test.get("alert_rule_test", [])
    ]
    for alert in rules(ALERTS):
        mine = [case for case in cases if case["alertname"] == alert["alert"]]
        assert any(case["exp_alerts"] for case in mine), f"{alert['alert']} never fires"
        assert any(not case["exp_alerts"] for case in mine), f"{alert['alert']} never stays quiet"


def test_every_recording_rule_has_a_unit_test() -> None:
    tested = {
        case["expr"]
        for test in yaml.safe_load(ALERT_TESTS.read_text(encoding="utf-8"))["tests"]
        for case in test.get("promql_expr_test", [])
    }
    assert recorded_names() <= tested, recorded_names() - tested
