"""The ``observability`` aspect: which metrics have alarms, log retention, X-Ray tracing.

Alarmed metrics are compared by metric name (``Errors``, ``5xx``,
``ApproximateNumberOfMessagesVisible``); alarm names differ across sources and are only shown. An
alarm that only *may* watch the resource (``possible_alarms``: its dimension is known only after
apply) makes a missing metric unknown rather than a difference. Log
retention is CloudWatch Logs ``retentionInDays`` (CloudWatch Logs API Reference, PutRetentionPolicy:
absent means the events never expire); tracing is Lambda ``TracingConfig.Mode`` Active / API stage
X-Ray tracing, as the inventory model normalizes them.
"""

from __future__ import annotations

from typing import Any

from pytest_infra_parity.inventory.model import UNKNOWN, Observability, is_unknown
from pytest_infra_parity.parity.aspects.base import Context
from pytest_infra_parity.parity.report import PairResult


def _alarm_names(observability: Observability, metric: str) -> str:
    return ", ".join(sorted(ref.alarm for ref in observability.alarms if ref.metric == metric))


def compare_observability(context: Context, pair: PairResult) -> None:
    """Alarmed metrics missing on a side, then log retention and tracing."""
    obs_a, obs_b = pair.a.observability, pair.b.observability
    metrics_a, metrics_b = obs_a.metrics_alarmed(), obs_b.metrics_alarmed()
    for metric in sorted(metrics_a ^ metrics_b):
        attribute, value_a, value_b = f"alarm on {metric}", _alarm_names(obs_a, metric), _alarm_names(obs_b, metric)
        missing = obs_b if metric in metrics_a else obs_a
        maybe = sorted(ref.alarm for ref in missing.possible_alarms if ref.metric == metric)
        if maybe:
            pair.unknown("observability", attribute, value_a or UNKNOWN, value_b or UNKNOWN,
                         f"{', '.join(maybe)} may watch it: its dimension is known only after apply")
        else:
            pair.differ("observability", attribute, value_a or None, value_b or None)
    _compare_value(pair, "log retention days", obs_a.log_retention_days, obs_b.log_retention_days, "never expire")
    _compare_value(pair, "tracing", obs_a.tracing, obs_b.tracing, "not set")


def _compare_value(pair: PairResult, attribute: str, value_a: Any, value_b: Any, none_text: str) -> None:
    if value_a is value_b or (not is_unknown(value_a) and not is_unknown(value_b) and value_a == value_b):
        return
    if is_unknown(value_a) or is_unknown(value_b):
        pair.unknown("observability", attribute, value_a, value_b, f"{attribute}: known only after apply")
        return
    pair.differ("observability", attribute, none_text if value_a is None else value_a,
                none_text if value_b is None else value_b)
