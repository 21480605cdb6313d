"""The optional ``settings`` aspect: the per-kind settings both sources describe (PITR, TTL, DLQ...).

Only keys present on both sides are compared (an absent key means the source does not describe it,
inventory model). References to other resources (a queue's or a function's dead-letter queue, SQS
Developer Guide "Using dead-letter queues": the redrive policy's ``deadLetterTargetArn``) are
resolved in their own inventory and must be a matched pair; alarm actions and dimensions name
resources by ARN or name and are left to the pairing of those resources.
"""

from __future__ import annotations

from typing import Any, Final

from pytest_infra_parity.inventory.model import is_unknown
from pytest_infra_parity.parity.aspects.base import Context
from pytest_infra_parity.parity.report import PairResult

_REFERENCES: Final[dict[str, frozenset[str]]] = {
    "dlq": frozenset({"queue", "topic"}),
    "bucket": frozenset({"bucket"}),
    "function": frozenset({"function"}),
    "cluster": frozenset({"cluster"}),
    "log_group_name": frozenset({"log group"}),
    "target_key": frozenset({"key"}),
    "target_key_id": frozenset({"key"}),
}
"""Settings naming another resource, and its kinds; ``<name>_ref`` (the resource's name in the same
source) stands in when the value itself is only known after apply."""
_SKIPPED: Final = frozenset({"actions", "dimensions", "dimension_refs", "metrics", "policy", "api", "key_manager"})


def compare_settings(context: Context, pair: PairResult) -> None:
    """Each shared setting; references resolved; unknown values -> unknown."""
    settings_a, settings_b = pair.a.settings, pair.b.settings
    for key in sorted(settings_a.keys() & settings_b.keys()):
        if key in _SKIPPED or key.endswith("_ref"):
            continue
        value_a, value_b = settings_a[key], settings_b[key]
        if key in _REFERENCES:
            value_a = _with_ref(settings_a, key, value_a)
            value_b = _with_ref(settings_b, key, value_b)
            context.compare_reference(pair, "settings", key, value_a, value_b, _REFERENCES[key])
        elif is_unknown(value_a) or is_unknown(value_b):
            pair.unknown("settings", key, value_a, value_b, f"{key} is known only after apply")
        elif _normal(value_a) != _normal(value_b):
            pair.differ("settings", key, value_a, value_b)


def _with_ref(settings: dict[str, Any], key: str, value: Any) -> Any:
    ref = settings.get(f"{key}_ref")
    return ref if is_unknown(value) and ref is not None else value


def _normal(value: object) -> object:
    if isinstance(value, list | tuple):
        try:
            return sorted(value)
        except TypeError:
            return list(value)
    return value
