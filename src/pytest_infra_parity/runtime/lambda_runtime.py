"""The local Lambda runtime: synchronous invocations of a deployed stack's functions, without Docker.

``LambdaRuntime.invoke(function, event, qualifier)`` resolves the qualifier as Lambda does (none or
``$LATEST``, a version number, or an alias routed by its weights), reads that version's configuration
from the target, takes a warm worker or starts one (throttling past the reserved concurrency), runs the
handler within its timeout, and returns Lambda's answer. Every invocation is recorded: its Lambda
metrics go to the target's CloudWatch in batches (:mod:`.metrics`), its output to the log store, and
each record to the listeners (the control-plane emulations consume them). A gate set for an alias
(:meth:`LambdaRuntime.set_gate`) stamps each invocation with the emulated control plane's virtual time
before the alias is resolved (time compression, :mod:`pytest_infra_parity.load.live_traffic`).
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from pytest_infra_parity.chaos.faults import FaultPlan
from pytest_infra_parity.runtime.config import CodeLocator, FunctionConfig, function_config, parse_function_ref
from pytest_infra_parity.runtime.environment import worker_env
from pytest_infra_parity.runtime.logs import LogStore, report_line
from pytest_infra_parity.runtime.metrics import InvocationRecord, MetricsSink
from pytest_infra_parity.runtime.pool import Lease, Throttled, WorkerPool
from pytest_infra_parity.runtime.results import InvocationResult, out_of_memory, throttle_body, timed_out
from pytest_infra_parity.runtime.routing import AliasRouter, request_id
from pytest_infra_parity.runtime.worker import InitFailed

__all__ = ["Admission", "InvocationGate", "LambdaRuntime"]

Clients = Callable[[str], Any]
Listener = Callable[[InvocationRecord], None]


class Admission(Protocol):
    """One invocation let through a gate, stamped with a virtual time; ``done`` is called once it ended."""

    @property
    def virtual_at(self) -> float: ...

    def done(self, record: InvocationRecord | None) -> None: ...


class InvocationGate(Protocol):
    """Orders the invocations of one alias on a virtual clock (see :mod:`..load.live_traffic`)."""

    def admit(self) -> Admission: ...


class LambdaRuntime:
    """Runs the functions of one target's stacks locally (start with :meth:`start`, stop with :meth:`close`)."""

    def __init__(self, clients: Clients, *, region: str, endpoint_url: str | None, seed: int = 0,
                 idle_seconds: float = 300.0, max_workers: int = 64, flush_seconds: float = 5.0,
                 publish_metrics: bool = True) -> None:
        self.clients = clients
        self.region = region
        self.endpoint_url = endpoint_url
        self.seed = seed
        self.code = CodeLocator(clients)
        self.faults = FaultPlan(seed)
        self.logs = LogStore()
        self.router = AliasRouter(clients, seed)
        self.env_overrides: dict[str, dict[str, str]] = {}
        """Extra variables by function name (``*``: every function), e.g. local stand-ins for VPC resources."""
        self.data_plane_url: str | None = None
        self.records: deque[InvocationRecord] = deque(maxlen=200_000)
        self.keep_records = True
        self._temp = tempfile.TemporaryDirectory(prefix="infra-parity-runtime-")
        self.pool = WorkerPool(self._env_for, Path(self._temp.name), idle_seconds=idle_seconds,
                               max_workers=max_workers)
        self.sink = MetricsSink((lambda: clients("cloudwatch")) if publish_metrics else None,
                                flush_seconds=flush_seconds)
        self._listeners: list[Listener] = []
        self._gates: dict[str, InvocationGate] = {}
        self._configs: dict[tuple[str, str], tuple[float, FunctionConfig]] = {}
        self._sequences: dict[str, int] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._reaper_stop = threading.Event()
        self._reaper: threading.Thread | None = None

    # ---- lifecycle -----------------------------------------------------------------------------

    def start(self) -> LambdaRuntime:
        self.sink.start()
        if self._reaper is None:
            self._reaper = threading.Thread(target=self._reap_loop, name="infra-parity-reaper", daemon=True)
            self._reaper.start()
        return self

    def _reap_loop(self) -> None:
        while not self._reaper_stop.wait(min(1.0, max(0.05, self.pool.idle_seconds / 4))):
            self.pool.reap()

    def close(self) -> None:
        self._reaper_stop.set()
        if self._reaper is not None:
            self._reaper.join(timeout=5)
        self.pool.close()
        self.sink.close()
        self.faults.close()
        self.code.close()
        self._temp.cleanup()

    def add_stack(self, stack: Any) -> None:
        """Make the functions of a deployed stack runnable (their code and layers)."""
        self.code.add_stack(stack)

    # ---- hooks ---------------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def set_gate(self, function: str, alias: str, gate: InvocationGate | None) -> None:
        key = f"{function}:{alias}"
        if gate is None:
            self._gates.pop(key, None)
        else:
            self._gates[key] = gate

    def set_env_overrides(self, overrides: dict[str, dict[str, str]]) -> None:
        """Replace the environment overrides; idle workers started with other values are stopped."""
        if overrides != self.env_overrides:
            self.env_overrides = {k: dict(v) for k, v in overrides.items()}
            self.pool.close()

    def set_routing(self, function: str, alias: str, version: str, weights: dict[str, float] | None = None) -> None:
        self.router.set(function, alias, version, weights)

    # ---- configuration -------------------------------------------------------------------------

    def _env_for(self, config: FunctionConfig) -> dict[str, str]:
        overrides = {**self.env_overrides.get("*", {}), **self.env_overrides.get(config.name, {})}
        return worker_env(config, region=self.region, endpoint_url=self.endpoint_url,
                          data_plane_url=self.data_plane_url, overrides=overrides, faults=self.faults.to_env())

    def config(self, name: str, version: str) -> FunctionConfig:
        """The configuration of ``name:version`` (published versions cached, $LATEST for 2 s)."""
        key = (name, version)
        cached = self._configs.get(key)
        if cached is not None and (version != "$LATEST" or time.monotonic() - cached[0] < 2.0):
            return cached[1]
        config = function_config(self.clients, self.code, name, None if version == "$LATEST" else version)
        self._configs[key] = (time.monotonic(), config)
        return config

    def forget_configs(self) -> None:
        self._configs.clear()

    # ---- invoking ------------------------------------------------------------------------------

    def _next(self, name: str) -> int:
        with self._lock:
            self._sequences[name] = self._sequences.get(name, 0) + 1
            return self._sequences[name]

    def _function_lock(self, name: str) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(name, threading.Lock())

    def invoke(self, function: str, event: Any = None, qualifier: str | None = None) -> InvocationResult:
        """Invoke synchronously (RequestResponse); ``event`` is JSON-serialisable, or JSON text/bytes."""
        text = event.decode() if isinstance(event, bytes) else event if isinstance(event, str) else json.dumps(event)
        name, qual = parse_function_ref(function, qualifier)
        gate = self._gates.get(f"{name}:{qual}") if qual else None
        with self._function_lock(name):
            admission = gate.admit() if gate is not None else None
            sequence = self._next(name)
        try:
            return self._invoke(name, qual, sequence, text, admission)
        except BaseException:
            if admission is not None:
                admission.done(None)
            raise

    def _invoke(self, name: str, qual: str | None, sequence: int, text: str, admission: Admission | None
                ) -> InvocationResult:
        rid = request_id(self.seed, name, sequence)
        version = "$LATEST" if qual is None else qual if qual.isdigit() else self.router.pick(name, qual, sequence)
        config = self.config(name, version)
        started = time.time()
        try:
            lease = self.pool.acquire(config)
        except Throttled as exc:
            record = self._record(config, qual, None, rid, started, 0.0, None, True, 0, "", admission)
            return InvocationResult(429, json.dumps(throttle_body(exc.reason)).encode(), None, None, record,
                                    error_code="TooManyRequestsException")
        except InitFailed as exc:
            record = self._record(config, qual, version, rid, started, 0.0, None, False, 1, exc.log, admission,
                                  error_type=str(exc.error.get("errorType") or "Runtime.Unknown"))
            return InvocationResult(200, json.dumps(exc.error).encode(), "Unhandled", config.version, record, exc.log)
        return self._run(config, lease, qual, rid, text, started, admission)

    def _run(self, config: FunctionConfig, lease: Lease, qual: str | None, rid: str, text: str, started: float,
             admission: Admission | None) -> InvocationResult:
        invoked = f"{config.arn}:{qual}" if qual else config.arn
        try:
            answer = lease.worker.invoke(text, rid, self.faults.to_env(), invoked)
            error = answer.error
            if answer.timed_out:
                error = timed_out(rid, config.timeout)
            elif answer.max_rss_kb > config.memory_mb * 1024:
                lease.worker.kill()
                error = out_of_memory(rid)
        finally:
            self.pool.release(config, lease)
        log = answer.log
        if answer.timed_out:
            log += f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime())}Z {rid} Task timed out after " \
                   f"{config.timeout:.2f} seconds\n"
        init = lease.worker.init_ms if lease.cold else None
        framed = f"START RequestId: {rid} Version: {config.version}\n{log}END RequestId: {rid}\n" \
                 f"{report_line(rid, answer.duration_ms, config.memory_mb, answer.max_rss_kb, init)}\n"
        record = self._record(config, qual, config.version, rid, started, answer.duration_ms, lease, False,
                              lease.concurrency, framed, admission, error_type=None if error is None else
                              str(error.get("errorType") or "Error"), max_rss_kb=answer.max_rss_kb)
        if error is not None:
            return InvocationResult(200, json.dumps(error).encode(), "Unhandled", config.version, record, framed)
        return InvocationResult(200, (answer.payload or "null").encode(), None, config.version, record, framed)

    def _record(self, config: FunctionConfig, qual: str | None, version: str | None, rid: str, started: float,
                duration: float, lease: Lease | None, throttled: bool, concurrency: int, log: str,
                admission: Admission | None, *, error_type: str | None = None, max_rss_kb: int = 0
                ) -> InvocationRecord:
        cold = bool(lease and lease.cold)
        record = InvocationRecord(
            function=config.name, qualifier=qual, executed_version=version, request_id=rid, started=started,
            duration_ms=duration, cold=cold, init_ms=lease.worker.init_ms if lease and cold else 0.0,
            cold_wait_ms=lease.worker.cold_wait_ms if lease and cold else 0.0, error_type=error_type,
            throttled=throttled, concurrency=concurrency, max_rss_kb=max_rss_kb, log=log,
            virtual_at=None if admission is None else admission.virtual_at)
        self.sink.add_record(record)
        self.logs.add(config.name, log)
        if self.keep_records:
            with self._lock:
                self.records.append(record)
        if admission is not None:
            admission.done(record)
        for listener in list(self._listeners):
            listener(record)
        return record
