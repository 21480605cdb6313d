"""Locust, headless, in processes of its own: one process, or a master and N workers.

Locust is never imported here: it monkey-patches the standard library with gevent when imported, which
would break pytest and the plugin's threads. It runs as ``python -m locust`` with ``--headless -u -r -t
--host --csv`` ("Running without the web UI", Locust docs), its statistics parsed afterwards
(:mod:`.results`). Distributed mode ("Distributed load generation") starts ``--master --expect-workers
N`` and N ``--worker --master-host 127.0.0.1 --master-port P`` processes here; on several machines the
same two commands run with the master's address (see docs/load.md). Values for the locustfile go in its
environment (``INFRA_PARITY_*`` variables). A run can also be started in the background and stopped
early (:meth:`LocustRun.start` / :meth:`LocustRun.stop`), which the rollout-under-load step does.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from pytest_infra_parity.load.results import LoadError, LoadResults, parse_results

__all__ = ["LocustRun", "LocustSpec", "locust_missing"]


def locust_missing() -> str | None:
    """Why Locust cannot run here (None when it can): it is the ``load`` extra."""
    if importlib.util.find_spec("locust") is None:
        return "Locust is not installed: pip install 'pytest-infra-parity[load]' (or 'locust>=2.30')"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocustSpec:
    """What to run: a locustfile against a host, with users, spawn rate, duration and workers."""

    locustfile: Path
    host: str
    users: int = 10
    seconds: float = 5.0
    spawn_rate: float | None = None
    workers: int = 0
    env: dict[str, str] = field(default_factory=dict)
    extra_args: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.locustfile.is_file():
            raise LoadError(f"no locustfile at {self.locustfile}")
        if self.users < 1 or self.seconds <= 0 or self.workers < 0:
            raise LoadError("Locust needs at least 1 user, a positive duration and >= 0 workers")


class LocustRun:
    """One run of :class:`LocustSpec` (``run()`` to completion, or ``start()`` then ``stop()``)."""

    def __init__(self, spec: LocustSpec) -> None:
        self.spec = spec
        self._dir = tempfile.TemporaryDirectory(prefix="infra-parity-locust-")
        self.prefix = Path(self._dir.name) / "locust"
        self._procs: list[subprocess.Popen[bytes]] = []
        self._started = 0.0
        self.results: LoadResults | None = None

    def _base(self) -> list[str]:
        s = self.spec
        return [sys.executable, "-m", "locust", "-f", str(s.locustfile), "--host", s.host, "--loglevel", "WARNING"]

    def commands(self) -> list[list[str]]:
        """The master (or single) command first, then one per worker."""
        s = self.spec
        rate = s.spawn_rate or float(s.users)
        head = [*self._base(), "--headless", "-u", str(s.users), "-r", f"{rate:g}", "-t",
                f"{max(1, round(s.seconds))}s", "--csv", str(self.prefix), "--only-summary", "--stop-timeout", "2",
                *s.extra_args]
        if not s.workers:
            return [head]
        port = _free_port()
        master = [*head, "--master", "--expect-workers", str(s.workers), "--master-bind-host", "127.0.0.1",
                  "--master-bind-port", str(port)]
        worker = [*self._base(), "--worker", "--master-host", "127.0.0.1", "--master-port", str(port)]
        return [master] + [list(worker) for _ in range(s.workers)]

    def start(self) -> LocustRun:
        missing = locust_missing()
        if missing:
            raise LoadError(missing)
        env = {**os.environ, **self.spec.env, "PYTHONUNBUFFERED": "1"}
        log = (Path(self._dir.name) / "locust.log").open("ab")
        try:
            for command in self.commands():
                self._procs.append(subprocess.Popen(command, env=env, stdout=log, stderr=log,
                                                    stdin=subprocess.DEVNULL))
        finally:
            log.close()
        self._started = time.monotonic()
        return self

    def log(self) -> str:
        path = Path(self._dir.name) / "locust.log"
        return path.read_text(errors="replace") if path.is_file() else ""

    def _finish(self, timeout: float) -> LoadResults:
        master = self._procs[0]
        try:
            master.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            master.kill()
            master.wait()
        for worker in self._procs[1:]:
            try:
                worker.wait(timeout=5)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        try:
            results = parse_results(self.prefix)
        except LoadError as exc:
            raise LoadError(f"{exc.message}; Locust said:\n{self.log()[-2000:]}") from None
        s = self.spec
        results.users, results.host, results.locustfile, results.workers = s.users, s.host, str(s.locustfile), s.workers
        results.seconds = round(time.monotonic() - self._started, 2)
        self.results = results
        return results

    def run(self) -> LoadResults:
        """Run to the end of the spec's duration and return the results."""
        self.start()
        return self._finish(self.spec.seconds + 30)

    def stop(self) -> LoadResults:
        """Stop a started run now (Locust writes its final statistics on SIGTERM) and return the results."""
        if self._procs and self._procs[0].poll() is None:
            self._procs[0].send_signal(signal.SIGTERM)
        return self._finish(30)

    def close(self) -> None:
        for proc in self._procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self._dir.cleanup()
