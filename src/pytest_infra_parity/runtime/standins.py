"""Local stand-ins for the VPC resources a stack's functions reach: PostgreSQL and Redis.

moto creates RDS instances, proxies and ElastiCache groups as records only: nothing listens at their
endpoints. For load tests that exercise the handlers' data paths, the runtime points the variables
that locate those resources (found by name, as for fault injection: ``DB_*``/``DATABASE_URL``/``PG*``,
``REDIS_*``) at local stand-ins served with TLS (:mod:`.standin_tls`), and makes the workers trust the
stand-ins' CA (``SSL_CERT_FILE``). The PostgreSQL stand-in listens on 5432 when that port is free, so
code that assumes the default port still reaches it.
"""

from __future__ import annotations

import socket
import tempfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from pytest_infra_parity.chaos.faults import dependency_env
from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.runtime.standin_pg import PostgresStandIn
from pytest_infra_parity.runtime.standin_redis import RedisStandIn
from pytest_infra_parity.runtime.standin_tls import LocalCa, make_local_ca

__all__ = ["KINDS", "StandIns"]

KINDS = {"postgresql": "postgresql", "postgres": "postgresql", "database": "postgresql", "rds": "postgresql",
         "redis": "redis", "elasticache": "redis", "cache": "redis"}


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class StandIns:
    """The stand-ins of a session, started on first use."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="infra-parity-standins-")
        self._ca: LocalCa | None = None
        self.postgres: PostgresStandIn | None = None
        self.redis: RedisStandIn | None = None

    @property
    def ca(self) -> LocalCa:
        if self._ca is None:
            self._ca = make_local_ca(Path(self._dir.name))
        return self._ca

    @staticmethod
    def kind(name: str) -> str:
        try:
            return KINDS[name.strip().lower()]
        except KeyError:
            raise ConfigError(f"no local stand-in for {name!r}; there are stand-ins for PostgreSQL and Redis") from None

    def start(self, kind: str) -> None:
        if kind == "postgresql" and self.postgres is None:
            server = PostgresStandIn(self.ca)
            if _port_free(5432):
                server.port = 5432
            self.postgres = server.start()
        elif kind == "redis" and self.redis is None:
            self.redis = RedisStandIn(self.ca.server_context()).start()

    def overrides(self, kind: str, env: Mapping[str, str]) -> dict[str, str]:
        """The variables of one function pointed at the stand-in (empty when none locates it)."""
        server = self.postgres if kind == "postgresql" else self.redis
        if server is None:
            return {}
        try:
            changed = dependency_env(kind, env, server.port, host="localhost")
        except ConfigError:
            return {}
        if kind == "postgresql" and self.postgres is not None:
            self._ensure_roles(env, changed)
        return {**changed, "SSL_CERT_FILE": str(self.ca.ca_file)}

    def _ensure_roles(self, env: Mapping[str, str], changed: Mapping[str, str]) -> None:
        assert self.postgres is not None
        user, database = env.get("DB_USER"), env.get("DB_NAME")
        if user and database:
            self.postgres.ensure(user, database)
        for value in changed.values():
            if "://" in value:
                parts = urlsplit(value)
                if parts.username and parts.path.strip("/"):
                    self.postgres.ensure(parts.username, parts.path.strip("/"))

    def stop(self, kind: str) -> bool:
        """Take a running stand-in down (its clients are disconnected); False when there is none."""
        server = self.postgres if kind == "postgresql" else self.redis
        if server is None or not server.running:
            return False
        server.stop()
        return True

    def restart(self) -> None:
        """Bring stopped stand-ins back (between scenarios)."""
        for server in (self.postgres, self.redis):
            if server is not None and not server.running:
                server.start()

    def close(self) -> None:
        if self.postgres is not None:
            self.postgres.close()
        if self.redis is not None:
            self.redis.stop()
        self._dir.cleanup()
