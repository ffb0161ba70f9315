"""The Grafana dashboard names only metrics and labels the code exports (it cannot drift silently)."""
import json
import re
from pathlib import Path

from prometheus_client.metrics import MetricWrapperBase

import shared.consumer.metrics as consumer_metrics
import shared.http.metrics as http_metrics
import shared.outbox.metrics as relay_metrics

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "pdz-platform.json"
SUFFIXES = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_sum", "_count")}


def exported() -> dict[str, set[str]]:
    """Every series name the code can export, with the labels it may carry."""
    names = {}
    for module in (consumer_metrics, http_metrics, relay_metrics):
        for metric in vars(module).values():
            if isinstance(metric, MetricWrapperBase):
                for suffix in SUFFIXES[metric._type]:
                    labels = set(metric._labelnames) | ({"le"} if suffix == "_bucket" else set())
                    names[metric._name + suffix] = labels
    return names


def expressions() -> list[str]:
    document = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [target["expr"] for panel in document["panels"] for target in panel.get("targets", [])]


def test_every_series_and_label_in_the_dashboard_is_exported():
    names = exported()
    exprs = expressions()
    assert len(exprs) >= 15
    for expr in exprs:
        series = re.findall(r"\b(pdz_[a-z_]+)", expr)
        assert series, expr
        allowed = set().union(*(names.get(s, set()) for s in series))
        for name in series:
            assert name in names, f"{name} is not exported by the code ({expr})"
        grouped = [label.strip() for group in re.findall(r"by \(([^)]*)\)", expr) for label in group.split(",")]
        matched = re.findall(r"([a-z_]+)\s*(?:=~|!=|=)", "".join(re.findall(r"\{([^}]*)\}", expr)))
        for label in grouped + matched:
            assert label in allowed, f"label {label!r} is not on {series} ({expr})"
