"""A build to be killed, run under a small supervisor that reaps the whole build once it is killed.

``/bin/sh -c`` forks the command (dash does not ``exec`` it), so after a SIGKILL of the build's process
group its processes are orphans that only init reaps, and some inits (a container's or a sandbox's PID 1)
take seconds or never do: until then a zombie's PID still answers ``kill(pid, 0)``, and a builder that
cleans the temporary files of *dead* builds takes the killed one for alive. The supervisor is a child
subreaper (Linux ``prctl(PR_SET_CHILD_SUBREAPER)``, see prctl(2)): the build's orphans are re-parented to
it, it reaps them at once and exits when the last one is gone. The build runs in its own process group,
whose id the supervisor prints first, so the harness kills the build and not the supervisor. Elsewhere
(no ``prctl``) init reaps the orphans, and :func:`wait_group_gone` waits for it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

GROUP_GONE_SECONDS = 10.0

SUPERVISOR = """
import ctypes, os, sys
try:
    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
except (AttributeError, OSError):
    pass
pid = os.fork()
if pid == 0:
    try:
        os.setpgid(0, 0)
        os.dup2(2, 1)
        os.execv("/bin/sh", ["/bin/sh", "-c", sys.argv[1]])
    finally:
        os._exit(127)
try:
    os.setpgid(pid, pid)
except OSError:
    pass
sys.stdout.write(f"{pid}\\n")
sys.stdout.flush()
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
"""


class Supervised:
    """The supervisor process and the process group of the build it runs."""

    def __init__(self, command: str, *, cwd: Path, env: dict[str, str], output: IO[bytes]) -> None:
        self.supervisor = subprocess.Popen([sys.executable, "-S", "-c", SUPERVISOR, command], cwd=cwd, env=env,
                                           stdout=subprocess.PIPE, stderr=output, start_new_session=True)
        assert self.supervisor.stdout is not None
        line = self.supervisor.stdout.readline().strip()
        self.group: int | None = int(line) if line.isdigit() else None

    def running(self) -> bool:
        """Whether the build (or anything it started) still runs."""
        return self.supervisor.poll() is None

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the build to end; True when it did."""
        try:
            self.supervisor.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def kill(self, timeout: float) -> None:
        """SIGKILL the build's process group and wait until the supervisor has reaped all of it."""
        if self.group is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.group, signal.SIGKILL)
        self.finish(timeout)

    def finish(self, timeout: float) -> None:
        """Wait for the supervisor (killing it after ``timeout``) and for the build's group to be gone."""
        if not self.wait(timeout):
            self.supervisor.kill()
            self.supervisor.wait()
        if self.supervisor.stdout is not None:
            self.supervisor.stdout.close()
        if self.group is not None:
            wait_group_gone(self.group)


def wait_group_gone(group: int, timeout: float = GROUP_GONE_SECONDS) -> bool:
    """Wait until no process of ``group`` is left, not even a zombie; False after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.005)
    return False
