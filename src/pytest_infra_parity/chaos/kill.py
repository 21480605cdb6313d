"""Kill a deployment mid-way, run the next run's cleanup, and check nothing is left behind.

Two kinds of deployment can be killed:

- the plugin's own applier, in a subprocess (:mod:`.kill_child`), SIGKILLed right after its ``after``-th
  resource was created and ledgered; with a Terraform backend it holds the state lock while it
  deploys, as ``tofu apply`` does;
- a user command (``tofu apply``, ``sst deploy``, a script), SIGKILLed (its whole process group) after
  a delay or when its output matches a pattern.

The cleanup is what the next run does: :func:`pytest_infra_parity.deploy.sweep.sweep` of the killed
run, and the release of the state locks that run held (their ``Who`` names it). The checks: no state
lock left (:mod:`.locks`), no resource left, tagged (the sweeper's stray list) or not (a listing of
the target before and after, :mod:`.orphans`).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_infra_parity.chaos.lock_formats import StateLock
from pytest_infra_parity.chaos.locks import find_locks, release
from pytest_infra_parity.chaos.orphans import LISTERS, Listing, list_resources, new_resources

ClientFactory = Callable[[str], Any]


@dataclass(frozen=True)
class TerraformBackend:
    """An OpenTofu/Terraform S3 backend with a DynamoDB lock table."""

    table: str
    bucket: str
    key: str

    def as_dict(self) -> dict[str, str]:
        return {"table": self.table, "bucket": self.bucket, "key": self.key}


@dataclass
class KillOutcome:
    what: str
    run_id: str | None
    killed: bool
    output: str
    created: list[str] = field(default_factory=list)
    released: list[str] = field(default_factory=list)
    swept: list[str] = field(default_factory=list)
    sweep_failed: list[str] = field(default_factory=list)
    locks_left: list[StateLock] = field(default_factory=list)
    stray: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    before: Listing | None = None
    scope: dict[str, list[str]] = field(default_factory=dict)
    """``tables``/``buckets`` the lock checks look at (empty: every lock store on the target)."""

    def lock_report(self) -> str:
        lines = [f"{self.what}: {len(self.locks_left)} state lock(s) left after the next run's cleanup"]
        lines.extend(f"  {lock.describe()}" for lock in self.locks_left)
        return "\n".join(lines)

    def resource_report(self) -> str:
        lines = [f"{self.what}: killed after creating {len(self.created)} resources "
                 f"({', '.join(self.created) or 'none'}); the cleanup deleted {len(self.swept)}"]
        lines.extend(f"  could not delete: {line}" for line in self.sweep_failed)
        lines.extend(f"  still tagged by infra-parity: {arn}" for arn in self.stray)
        lines.extend(f"  left without a tag (the sweeper cannot see it): {name}" for name in self.orphans)
        return "\n".join(lines)


def _read_lines(stream: Any, sink: list[str], wanted: Callable[[str], bool], event: threading.Event) -> None:
    for raw in iter(stream.readline, b""):
        line = raw.decode(errors="replace").rstrip("\n")
        sink.append(line)
        if wanted(line):
            event.set()
    event.set()


def _run_until(command: list[str], wanted: Callable[[str], bool], timeout: float, *, cwd: Path | None = None,
               env: dict[str, str] | None = None) -> tuple[bool, list[str]]:
    """Start ``command``; SIGKILL its process group when a line is ``wanted`` (or at ``timeout``)."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    lines: list[str] = []
    event = threading.Event()
    reader = threading.Thread(target=_read_lines, args=(process.stdout, lines, wanted, event), daemon=True)
    reader.start()
    event.wait(timeout)
    killed = process.poll() is None
    if killed:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            killed = False
    process.wait()
    reader.join(5)
    return killed, lines


def kill_applier(spec: dict[str, Any], *, timeout: float = 120.0) -> KillOutcome:
    """Deploy with the applier in a subprocess (see :mod:`.kill_child` for ``spec``) and kill it mid-way."""
    command = [sys.executable, "-m", "pytest_infra_parity.chaos.kill_child", json.dumps(spec)]
    killed, lines = _run_until(command, lambda line: line == "paused", timeout)
    created = [line.split()[1] for line in lines if line.startswith("created ")]
    return KillOutcome(f"stack {spec['stack']} (run {spec['run_id']})", spec["run_id"], killed,
                       "\n".join(lines), created)


def kill_command(command: str, *, cwd: Path | None = None, after_seconds: float | None = None,
                 when_output: str | None = None, env: dict[str, str] | None = None,
                 timeout: float = 300.0) -> KillOutcome:
    """Run a user's deployment command and SIGKILL it after a delay or when a line matches a pattern."""
    pattern = re.compile(when_output) if when_output else None
    limit = after_seconds if after_seconds is not None else timeout
    killed, lines = _run_until(["/bin/sh", "-c", command], lambda line: bool(pattern and pattern.search(line)),
                               limit, cwd=cwd, env={**os.environ, **(env or {})})
    return KillOutcome(f"command {command!r}", None, killed, "\n".join(lines))


def release_run_locks(clients: ClientFactory, run_id: str, locks: Iterable[StateLock]) -> list[str]:
    """Release the locks a dead run of the plugin held (``Who`` is ``infra-parity <run>@host``)."""
    released: list[str] = []
    for lock in locks:
        if lock.who.startswith(f"infra-parity {run_id}@"):
            release(clients, lock)
            released.append(lock.address)
    return released


def cleanup_and_check(clients: ClientFactory, account_id: str, outcome: KillOutcome, *,
                      tables: Iterable[str] | None = None, buckets: Iterable[str] | None = None,
                      cleanup: Callable[[], None] | None = None) -> KillOutcome:
    """The next run's cleanup (sweep of the killed run, its locks released, ``cleanup``), then the checks."""
    from pytest_infra_parity.deploy.sweep import sweep

    tables = list(tables) if tables is not None else None
    buckets = list(buckets) if buckets is not None else None
    if cleanup is not None:
        cleanup()
    if outcome.run_id is not None:
        report = sweep(clients, account_id, run_id=outcome.run_id)
        outcome.swept, outcome.sweep_failed, outcome.stray = report.deleted, report.failed, report.stray
        outcome.released = release_run_locks(clients, outcome.run_id, find_locks(clients, tables=tables,
                                                                                 buckets=buckets))
    outcome.locks_left = find_locks(clients, tables=tables, buckets=buckets)
    if outcome.before is not None:
        services = tuple(s for s in LISTERS if s not in outcome.before.skipped and s in outcome.before.services)
        outcome.orphans = new_resources(outcome.before, list_resources(clients, services))
    return outcome
