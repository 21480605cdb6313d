"""Warm workers per function version, concurrency limits per function, and reaping after idleness.

Concurrency follows "Lambda function scaling" and "Configuring reserved concurrency" (Lambda developer
guide): each in-flight invocation occupies one execution environment; a function with reserved
concurrency *n* never has more than *n* in flight across all its versions and aliases, and an
invocation beyond that is throttled at once (synchronous invocations get ``TooManyRequestsException``,
reason ``ReservedFunctionConcurrentInvocationLimitExceeded``; 0 reserved throttles everything). An
unreserved function shares the account's limit (1,000 by default). A finished environment stays warm
and is reused by the next invocation of the same version; one idle for longer than ``idle_seconds`` is
stopped (Lambda keeps idle environments for an unpublished, variable time; the default here is 5
minutes). A machine cannot hold 1,000 processes: past ``max_workers`` an idle worker of another
version is stopped to make room, and if every worker is busy the invocation waits for one (documented
as a limit of the local runtime, not throttled, since Lambda would have scaled).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pytest_infra_parity.runtime.config import FunctionConfig
from pytest_infra_parity.runtime.worker import Worker

__all__ = ["ACCOUNT_LIMIT", "Lease", "Throttled", "WorkerPool"]

ACCOUNT_LIMIT = 1000
RESERVED_REASON = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_REASON = "ConcurrentInvocationLimitExceeded"


class Throttled(Exception):
    """The invocation exceeds the function's (or the account's) concurrency."""

    def __init__(self, reason: str, limit: int) -> None:
        super().__init__(f"Rate Exceeded. ({reason}, limit {limit})")
        self.reason = reason
        self.limit = limit


def fingerprint(config: FunctionConfig) -> str:
    """Workers are reusable only by invocations of the same version with the same settings."""
    return json.dumps([config.key, config.runtime, config.handler, str(config.code_dir),
                       [str(p) for p in config.layer_dirs], sorted(config.env.items()), config.timeout,
                       config.memory_mb], separators=(",", ":"))


@dataclass
class Lease:
    """A worker held by one invocation."""

    worker: Worker
    cold: bool
    concurrency: int
    """Invocations of the function in flight, this one included."""


class WorkerPool:
    """Idle workers by configuration fingerprint, in-flight counts by function name."""

    def __init__(self, env_for: Callable[[FunctionConfig], dict[str, str]], log_dir: Path, *,
                 idle_seconds: float = 300.0, max_workers: int = 64, account_limit: int = ACCOUNT_LIMIT) -> None:
        self._env_for = env_for
        self._log_dir = log_dir
        self.idle_seconds = idle_seconds
        self.max_workers = max_workers
        self.account_limit = account_limit
        self._lock = threading.Condition()
        self._idle: dict[str, list[Worker]] = {}
        self._in_flight: dict[str, int] = {}
        self._workers = 0
        self.started = 0
        self.reaped = 0

    def in_flight(self, function: str) -> int:
        with self._lock:
            return self._in_flight.get(function, 0)

    def idle_count(self, config: FunctionConfig | None = None) -> int:
        with self._lock:
            if config is None:
                return sum(len(v) for v in self._idle.values())
            return len(self._idle.get(fingerprint(config), []))

    def _admit(self, config: FunctionConfig) -> int:
        limit = config.reserved if config.reserved is not None else self.account_limit
        busy = self._in_flight.get(config.name, 0)
        if busy >= limit:
            raise Throttled(RESERVED_REASON if config.reserved is not None else ACCOUNT_REASON, limit)
        self._in_flight[config.name] = busy + 1
        return busy + 1

    def _evict_one(self) -> bool:
        oldest: tuple[float, str] | None = None
        for key, workers in self._idle.items():
            if workers and (oldest is None or workers[0].last_used < oldest[0]):
                oldest = (workers[0].last_used, key)
        if oldest is None:
            return False
        self._idle[oldest[1]].pop(0).kill()
        self._workers -= 1
        return True

    def acquire(self, config: FunctionConfig) -> Lease:
        """A warm worker of ``config``, or a new one (cold); raises :class:`Throttled` over the limit."""
        key = fingerprint(config)
        with self._lock:
            concurrency = self._admit(config)
            while True:
                idle = self._idle.get(key)
                if idle:
                    return Lease(idle.pop(), False, concurrency)
                if self._workers < self.max_workers or self._evict_one():
                    self._workers += 1
                    break
                self._lock.wait(0.5)
        worker = Worker(config, self._env_for(config), self._log_dir)
        try:
            worker.start()
        except BaseException:
            with self._lock:
                self._workers -= 1
                self._in_flight[config.name] -= 1
                self._lock.notify_all()
            raise
        with self._lock:
            self.started += 1
        return Lease(worker, True, concurrency)

    def release(self, config: FunctionConfig, lease: Lease) -> None:
        """Give the worker back (kept warm if it is still alive)."""
        with self._lock:
            self._in_flight[config.name] -= 1
            if lease.worker.alive:
                lease.worker.last_used = time.monotonic()
                self._idle.setdefault(fingerprint(config), []).append(lease.worker)
            else:
                self._workers -= 1
            self._lock.notify_all()

    def reap(self, now: float | None = None) -> int:
        """Stop the workers idle for longer than ``idle_seconds``; how many were stopped."""
        moment = time.monotonic() if now is None else now
        stopped: list[Worker] = []
        with self._lock:
            for key, workers in self._idle.items():
                keep = [w for w in workers if moment - w.last_used <= self.idle_seconds]
                stopped += [w for w in workers if moment - w.last_used > self.idle_seconds]
                self._idle[key] = keep
            self._workers -= len(stopped)
            self.reaped += len(stopped)
            self._lock.notify_all()
        for worker in stopped:
            worker.kill()
        return len(stopped)

    def close(self) -> None:
        """Stop every idle worker (busy ones are stopped when released into a closed pool)."""
        with self._lock:
            workers = [w for ws in self._idle.values() for w in ws]
            self._idle.clear()
            self._workers -= len(workers)
        for worker in workers:
            worker.kill()
