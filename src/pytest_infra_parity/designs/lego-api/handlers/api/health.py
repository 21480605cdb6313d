"""Health check and warm-up: GET /health (public) and the 5-minute EventBridge warm-up."""

from __future__ import annotations

import os
import socket
import time
from typing import Any

import cache
import common


def tcp_reachable(host: str | None, port: int, timeout: float = 0.5) -> bool | None:
    """True/False when a TCP connection opens or not; None when the dependency is not configured."""
    if not host:
        return None
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def summarize(checks: dict[str, bool | None]) -> str:
    """``ok`` when every configured dependency answers, ``degraded`` otherwise (pure).

    Redis being down is degraded, not failed: the API falls back to the database.
    """
    configured = [value for value in checks.values() if value is not None]
    return "ok" if all(configured) else "degraded"


def _check(event: dict[str, Any]) -> dict[str, Any]:
    checks = {
        "redis": cache.ping() if os.environ.get("REDIS_HOST") else None,
        "database": tcp_reachable(
            os.environ.get("DB_PROXY_ENDPOINT"), int(os.environ.get("DB_PORT", "5432"))
        ),
        "search": tcp_reachable(os.environ.get("OPENSEARCH_ENDPOINT"), 443),
    }
    body = {
        "status": summarize(checks),
        "stage": os.environ.get("STAGE", "dev"),
        "checks": checks,
        "warmup": event.get("source") == "warmup",
        "time": int(time.time()),
    }
    return common.response(200, body)


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Lambda entry point of the health function."""
    return common.run(event, "health", _check)
