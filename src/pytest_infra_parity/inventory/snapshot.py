"""Inventories saved to JSON and read back, for before/after comparisons.

The file is one JSON object::

    {"format": "pytest-infra-parity/inventory", "version": 1, "source": "...", "warnings": [...],
     "resources": [{"kind": ..., "cfn_type": ..., "name": ..., "tags": {...}, "encryption": {...},
                    "observability": {...}, "settings": {...}, ...}]}

:data:`~.model.UNKNOWN` is written explicitly as ``{"$unknown": true}`` wherever it appears, so
"known after apply" survives the round trip (and stays distinct from ``null``, "known absent").
A file of another format, a newer version, a truncated or malformed one raises
:class:`~pytest_infra_parity.errors.SourceError` naming the file (and the line for JSON syntax errors).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_infra_parity.errors import SourceError
from pytest_infra_parity.inventory.model import (
    ENCRYPTION_MODES,
    UNKNOWN,
    AlarmRef,
    Encryption,
    Inventory,
    Observability,
    Resource,
)

FORMAT = "pytest-infra-parity/inventory"
VERSION = 1
_UNKNOWN_MARK = "$unknown"


def _encode(value: Any) -> Any:
    if value is UNKNOWN:
        return {_UNKNOWN_MARK: True}
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if value == {_UNKNOWN_MARK: True}:
            return UNKNOWN
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _alarm_refs(refs: list[AlarmRef]) -> list[dict[str, str]]:
    return [{"alarm": r.alarm, "metric": r.metric, "namespace": r.namespace} for r in refs]


def _resource(resource: Resource) -> dict[str, Any]:
    obs = resource.observability
    encoded: dict[str, Any] = _encode({
        "kind": resource.kind, "cfn_type": resource.cfn_type, "name": resource.name, "source": resource.source,
        "native_type": resource.native_type, "physical_id": resource.physical_id, "arn": resource.arn,
        "region": resource.region, "account": resource.account, "tags": resource.tags,
        "taggable": resource.taggable,
        "encryption": None if resource.encryption is None else {"mode": resource.encryption.mode,
                                                                "key": resource.encryption.key},
        "observability": {"alarms": _alarm_refs(obs.alarms), "possible_alarms": _alarm_refs(obs.possible_alarms),
                          "log_group": obs.log_group, "log_retention_days": obs.log_retention_days,
                          "tracing": obs.tracing},
        "settings": resource.settings, "location": resource.location,
    })
    return encoded


def dump(inventory: Inventory) -> dict[str, Any]:
    """The JSON-ready document of an inventory."""
    return {"format": FORMAT, "version": VERSION, "source": inventory.source, "warnings": list(inventory.warnings),
            "resources": [_resource(r) for r in inventory.resources]}


def save(inventory: Inventory, path: Path | str) -> Path:
    """Write ``inventory`` to ``path`` (folders created); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dump(inventory), indent=1, sort_keys=False) + "\n", encoding="utf-8")
    return path


def read_json(path: Path | str) -> Any:
    """A JSON file's content; unreadable, truncated or malformed JSON is a SourceError with the line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError("file not found", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read the file: {exc}", path=path) from None
    if not text.strip():
        raise SourceError("the file is empty", path=path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if _truncated(text, exc):
            message = f"truncated JSON: the file ends inside a value ({exc.msg}, column {exc.colno})"
        else:
            message = f"not valid JSON: {exc.msg} (column {exc.colno})"
        raise SourceError(message, path=path, line=exc.lineno) from None


def _truncated(text: str, exc: json.JSONDecodeError) -> bool:
    """The error comes from the text ending early (a cut download, a disk full), not from bad syntax."""
    end = len(text.rstrip())
    if exc.pos >= end - 1:
        return True
    return exc.msg.startswith("Unterminated string") and '"' not in text[exc.pos + 1:]


def load(path: Path | str) -> Inventory:
    """Read a snapshot file."""
    return parse(read_json(path), Path(path))


def parse(data: Any, path: Path | str | None = None) -> Inventory:
    """An inventory from a snapshot document; ``path`` names it in errors."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise SourceError(f"not an inventory snapshot (format {found!r}, expected {FORMAT!r})", path=path)
    version = data.get("version")
    if not isinstance(version, int) or version < 1 or version > VERSION:
        raise SourceError(f"snapshot version {version!r} is not supported (this plugin reads 1 to {VERSION})",
                          path=path)
    resources = data.get("resources")
    if not isinstance(resources, list):
        raise SourceError("snapshot has no 'resources' list", path=path)
    inventory = Inventory(source=f"snapshot {path}" if path else "snapshot",
                          warnings=[str(w) for w in data.get("warnings") or []])
    original = data.get("source")
    if original:
        inventory.source += f" of {original}"
    for index, entry in enumerate(resources):
        try:
            inventory.resources.append(_parse_resource(entry))
        except (KeyError, TypeError, ValueError) as exc:
            raise SourceError(f"resources[{index}] is not a valid resource: {exc}", path=path) from None
    return inventory


def _parse_refs(entries: Any) -> list[AlarmRef]:
    return [AlarmRef(str(e["alarm"]), str(e["metric"]), str(e.get("namespace", ""))) for e in entries or []]


def _parse_resource(entry: Any) -> Resource:
    if not isinstance(entry, dict):
        raise TypeError(f"expected an object, found {type(entry).__name__}")
    data = _decode(entry)
    for key in ("kind", "cfn_type", "name"):
        if not isinstance(data.get(key), str):
            raise KeyError(f"{key!r} is missing or not text")
    enc = data.get("encryption")
    if enc is not None and (not isinstance(enc, dict) or enc.get("mode") not in ENCRYPTION_MODES):
        raise ValueError(f"encryption {enc!r} has no valid mode ({', '.join(ENCRYPTION_MODES)})")
    obs = data.get("observability") or {}
    settings = data.get("settings") or {}
    if not isinstance(settings, dict) or not isinstance(obs, dict):
        raise TypeError("'settings' and 'observability' must be objects")
    return Resource(
        kind=data["kind"], cfn_type=data["cfn_type"], name=data["name"], source="snapshot",
        native_type=str(data.get("native_type") or ""), physical_id=data.get("physical_id"),
        arn=data.get("arn"), region=data.get("region"), account=data.get("account"),
        tags=data.get("tags") if data.get("tags") is not None else {}, taggable=bool(data.get("taggable", True)),
        encryption=None if enc is None else Encryption(enc["mode"], enc.get("key")),
        observability=Observability(
            alarms=_parse_refs(obs.get("alarms")), possible_alarms=_parse_refs(obs.get("possible_alarms")),
            log_group=obs.get("log_group"), log_retention_days=obs.get("log_retention_days"),
            tracing=obs.get("tracing"),
        ),
        settings=settings, location=data.get("location"),
    )
