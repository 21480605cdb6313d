"""One warm execution environment: a worker process running one function version's handler.

The worker is started on demand (a cold start: process start plus the handler's init phase, both
measured), then serves invocations one at a time over its pipes for as long as it is kept warm. An
invocation that outlives the function's timeout kills the worker, as Lambda stops the execution
environment ("Task timed out"); the next invocation gets a fresh one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_infra_parity.errors import DeployError
from pytest_infra_parity.runtime.config import FunctionConfig
from pytest_infra_parity.runtime.protocol import FrameTimeout, WorkerGone, read_frame, write_frame

__all__ = ["InitFailed", "Worker", "WorkerAnswer", "node_available"]

HERE = Path(__file__).resolve().parent
WRAPPER = HERE.parent / "chaos" / "faults_wrapper.py"


def node_available() -> str | None:
    """The ``node`` executable, or None (Node.js handlers are then unsupported here)."""
    return shutil.which("node")


class InitFailed(Exception):
    """The handler could not be initialised (its error document is ``error``)."""

    def __init__(self, error: dict[str, Any], log: str) -> None:
        super().__init__(str(error.get("errorMessage")))
        self.error = error
        self.log = log


@dataclass(frozen=True)
class WorkerAnswer:
    """What the worker answered for one invocation (``payload`` is JSON text, or ``error`` is set)."""

    payload: str | None
    error: dict[str, Any] | None
    log: str
    max_rss_kb: int
    duration_ms: float
    timed_out: bool = False


def _command(config: FunctionConfig) -> list[str]:
    if config.language == "python":
        return [sys.executable, "-I", "-u", str(HERE / "bootstrap_python.py")]
    if config.language == "node":
        node = node_available()
        if node is None:
            raise DeployError(f"function {config.name} runs {config.runtime}: Node.js handlers need the `node` "
                              "executable on PATH, which this machine lacks (install Node.js 18+)")
        return [node, str(HERE / "bootstrap_node.js")]
    raise DeployError(f"function {config.name}: the local runtime runs Python and Node.js handlers, not "
                      f"{config.runtime!r}")


class Worker:
    """A started worker process for ``config`` (use :meth:`start`, then :meth:`invoke`)."""

    def __init__(self, config: FunctionConfig, env: dict[str, str], log_dir: Path) -> None:
        self.config = config
        self._env = env
        self._log_dir = log_dir
        self._proc: subprocess.Popen[bytes] | None = None
        self._req_w = self._resp_r = -1
        self.init_ms = 0.0
        self.cold_wait_ms = 0.0
        self.init_log = ""
        self.last_used = time.monotonic()
        self.invocations = 0
        self.faults_sent: str | None = None

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Start the process and wait for its init phase (bounded by the function's timeout plus 10 s)."""
        started = time.monotonic()
        req_r, self._req_w = os.pipe()
        self._resp_r, resp_w = os.pipe()
        env = {**self._env, "INFRA_PARITY_WORKER_FDS": f"{req_r},{resp_w}", "INFRA_PARITY_WRAPPER": str(WRAPPER)}
        log = (self._log_dir / f"{self.config.name}-{os.getpid()}-{id(self)}.log").open("ab")
        try:
            self._proc = subprocess.Popen(_command(self.config), env=env, pass_fds=(req_r, resp_w),
                                          stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                          cwd=str(self.config.code_dir))
        finally:
            log.close()
            os.close(req_r)
            os.close(resp_w)
        try:
            first = read_frame(self._resp_r, time.monotonic() + self.config.timeout + 10)
        except (FrameTimeout, WorkerGone) as exc:
            self.kill()
            raise InitFailed({"errorMessage": f"the worker did not start: {exc}", "errorType": "Runtime.ExitError",
                              "requestId": "", "stackTrace": []}, "") from None
        self.init_log = str(first.get("log") or "")
        if first.get("type") != "ready":
            self.kill()
            raise InitFailed(dict(first.get("error") or {}), self.init_log)
        self.init_ms = float(first.get("init_ms") or 0.0)
        self.cold_wait_ms = (time.monotonic() - started) * 1000

    def invoke(self, event: str, request_id: str, faults: str | None, invoked_arn: str) -> WorkerAnswer:
        """Run one invocation within the function's timeout (the worker is killed if it runs over)."""
        started = time.monotonic()
        deadline = started + self.config.timeout
        message: dict[str, Any] = {"id": self.invocations, "request_id": request_id, "event": event,
                                   "deadline_ms": time.time() * 1000 + self.config.timeout * 1000,
                                   "invoked_arn": invoked_arn}
        if faults != self.faults_sent:
            message["faults"] = faults or ""
            self.faults_sent = faults
        self.invocations += 1
        try:
            write_frame(self._req_w, message)
            answer = read_frame(self._resp_r, deadline)
        except FrameTimeout:
            self.kill()
            return WorkerAnswer(None, None, "", 0, (time.monotonic() - started) * 1000, timed_out=True)
        except WorkerGone as exc:
            code = self._proc.poll() if self._proc is not None else None
            self.kill()
            error = {"errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: exit status {code}",
                     "errorType": "Runtime.ExitError"}
            return WorkerAnswer(None, error, str(exc), 0, (time.monotonic() - started) * 1000)
        self.last_used = time.monotonic()
        return WorkerAnswer(answer.get("payload"), answer.get("error"), str(answer.get("log") or ""),
                            int(answer.get("max_rss_kb") or 0), (self.last_used - started) * 1000)

    def kill(self) -> None:
        """Stop the process and close the pipes (idempotent)."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        for fd in (self._req_w, self._resp_r):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._req_w = self._resp_r = -1
