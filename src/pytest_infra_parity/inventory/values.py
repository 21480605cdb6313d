"""Reading loosely typed property values (template properties, API answers) into the model's types.

Every helper passes :data:`~pytest_infra_parity.inventory.model.UNKNOWN` through: a value only known
after apply stays unknown, it never becomes ``False`` or ``0``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pytest_infra_parity.inventory.model import UNKNOWN


def dig(value: Any, *path: str | int) -> Any:
    """``value[p0][p1]...``; ``None`` when a step is missing, UNKNOWN when a step is unknown."""
    for step in path:
        if value is UNKNOWN:
            return UNKNOWN
        if isinstance(step, int):
            if not isinstance(value, list) or len(value) <= step:
                return None
            value = value[step]
        elif isinstance(value, Mapping):
            value = value.get(step)
        else:
            return None
    return value


def default(value: Any, fallback: Any) -> Any:
    """``value``, or ``fallback`` when it is ``None`` or ``""`` (never tests UNKNOWN's truth)."""
    return fallback if value is None or (isinstance(value, (str, list)) and not value) else value


def as_bool(value: Any, default: bool | None = None) -> Any:
    """``True``/``False`` from a bool or its text (``"true"``, ``"Enabled"``); UNKNOWN passes; else default."""
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "enabled", "active", "yes"):
            return True
        if text in ("false", "disabled", "passthrough", "no", "suspended"):
            return False
    return default


def as_int(value: Any) -> Any:
    """An int from an int or its text; UNKNOWN passes; ``None`` when absent or not a number."""
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            try:
                number = float(value.strip())
            except ValueError:
                return None
            return int(number) if number.is_integer() else None
    return None


def as_number(value: Any) -> Any:
    """A float (or int) from a number or its text; UNKNOWN passes; ``None`` otherwise."""
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() else number
    return None


def as_text(value: Any) -> Any:
    """Text, UNKNOWN, or ``None`` when absent."""
    if value is UNKNOWN or value is None:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def as_json(value: Any) -> Any:
    """A JSON document given as text or already parsed (CloudFormation accepts both); UNKNOWN passes."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def contains_unknown(value: Any) -> bool:
    """True when UNKNOWN appears anywhere in ``value``."""
    if value is UNKNOWN:
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_unknown(v) for v in value)
    return False


def arn_resource(arn: str) -> str:
    """The resource part of an ARN (``table/jobs`` of ``arn:aws:dynamodb:r:a:table/jobs``), or ``""``."""
    parts = arn.split(":", 5)
    return parts[5] if len(parts) == 6 and parts[0] == "arn" else ""


def identifiers(*values: Any) -> set[str]:
    """Every way a dimension, a policy or a redrive target may name a resource with these ids.

    For each known text value: itself; for an ARN also its resource part, the part after the first
    ``/`` or ``:`` (``app/lb/123`` of a load balancer, ``fn:live`` of a Lambda alias) and the last
    segment; for a queue URL its last path segment.
    """
    found: set[str] = set()
    for value in values:
        if not isinstance(value, str) or not value:
            continue
        found.add(value)
        resource = arn_resource(value)
        if resource:
            found.add(resource)
            for separator in ("/", ":"):
                if separator in resource:
                    found.add(resource.split(separator, 1)[1])
            found.add(resource.replace(":", "/").rsplit("/", 1)[-1])
        elif value.startswith(("https://", "http://")):
            found.add(value.rstrip("/").rsplit("/", 1)[-1])
    found.discard("")
    found.discard("*")
    return found
