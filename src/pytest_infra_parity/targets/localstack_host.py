"""LocalStack on this machine, without Docker: ``localstack-core`` in its own virtualenv, one process group.

Settings measured to work offline on a host that looks like a container: ``OVERRIDE_IN_DOCKER=0``;
``GATEWAY_LISTEN=127.0.0.1:<port>`` with ``GATEWAY_SERVER=hypercorn`` (the default server binds
0.0.0.0); ``DNS_ADDRESS=0``; ``DISABLE_EVENTS=1``; ``SKIP_SSL_CERT_DOWNLOAD=1``; its own
``FILESYSTEM_ROOT``, ``TMPDIR`` and ``HOME``; ``SQS_ENDPOINT_STRATEGY=path`` with
``LOCALSTACK_HOST=127.0.0.1:<port>`` (queue URL host names do not resolve offline). LocalStack keeps
S3 object data in a fixed ``/tmp/localstack-s3-storage`` shared by every instance of the host (a
bucket deleted in one removes the other's folder): the launcher points it into the instance's own
folder. The process runs in its own session (process group); stopping it signals the whole group,
waits, then kills what is left, so nothing outlives ``stop``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pytest_infra_parity.errors import TargetError
from pytest_infra_parity.targets.localstack_paths import (
    InstanceRecord,
    forget_record,
    instance_folder,
    write_record,
)
from pytest_infra_parity.targets.localstack_python import find_python
from pytest_infra_parity.targets.localstack_ready import log_tail, wait_ready
from pytest_infra_parity.targets.localstack_venv import Venv, ensure_venv

LAUNCHER = """\
import os, runpy, signal, sys, threading, time
import localstack.services.s3.provider as s3_provider
if hasattr(s3_provider, "DEFAULT_S3_TMP_DIR"):
    s3_provider.DEFAULT_S3_TMP_DIR = os.environ["INFRA_PARITY_S3_STORAGE"]
else:
    print("infra-parity: cannot isolate S3 storage in this LocalStack version", file=sys.stderr)
PARENT = int(os.environ.get("INFRA_PARITY_PARENT_PID") or 0)
def watch_parent():
    while os.getppid() == PARENT:
        time.sleep(0.5)
    print("infra-parity: the process that started LocalStack is gone: stopping", flush=True)
    os.killpg(0, signal.SIGTERM)
    time.sleep(GRACE)
    os.killpg(0, signal.SIGKILL)
if PARENT:
    threading.Thread(target=watch_parent, name="infra-parity-watch", daemon=True).start()
runpy.run_module("localstack.runtime.main", run_name="__main__", alter_sys=True)
""".replace("GRACE", "8")
"""Runs LocalStack's own entry point (``python -m localstack.runtime.main``) after isolating S3 storage.

An instance a test session started (``INFRA_PARITY_PARENT_PID``) stops its whole process group when
that process dies without stopping it (killed, crashed): SIGTERM, then SIGKILL 8 s later, as
LocalStack's shutdown can hang on a download that never finishes.
"""

STAGES = ("boot.d", "start.d", "ready.d", "shutdown.d")
_DROPPED_ENV = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "AWS_ENDPOINT_URL", "AWS_PROFILE")
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}
"""Processes this process started (waited for on stop, so none stays a zombie)."""


@dataclass
class HostOptions:
    """How to start LocalStack on the host."""

    port: int
    cache: Path
    timeout: float = 90.0
    init_dir: Path | None = None
    python: str | None = None
    owner: str = "cli"
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


def host_settings(port: int, folder: Path) -> dict[str, str]:
    """LocalStack's settings for a loopback-only, offline instance with its own folders."""
    return {
        "OVERRIDE_IN_DOCKER": "0",
        "GATEWAY_LISTEN": f"127.0.0.1:{port}",
        "GATEWAY_SERVER": "hypercorn",
        "LOCALSTACK_HOST": f"127.0.0.1:{port}",
        "SQS_ENDPOINT_STRATEGY": "path",
        "DNS_ADDRESS": "0",
        "DISABLE_EVENTS": "1",
        "SKIP_SSL_CERT_DOWNLOAD": "1",
        "FILESYSTEM_ROOT": str(folder / "fs"),
        "TMPDIR": str(folder / "tmp"),
        "HOME": str(folder / "home"),
        "INFRA_PARITY_S3_STORAGE": str(folder / "s3"),
    }


def process_env(base: Mapping[str, str], port: int, folder: Path) -> dict[str, str]:
    """The caller's environment (LocalStack settings, ``LOCALSTACK_AUTH_TOKEN``...) with ours on top.

    The caller's Python and AWS settings are dropped: LocalStack runs its own interpreter, and an
    ``AWS_ENDPOINT_URL`` would send its internal clients elsewhere.
    """
    env = {k: v for k, v in base.items() if k not in _DROPPED_ENV}
    env.update(host_settings(port, folder))
    return env


