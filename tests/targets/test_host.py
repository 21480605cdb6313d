"""LocalStack on the host: finding Python 3.13, the reused virtualenv, records, start and stop of a group.

A fake ``localstack`` executable (a small HTTP server answering the health check) stands in for the
real one, so these run in a second; the real one is in ``test_host_integration.py``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pytest_infra_parity.errors import TargetError
from pytest_infra_parity.targets.localstack_host import (
    HostOptions,
    group_members,
    host_settings,
    process_env,
    start_host,
    stop_host,
)
from pytest_infra_parity.targets.localstack_paths import (
    InstanceRecord,
    cache_dir,
    read_record,
    read_records,
    record_path,
    write_record,
)
from pytest_infra_parity.targets.localstack_python import FoundPython, candidates, find_python
from pytest_infra_parity.targets.localstack_venv import MARKER, Venv, ensure_venv


def test_cache_dir_from_setting_xdg_or_home(tmp_path: Path) -> None:
    assert cache_dir({"INFRA_PARITY_CACHE_DIR": str(tmp_path / "c")}) == tmp_path / "c"
    assert cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "pytest-infra-parity"
    assert cache_dir({}) == (Path.home() / ".cache" / "pytest-infra-parity").resolve()


def _pyenv(tmp_path: Path, versions: list[str]) -> Path:
    for version in versions:
        binary = tmp_path / "versions" / version / "bin" / "python3"
        binary.parent.mkdir(parents=True)
        binary.write_text("#!/bin/sh\n")
        binary.chmod(0o755)
    return tmp_path


def test_python_313_is_preferred_and_found_through_pyenv_root(tmp_path: Path) -> None:
    root = _pyenv(tmp_path, ["3.12.1", "3.13.2", "3.14.0", "3.13-dev"])
    env = {"PYENV_ROOT": str(root), "PATH": "/nonexistent"}
    assert list(candidates(env)) == [sys.executable] + [str(root / "versions" / v / "bin" / "python3")
                                                        for v in ("3.13.2", "3.14.0")]

    def check(path: str) -> tuple[int, int, int] | None:
        for version in ("3.13.2", "3.14.0"):
            if f"/{version}/" in path:
                return (3, int(version.split(".")[1]), int(version.split(".")[2]))
        return (3, 11, 7)

    assert find_python(env=env, check=check) == FoundPython(str(root / "versions/3.13.2/bin/python3"), (3, 13, 2))


def test_no_suitable_python_is_a_clear_error(tmp_path: Path) -> None:
    env = {"PYENV_ROOT": str(_pyenv(tmp_path, ["3.12.1"])), "PATH": "/nonexistent"}
    with pytest.raises(TargetError, match=r"no Python >= 3.13 found for LocalStack.*; tried (\S+)\. Install") as caught:
        find_python(env=env, check=lambda path: (3, 12, 1))
    assert sys.executable in caught.value.describe() and "3.12.1" not in caught.value.describe()
    with pytest.raises(TargetError, match="INFRA_PARITY_LOCALSTACK_PYTHON=/no/python does not run"):
        find_python(env={"INFRA_PARITY_LOCALSTACK_PYTHON": "/no/python"}, check=lambda path: None)
    with pytest.raises(TargetError, match=r"is 3\.12\.0"):
        find_python("/usr/bin/python3.12", env={}, check=lambda path: (3, 12, 0))


class FakeInstaller:
    """Records the install commands; ``venv`` creates the interpreter, pip "installs"."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def __call__(self, command: list[str], log: Path) -> None:
        self.commands.append(command)
        if command[1:3] == ["-m", "venv"]:
            python = Path(command[3]) / "bin" / "python"
            python.parent.mkdir(parents=True)
            python.write_text("")


def test_the_virtualenv_is_built_once_then_reused(tmp_path: Path) -> None:
    python = FoundPython("/opt/python3.13", (3, 13, 0))
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("cbor2==5.9.0\n")
    installer = FakeInstaller()
    first = ensure_venv(tmp_path / "cache", python, run=installer, constraints=constraints)
    assert not first.reused and (first.folder / MARKER).is_file()
    assert installer.commands[0] == ["/opt/python3.13", "-m", "venv", str(first.folder)]
    assert installer.commands[1][-3:] == ["localstack-core[runtime]==2026.3.0", "-c", str(constraints)]
    second = ensure_venv(tmp_path / "cache", python, run=installer, constraints=constraints)
    assert second.reused and len(installer.commands) == 2  # nothing reinstalled
    constraints.write_text("cbor2==5.9.0\npyOpenSSL==25.0.0\n")  # other pins: rebuilt
    third = ensure_venv(tmp_path / "cache", python, run=installer, constraints=constraints)
    assert not third.reused and len(installer.commands) == 4
    (third.folder / MARKER).unlink()  # an install that was interrupted: rebuilt
    assert not ensure_venv(tmp_path / "cache", python, run=installer, constraints=constraints).reused


def test_a_failed_install_names_its_log(tmp_path: Path) -> None:
    def failing(command: list[str], log: Path) -> None:
        raise TargetError(f"installing LocalStack failed (exit 1); log: {log}")

    with pytest.raises(TargetError, match=r"install\.log"):
        ensure_venv(tmp_path, FoundPython("/opt/python3.13", (3, 13, 0)), run=failing)


