"""LocalStack's health endpoint: one check, and waiting until an instance that is starting answers.

``GET /_localstack/health`` answers ``{"services": {name: state}, "version": ..., "edition": ...}``
once the gateway serves requests; ``GET /_localstack/init`` tells whether the init hooks of each stage
(``ready.d``...) have completed, and the state of each script.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytest_infra_parity.errors import TargetError

HEALTH_PATH = "/_localstack/health"
INIT_PATH = "/_localstack/init"


def _get_json(url: str, timeout: float) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


def fetch_health(endpoint: str, timeout: float = 3.0) -> dict[str, Any]:
    """``GET /_localstack/health``; :class:`TargetError` naming the endpoint when it does not answer."""
    url = endpoint.rstrip("/") + HEALTH_PATH
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise TargetError(
            f"{endpoint} answered HTTP {exc.code} for {HEALTH_PATH}: it is not LocalStack's health endpoint "
            "(check --infra-endpoint)"
        ) from exc
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TargetError(
            f"LocalStack is not reachable at {endpoint} ({reason}). Start LocalStack (`infra-parity localstack "
            "start`), point --infra-endpoint (or LOCALSTACK_ENDPOINT) at it, or use --infra-localstack=start"
        ) from exc
    try:
        health = json.loads(body)
    except ValueError as exc:
        raise TargetError(f"{url} did not answer LocalStack's health document: {body[:200]!r}") from exc
    if not isinstance(health, dict) or "services" not in health:
        raise TargetError(f"{url} answered, but not as LocalStack does (no 'services' in {health!r:.200})")
    return health


def answers(endpoint: str, timeout: float = 1.0) -> bool:
    """Whether a LocalStack answers its health check at ``endpoint`` now."""
    try:
        fetch_health(endpoint, timeout)
    except TargetError:
        return False
    return True


def _hooks_done(endpoint: str) -> bool:
    """The ``ready.d`` hooks have all run; a failed one is an error naming it."""
    try:
        state = _get_json(endpoint.rstrip("/") + INIT_PATH, 2.0)
    except (urllib.error.URLError, OSError, ValueError):
        return False
    failed = [s.get("name") for s in state.get("scripts", []) if s.get("state") == "ERROR"]
    if failed:
        raise TargetError(f"LocalStack init hook(s) failed: {', '.join(map(str, failed))}")
    return bool(state.get("completed", {}).get("READY"))


def wait_ready(endpoint: str, timeout: float, alive: Callable[[], bool] = lambda: True,
               hooks: bool = False, interval: float = 0.1) -> float:
    """Poll the health check until it answers (and the ready hooks ran); the seconds it took.

    :class:`TargetError` when the process exits first or ``timeout`` passes.
    """
    started = time.monotonic()
    deadline = started + timeout
    while True:
        if not alive():
            raise TargetError(f"LocalStack exited before it was ready ({endpoint})")
        if answers(endpoint, timeout=min(2.0, timeout)) and (not hooks or _hooks_done(endpoint)):
            return time.monotonic() - started
        if time.monotonic() >= deadline:
            raise TargetError(f"LocalStack did not become ready at {endpoint} within {timeout:g} s")
        time.sleep(interval)


def log_tail(path: Path, lines: int = 15) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return [f"(no log at {path})"]
    return text.splitlines()[-lines:] or ["(the log is empty)"]