def port_is_free(port: int) -> bool:
    """Whether LocalStack could listen on ``127.0.0.1:<port>`` (TIME_WAIT connections do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as hypercorn binds
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def prepare_folder(folder: Path, init_dir: Path | None) -> None:
    """A fresh instance folder; the user's init hooks copied where LocalStack looks for them on a host."""
    if folder.exists():
        shutil.rmtree(folder)
    for name in ("fs", "tmp", "home", "s3"):
        (folder / name).mkdir(parents=True)
    if init_dir is None:
        return
    if not init_dir.is_dir():
        raise TargetError(f"--init-dir {init_dir}: not a folder (expected ready.d/ and friends inside)")
    hooks = folder / "fs" / "etc" / "localstack" / "init"
    for stage in STAGES:
        if (init_dir / stage).is_dir():
            shutil.copytree(init_dir / stage, hooks / stage)


def spawn(venv: Venv, folder: Path, env: dict[str, str], owner: str) -> subprocess.Popen[bytes]:
    """Start the process in a new session (its own process group); a pytest-owned one watches its parent."""
    log = folder / "localstack.log"
    if owner == "pytest":
        env = {**env, "INFRA_PARITY_PARENT_PID": str(os.getpid())}
    with log.open("wb") as out:
        process = subprocess.Popen([str(venv.python), "-c", LAUNCHER], cwd=folder, env=env,
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    _CHILDREN[process.pid] = process
    return process


def start_host(options: HostOptions, venv: Venv | None = None) -> tuple[InstanceRecord, Venv]:
    """Install (first use) and start LocalStack on ``127.0.0.1:<port>``; wait until it answers.

    On any failure after the process started, the process group is stopped before the error is raised.
    """
    if not port_is_free(options.port):
        raise TargetError(f"cannot start LocalStack on 127.0.0.1:{options.port}: the port is in use "
                          "(stop what uses it, or choose another port)")
    venv = venv or ensure_venv(options.cache, find_python(options.python, options.env))
    folder = instance_folder(options.cache, options.port)
    prepare_folder(folder, options.init_dir)
    env = process_env(options.env, options.port, folder)
    started = time.monotonic()
    process = spawn(venv, folder, env, options.owner)
    record = InstanceRecord(port=options.port, endpoint=f"http://127.0.0.1:{options.port}", via="host",
                            pid=process.pid, started_at=time.time(), log=str(folder / "localstack.log"),
                            folder=str(folder), owner=options.owner, extra={"venv": str(venv.folder)})
    write_record(options.cache, record)
    try:
        wait_ready(record.endpoint, options.timeout, alive=lambda: process.poll() is None,
                   hooks=options.init_dir is not None)
    except BaseException as exc:
        stop_host(record)
        forget_record(options.cache, options.port)
        if isinstance(exc, TargetError):
            exc.message += f"\n  LocalStack's log: {record.log}\n    " + "\n    ".join(log_tail(Path(record.log)))
            exc.args = (exc.describe(),)
        raise
    record.ready_seconds = time.monotonic() - started
    write_record(options.cache, record)
    return record, venv


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group, from ``/proc``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 2 and fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def is_alive(record: InstanceRecord) -> bool:
    return bool(record.pid) and bool(group_members(record.pid))


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group ended meanwhile
        os.killpg(pgid, sig)


def stop_host(record: InstanceRecord, grace: float = 5.0) -> list[int]:
    """SIGTERM the process group, wait up to ``grace`` seconds, SIGKILL what is left; the pids killed."""
    pgid = record.pid
    child = _CHILDREN.pop(pgid, None)
    if not pgid or not group_members(pgid):
        if child is not None:
            child.wait(timeout=5)
        return []
    _signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while group_members(pgid) and time.monotonic() < deadline:
        if child is not None and child.poll() is not None and not group_members(pgid):
            break
        time.sleep(0.1)
    killed = group_members(pgid)
    if killed:
        _signal_group(pgid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while group_members(pgid) and time.monotonic() < deadline:
            time.sleep(0.05)
    if child is not None:
        child.wait(timeout=5)
    left = group_members(pgid)
    if left:
        raise TargetError(f"LocalStack's process group {pgid} still has processes {left} after SIGKILL")
    return killed


def clean_folder(record: InstanceRecord) -> None:
    """Remove the instance's state (filesystem root, temp, S3 data); its log is kept for inspection."""
    folder = Path(record.folder)
    for name in ("fs", "tmp", "home", "s3"):
        shutil.rmtree(folder / name, ignore_errors=True)