def test_records_are_written_read_and_refused_when_broken(tmp_path: Path) -> None:
    record = InstanceRecord(port=4599, endpoint="http://127.0.0.1:4599", via="host", pid=123, log="/x.log")
    path = write_record(tmp_path, record)
    assert path == record_path(tmp_path, 4599) and read_records(tmp_path) == [record]
    path.write_text("{not json")
    with pytest.raises(TargetError, match=r"4599.json: not a LocalStack instance record"):
        read_record(path)


FAKE_LOCALSTACK = '''
import http.server, json, os, signal, subprocess, sys
mode = os.environ.get("FAKE_MODE", "ok")
json.dump(dict(os.environ), open("env.json", "w"))
if mode == "exit":
    print("fake localstack: cannot start"); sys.exit(3)
if mode == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    child = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
    subprocess.Popen([sys.executable, "-c", child])
host, port = os.environ["GATEWAY_LISTEN"].split(":")
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"services": {"s3": "running"}, "version": "fake"}).encode()
        self.send_response(200 if mode != "silent" else 503); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer((host, int(port)), H).serve_forever()
'''


def _fake_venv(tmp_path: Path) -> Venv:
    script = tmp_path / "fake_localstack.py"
    script.write_text(FAKE_LOCALSTACK)
    python = tmp_path / "fakevenv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f"#!/bin/sh\nexec {sys.executable} {script}\n")  # ignores LocalStack's launcher
    python.chmod(0o755)
    return Venv(tmp_path / "fakevenv", python)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _options(tmp_path: Path, mode: str, **more: object) -> HostOptions:
    env = {**os.environ, "FAKE_MODE": mode, "AWS_ENDPOINT_URL": "http://elsewhere", "PYTHONPATH": "/x"}
    return HostOptions(port=_free_port(), cache=tmp_path / "cache", env=env, **more)  # type: ignore[arg-type]


def test_start_binds_loopback_with_the_offline_settings_and_stop_ends_the_group(tmp_path: Path) -> None:
    options = _options(tmp_path, "ok", owner="pytest")
    record, _ = start_host(options, venv=_fake_venv(tmp_path))
    folder = Path(record.folder)
    try:
        env = json.loads((folder / "env.json").read_text())
        assert env["GATEWAY_LISTEN"] == f"127.0.0.1:{options.port}" and env["GATEWAY_SERVER"] == "hypercorn"
        for key in ("OVERRIDE_IN_DOCKER", "DNS_ADDRESS", "DISABLE_EVENTS", "SKIP_SSL_CERT_DOWNLOAD",
                    "SQS_ENDPOINT_STRATEGY", "LOCALSTACK_HOST"):
            assert env[key] == host_settings(options.port, folder)[key]
        assert env["INFRA_PARITY_S3_STORAGE"] == str(folder / "s3") and env["HOME"] == str(folder / "home")
        assert "AWS_ENDPOINT_URL" not in env and "PYTHONPATH" not in env
        assert env["INFRA_PARITY_PARENT_PID"] == str(os.getpid())
        assert read_records(options.cache)[0].pid == record.pid and record.ready_seconds > 0
    finally:
        stop_host(record)
    assert group_members(record.pid) == []


def test_stop_kills_what_ignores_sigterm_including_children(tmp_path: Path) -> None:
    record, _ = start_host(_options(tmp_path, "stubborn"), venv=_fake_venv(tmp_path))
    deadline = time.monotonic() + 5
    while len(group_members(record.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    members = group_members(record.pid)
    assert len(members) >= 2  # the server and its child, one process group
    killed = stop_host(record, grace=0.5)
    assert sorted(killed) == sorted(members) and group_members(record.pid) == []


@pytest.mark.parametrize(("mode", "message"), [
    ("exit", "LocalStack exited before it was ready"),
    ("silent", "did not become ready"),
])
def test_a_failed_start_leaves_no_process_and_shows_the_log(tmp_path: Path, mode: str, message: str) -> None:
    options = _options(tmp_path, mode, timeout=1.0)
    with pytest.raises(TargetError, match=message) as caught:
        start_host(options, venv=_fake_venv(tmp_path))
    assert "LocalStack's log:" in caught.value.describe()
    if mode == "exit":
        assert "fake localstack: cannot start" in caught.value.describe()
    assert read_records(options.cache) == []
    assert subprocess.run(["pgrep", "-f", str(tmp_path / "fake_localstack.py")], capture_output=True).stdout == b""


def test_a_busy_port_is_refused(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        options = HostOptions(port=sock.getsockname()[1], cache=tmp_path)
        with pytest.raises(TargetError, match="the port is in use"):
            start_host(options, venv=_fake_venv(tmp_path))


def test_process_env_keeps_the_callers_localstack_settings() -> None:
    env = process_env({"LOCALSTACK_AUTH_TOKEN": "t", "DEBUG": "1", "VIRTUAL_ENV": "/v"}, 4599, Path("/f"))
    assert env["LOCALSTACK_AUTH_TOKEN"] == "t" and env["DEBUG"] == "1" and "VIRTUAL_ENV" not in env
    assert signal.SIGTERM  # the module's stop path relies on process groups (POSIX)
