"""A PostgreSQL stand-in: a throwaway server (TLS, trust authentication) for RDS moto cannot run.

It needs the PostgreSQL server binaries (``initdb``, ``postgres``, ``psql``: Debian's
``postgresql-15`` or any on PATH). The cluster lives in a temporary folder, listens on 127.0.0.1 with
TLS (the local CA's ``localhost`` certificate, so ``sslmode=verify-full`` clients verify it) and trusts
every role, which stands in for RDS Proxy's IAM authentication (the token a handler signs is not
checked). Run as root, the server is started as the ``postgres`` user (PostgreSQL refuses root).
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.runtime.standin_tls import LocalCa

__all__ = ["PostgresStandIn", "postgres_missing"]


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def postgres_missing() -> str | None:
    """Why no PostgreSQL stand-in can run here (None when one can)."""
    missing = [n for n in ("initdb", "postgres", "psql") if _bin(n) is None]
    if missing:
        return f"the PostgreSQL server binaries are not installed ({', '.join(missing)} missing; e.g. apt-get " \
               "install postgresql)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresStandIn:
    """One PostgreSQL server in a temporary folder (:meth:`start`, :meth:`sql`, :meth:`stop`)."""

    def __init__(self, ca: LocalCa) -> None:
        missing = postgres_missing()
        if missing:
            raise ConfigError(missing)
        self._ca = ca
        self._dir = tempfile.mkdtemp(prefix="infra-parity-pg-")
        self.port = _free_port()
        self._proc: subprocess.Popen[bytes] | None = None
        self._as_postgres = os.geteuid() == 0

    def _run_as(self, command: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *command] if self._as_postgres else command

    def _prepare(self) -> Path:
        data = Path(self._dir) / "data"
        for name in ("server.pem", "server.key"):
            shutil.copy(self._ca.cert_file if name == "server.pem" else self._ca.key_file, Path(self._dir) / name)
        if self._as_postgres:
            shutil.chown(self._dir, "postgres", "postgres")
            for path in Path(self._dir).iterdir():
                shutil.chown(path, "postgres", "postgres")
        os.chmod(Path(self._dir) / "server.key", 0o600)
        subprocess.run(self._run_as([str(_bin("initdb")), "-D", str(data), "-A", "trust", "-U", "postgres",
                                     "--no-sync", "-E", "UTF8"]), check=True, capture_output=True)
        return data

    def start(self) -> PostgresStandIn:
        data = Path(self._dir) / "data"
        if not data.exists():
            data = self._prepare()
        settings = ["-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self._dir}", "-c", "ssl=on",
                    "-c", f"ssl_cert_file={self._dir}/server.pem", "-c", f"ssl_key_file={self._dir}/server.key",
                    "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                    "-c", "max_connections=200"]
        log = open(Path(self._dir) / "server.log", "ab")  # noqa: SIM115 - handed to the child
        try:
            self._proc = subprocess.Popen(self._run_as([str(_bin("postgres")), "-D", str(data), "-p", str(self.port),
                                                        *settings]), stdout=log, stderr=log,
                                          start_new_session=True)
        finally:
            log.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            done = subprocess.run(self._psql("postgres", "SELECT 1"), capture_output=True)
            if done.returncode == 0:
                return self
            time.sleep(0.1)
        raise ConfigError(f"the PostgreSQL stand-in did not start: {self.log()[-800:]}")

    def log(self) -> str:
        path = Path(self._dir) / "server.log"
        return path.read_text(errors="replace") if path.is_file() else ""

    def _psql(self, database: str, sql: str) -> list[str]:
        return [str(_bin("psql")), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
                "-v", "ON_ERROR_STOP=1", "-q", "-t", "-A", "-c", sql]

    def sql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as the superuser; its output (a ConfigError on failure)."""
        done = subprocess.run(self._psql(database, sql), capture_output=True, text=True)
        if done.returncode != 0:
            raise ConfigError(f"PostgreSQL stand-in: {done.stderr.strip()}")
        return done.stdout

    def ensure(self, user: str, database: str) -> None:
        """Create the role (login, trusted) and its database when missing."""
        exists = self.sql(f"SELECT 1 FROM pg_roles WHERE rolname = '{user}'").strip()
        if not exists:
            self.sql(f'CREATE ROLE "{user}" LOGIN SUPERUSER')
        if not self.sql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'").strip():
            self.sql(f'CREATE DATABASE "{database}" OWNER "{user}"')

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> None:
        """Stop the server (fast shutdown: clients are disconnected)."""
        if self._proc is not None and self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGINT)  # the group this object started: runuser and postgres
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)
