"""A Lambda handler wrapper that injects the faults described by the ``INFRA_PARITY_FAULTS`` variable.

Standard library only, so the same file works in the plugin's local runtime and on a real Lambda
function: ship it with the code (or in a layer, ``python/faults_wrapper.py``), set the function's
``Handler`` to ``faults_wrapper.handler`` and ``INFRA_PARITY_HANDLER`` to the real handler
(``module.function``); ``INFRA_PARITY_FAULTS`` then switches faults on without a code change. This is
the wrapper pattern of Lambda's own tooling (a handler that loads the one named by an environment
variable, as Lambda layers for observability do), see "Lambda environment variables" in the Lambda
developer guide.

``INFRA_PARITY_FAULTS`` is JSON: ``{"seed": 4, "faults": {"<function>:<version>" | "<function>" | "*":
{"error_rate": 0.05, "latency_ms": 200, "timeout": false, "env": {"REDIS_PORT": "1"}}}}``. The most
specific key wins. Whether one invocation fails is decided by a hash of the seed, the key and the
invocation's request id, so a run is reproducible for a given seed and sequence of request ids (the
local runtime derives request ids from the seed; on AWS they are random and only the rate holds).
``env`` overrides environment variables for the duration of the invocation (a dependency made
unavailable: its endpoint pointed at a closed port); the original values come back afterwards.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import time
from collections.abc import Callable
from typing import Any

FAULTS_ENV = "INFRA_PARITY_FAULTS"
HANDLER_ENV = "INFRA_PARITY_HANDLER"
Handler = Callable[[Any, Any], Any]

_cache: dict[str, Any] = {"raw": None, "config": {}}


class InjectedFault(Exception):
    """The error an invocation selected for failure raises (reported by Lambda as an unhandled error)."""


def draw(seed: int, key: str, request_id: str) -> float:
    """A number in [0, 1) fixed by the seed, the fault key and the request id (pure)."""
    digest = hashlib.sha256(f"{seed}:{key}:{request_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def parse(raw: str | None) -> dict[str, Any]:
    """The configuration in ``raw`` (cached by value); an empty or invalid value means no fault."""
    if raw == _cache["raw"]:
        return dict(_cache["config"])
    config: dict[str, Any] = {}
    if raw:
        try:
            loaded = json.loads(raw)
        except ValueError:
            loaded = {}
        config = loaded if isinstance(loaded, dict) else {}
    _cache["raw"], _cache["config"] = raw, config
    return dict(config)


def select(config: dict[str, Any], function: str, version: str) -> tuple[str, dict[str, Any]]:
    """The key and fault for ``function:version``: exact version, then function, then ``*``."""
    faults = config.get("faults") or {}
    for key in (f"{function}:{version}", function, "*"):
        fault = faults.get(key)
        if isinstance(fault, dict):
            return key, fault
    return "", {}


def _swap_env(overrides: dict[str, Any]) -> dict[str, str | None]:
    saved = {name: os.environ.get(name) for name in overrides}
    for name, value in overrides.items():
        os.environ[str(name)] = str(value)
    return saved


def _restore_env(saved: dict[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _remaining_seconds(context: Any) -> float:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return float(remaining()) / 1000 if callable(remaining) else 900.0


def wrap(handler: Handler) -> Handler:
    """``handler`` with the faults of ``INFRA_PARITY_FAULTS`` applied before each call."""

    def wrapped(event: Any, context: Any) -> Any:
        config = parse(os.environ.get(FAULTS_ENV))
        function = str(getattr(context, "function_name", "") or os.environ.get("AWS_LAMBDA_FUNCTION_NAME", ""))
        version = str(getattr(context, "function_version", "") or os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", ""))
        key, fault = select(config, function, version)
        if not fault:
            return handler(event, context)
        saved = _swap_env(dict(fault.get("env") or {}))
        try:
            latency = float(fault.get("latency_ms") or 0) / 1000
            if latency > 0:
                time.sleep(latency)
            if fault.get("timeout"):
                time.sleep(_remaining_seconds(context) + 1.0)  # the runtime stops the invocation first
            rate = float(fault.get("error_rate") or 0)
            request_id = str(getattr(context, "aws_request_id", ""))
            if rate > 0 and draw(int(config.get("seed") or 0), key, request_id) < rate:
                raise InjectedFault(f"infra-parity injected fault: {rate:.2%} of the requests of {key} fail")
            return handler(event, context)
        finally:
            _restore_env(saved)

    return wrapped


def load_handler(spec: str) -> Handler:
    """The function named ``module.attribute`` (``a/b.handler`` and ``a.b.handler`` both accepted)."""
    module_name, _, attribute = spec.replace("/", ".").rpartition(".")
    if not module_name:
        raise ValueError(f"handler {spec!r} must be module.function")
    module = importlib.import_module(module_name)
    found: Handler = getattr(module, attribute)
    return found


_real: dict[str, Handler] = {}


def handler(event: Any, context: Any) -> Any:
    """Lambda entry point on AWS: the handler named by ``INFRA_PARITY_HANDLER``, with faults."""
    spec = os.environ.get(HANDLER_ENV, "")
    if spec not in _real:
        _real[spec] = wrap(load_handler(spec))
    return _real[spec](event, context)
