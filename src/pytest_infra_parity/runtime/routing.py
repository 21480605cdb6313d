"""Alias routing and request ids, both drawn from the runtime's seed.

An alias with a routing configuration sends each invocation to a version at random: an additional
version with weight *w* gets a share *w*, the alias's own version the rest ("Lambda alias routing
configuration", "Implementing Lambda canary deployments using a weighted alias", Lambda developer
guide). The alias is read from the target (``GetAlias``, cached for ``ttl`` seconds, so a CodeDeploy
shift written with ``UpdateAlias`` is seen at once by the next read) unless the control-plane emulation
set it in memory (:meth:`AliasRouter.set`), which takes effect on the very next invocation. Draws and
request ids come from seeded generators in arrival order, so a run is reproducible.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["AliasRouter", "Routing", "request_id", "routing_draw"]


def request_id(seed: int, function: str, sequence: int) -> str:
    """A UUID (version 4 layout) fixed by the seed, the function and the invocation's rank (pure)."""
    digest = hashlib.sha256(f"{seed}:{function}:{sequence}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def routing_draw(seed: int, subject: str, sequence: int) -> float:
    """A uniform number in [0, 1) for the routing of invocation ``sequence`` of ``subject`` (pure)."""
    digest = hashlib.sha256(f"route:{seed}:{subject}:{sequence}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


@dataclass(frozen=True)
class Routing:
    """An alias's version and additional version weights."""

    version: str
    weights: dict[str, float] = field(default_factory=dict)

    def choose(self, draw: float) -> str:
        """The version for a uniform draw in [0, 1)."""
        edge = 0.0
        for version, weight in sorted(self.weights.items()):
            edge += weight
            if draw < edge:
                return version
        return self.version


class AliasRouter:
    """Routing per ``function:alias``, read from the target or set in memory, and seeded draws."""

    def __init__(self, clients: Callable[[str], Any], seed: int, ttl: float = 1.0) -> None:
        self._clients = clients
        self._ttl = ttl
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, Routing]] = {}
        self._pinned: dict[str, Routing] = {}
        self._seed = seed

    def set(self, function: str, alias: str, version: str, weights: dict[str, float] | None = None) -> None:
        """Route ``function:alias`` in memory from now on (the emulated CodeDeploy's shifts)."""
        with self._lock:
            self._pinned[f"{function}:{alias}"] = Routing(version, dict(weights or {}))

    def unpin(self, function: str, alias: str) -> None:
        with self._lock:
            self._pinned.pop(f"{function}:{alias}", None)
            self._cache.pop(f"{function}:{alias}", None)

    def routing(self, function: str, alias: str) -> Routing:
        key = f"{function}:{alias}"
        with self._lock:
            pinned = self._pinned.get(key)
            cached = self._cache.get(key)
        if pinned is not None:
            return pinned
        if cached is not None and time.monotonic() - cached[0] < self._ttl:
            return cached[1]
        got = self._clients("lambda").get_alias(FunctionName=function, Name=alias)
        weights = (got.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        routing = Routing(str(got["FunctionVersion"]), {str(k): float(v) for k, v in weights.items()})
        with self._lock:
            self._cache[key] = (time.monotonic(), routing)
        return routing

    def pick(self, function: str, alias: str, sequence: int) -> str:
        """The version invocation ``sequence`` of ``function:alias`` runs."""
        routing = self.routing(function, alias)
        if not routing.weights:
            return routing.version
        return routing.choose(routing_draw(self._seed, f"{function}:{alias}", sequence))
