"""Fault injection per function version: error rate, added latency, timeouts, unavailable dependencies.

A :class:`FaultPlan` is the seeded set of faults of a scenario. It is carried to the handlers by the
``INFRA_PARITY_FAULTS`` environment variable (JSON, see :mod:`.faults_wrapper`), which the local
runtime updates on its warm workers and which a real Lambda function reads through the wrapper, so
the same plan works on every target (:meth:`FaultPlan.to_env`). A dependency is made unavailable by
pointing the environment variables that locate it at a port where nothing listens
(:func:`dependency_env`): the connection is refused at once, as when an ElastiCache node is down or
its security group drops the Lambda's traffic, and the handler's own fallback is exercised.
"""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pytest_infra_parity.chaos.faults_wrapper import FAULTS_ENV, draw
from pytest_infra_parity.errors import ConfigError

__all__ = ["FAULTS_ENV", "ClosedPort", "FaultPlan", "FaultSpec", "dependency_env", "draw", "plan_from_env"]

SYNONYMS = {
    "redis": ("REDIS", "CACHE", "ELASTICACHE"),
    "postgresql": ("DB_", "DATABASE", "PG", "POSTGRES", "RDS"),
    "database": ("DB_", "DATABASE", "PG", "POSTGRES", "RDS"),
    "opensearch": ("OPENSEARCH", "SEARCH", "ELASTICSEARCH"),
    "search": ("OPENSEARCH", "SEARCH", "ELASTICSEARCH"),
}
"""Environment variable name fragments that locate a dependency named in a step."""


@dataclass(frozen=True)
class FaultSpec:
    """What happens to the invocations of one function version."""

    error_rate: float = 0.0
    latency_ms: float = 0.0
    timeout: bool = False
    env: dict[str, str] = field(default_factory=dict)
    """Environment overrides during each invocation (dependencies made unavailable)."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.error_rate <= 1.0:
            raise ConfigError(f"a fault's error rate must lie between 0 and 1, got {self.error_rate}")
        if self.latency_ms < 0:
            raise ConfigError(f"a fault's added latency must be >= 0 ms, got {self.latency_ms}")

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.error_rate:
            out["error_rate"] = self.error_rate
        if self.latency_ms:
            out["latency_ms"] = self.latency_ms
        if self.timeout:
            out["timeout"] = True
        if self.env:
            out["env"] = dict(self.env)
        return out


class ClosedPort:
    """A loopback TCP port where nothing listens, reserved while this object lives (connections are refused)."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))  # bound, never listening: a connect gets a reset
        self.port = int(self._sock.getsockname()[1])

    def close(self) -> None:
        self._sock.close()


def _matching(dependency: str, env: Mapping[str, str]) -> list[str]:
    token = re.sub(r"[^a-z0-9]", "", dependency.lower())
    fragments = SYNONYMS.get(token, (token.upper(),))
    return sorted(name for name in env if any(f in name.upper() for f in fragments))


def _redirect(name: str, value: str, port: int, host: str) -> str:
    upper = name.upper()
    if upper.endswith("PORT"):
        return str(port)
    if "://" in value:
        parts = urlsplit(value)
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{host}:{port}" if userinfo else f"{host}:{port}"
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    if re.fullmatch(r"[^:/\s]+:\d+", value):
        return f"{host}:{port}"
    return host


def dependency_env(dependency: str, env: Mapping[str, str], port: int, host: str = "127.0.0.1") -> dict[str, str]:
    """Overrides that point every variable locating ``dependency`` at ``host:port`` (or a ConfigError)."""
    names = _matching(dependency, env)
    locating = [n for n in names if re.search(r"(HOST|PORT|ENDPOINT|ADDRESS|URL|URI|DSN)$", n.upper())]
    if not locating:
        shown = ", ".join(sorted(env)) or "none"
        raise ConfigError(f"no environment variable locates {dependency!r} (looked for host, port, endpoint or URL "
                          f"variables named after it); the function's variables are: {shown}")
    return {name: _redirect(name, str(env[name]), port, host) for name in locating}


@dataclass
class FaultPlan:
    """The faults of a scenario, by ``function:version``, ``function`` or ``*``, with their seed."""

    seed: int = 0
    specs: dict[str, FaultSpec] = field(default_factory=dict)
    revision: int = 0
    _ports: list[ClosedPort] = field(default_factory=list, repr=False)

    @staticmethod
    def key(function: str | None = None, version: str | None = None) -> str:
        if not function:
            return "*"
        return f"{function}:{version}" if version else function

    def set(self, function: str | None = None, version: str | None = None, **changes: Any) -> FaultSpec:
        """Add to the fault of ``function[:version]`` (``error_rate``, ``latency_ms``, ``timeout``, ``env``)."""
        key = self.key(function, version)
        current = self.specs.get(key, FaultSpec())
        if "env" in changes:
            changes["env"] = {**current.env, **{str(k): str(v) for k, v in dict(changes["env"]).items()}}
        self.specs[key] = replace(current, **changes)
        self.revision += 1
        return self.specs[key]

    def closed_port(self) -> int:
        """A loopback port where connections are refused, reserved until :meth:`close`."""
        closed = ClosedPort()
        self._ports.append(closed)
        return closed.port

    def make_unavailable(self, dependency: str, env: Mapping[str, str], function: str | None = None,
                         version: str | None = None) -> dict[str, str]:
        """Point ``dependency``'s variables at a closed port for ``function`` (all functions by default)."""
        overrides = dependency_env(dependency, env, self.closed_port())
        self.set(function, version, env=overrides)
        return overrides

    def clear(self, function: str | None = None, version: str | None = None) -> None:
        """Remove one key's fault, or every fault when called without arguments."""
        if function is None and version is None:
            self.specs.clear()
        else:
            self.specs.pop(self.key(function, version), None)
        self.revision += 1

    def to_env(self) -> str:
        """The value of ``INFRA_PARITY_FAULTS`` (empty when there is no fault)."""
        if not self.specs:
            return ""
        return json.dumps({"seed": self.seed, "faults": {k: s.as_json() for k, s in sorted(self.specs.items())}},
                          sort_keys=True)

    def close(self) -> None:
        for closed in self._ports:
            closed.close()
        self._ports.clear()


def plan_from_env(raw: str | None = None, seed: int = 0) -> FaultPlan:
    """A plan read from ``INFRA_PARITY_FAULTS`` (``raw`` or the environment); a malformed value is a ConfigError."""
    text = os.environ.get(FAULTS_ENV, "") if raw is None else raw
    if not text.strip():
        return FaultPlan(seed)
    try:
        data = json.loads(text)
        plan = FaultPlan(int(data.get("seed", seed)))
        for key, body in (data.get("faults") or {}).items():
            plan.specs[str(key)] = FaultSpec(float(body.get("error_rate", 0)), float(body.get("latency_ms", 0)),
                                             bool(body.get("timeout", False)),
                                             {str(k): str(v) for k, v in (body.get("env") or {}).items()})
    except (ValueError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{FAULTS_ENV} must be JSON like {{\"seed\": 4, \"faults\": {{\"<function>:<version>\": "
                          f"{{\"error_rate\": 0.05}}}}}}: {exc}") from None
    return plan
