"""Start LocalStack the best way available, and stop exactly what was started.

Order: a LocalStack already answering at the endpoint is used as it is (and never stopped); else a
container with testcontainers when a Docker engine answers (and testcontainers is installed); else
``localstack-core`` on this machine (see :mod:`.localstack_host`). ``via`` forces one way: ``host``,
``docker`` or ``auto`` (``INFRA_PARITY_LOCALSTACK_VIA``). Each started instance is recorded under the
cache folder so ``infra-parity localstack stop``/``status`` find it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pytest_infra_parity.errors import TargetError
from pytest_infra_parity.targets.localstack_paths import InstanceRecord, cache_dir, forget_record, write_record
from pytest_infra_parity.targets.localstack_ready import answers

VIAS = ("auto", "host", "docker")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class StartRequest:
    """What to start, and where."""

    endpoint: str
    via: str = "auto"
    cache: Path | None = None
    timeout: float = 90.0
    init_dir: Path | None = None
    python: str | None = None
    owner: str = "cli"
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))

    @property
    def port(self) -> int:
        return loopback_port(self.endpoint)


def loopback_port(endpoint: str) -> int:
    """The port of a loopback endpoint (4566 when none is given); only those can be started here."""
    parsed = urlparse(endpoint)
    if parsed.hostname not in LOOPBACK:
        raise TargetError(f"cannot start LocalStack for {endpoint}: only a loopback endpoint "
                          "(127.0.0.1 or localhost) can be started here")
    return parsed.port or 4566


@dataclass
class Started:
    """A LocalStack ready at ``endpoint``: ``via`` is ``existing``, ``docker`` or ``host``."""

    endpoint: str
    via: str
    record: InstanceRecord | None = None
    cache: Path | None = None
    installed_seconds: float = 0.0
    handle: Any = None
    """The container object when this process started one with testcontainers."""

    @property
    def ready_seconds(self) -> float:
        return self.record.ready_seconds if self.record else 0.0

    def stop(self) -> list[int]:
        """Stop what this process started (never an existing LocalStack); the pids killed."""
        if self.record is None:
            return []
        return stop_recorded(self.record, self.cache or cache_dir(), self.handle)


def stop_recorded(record: InstanceRecord, cache: Path, container: Any = None) -> list[int]:
    """Stop a recorded instance (host: its process group; docker: its container) and forget it."""
    killed: list[int] = []
    if record.via == "host":
        from pytest_infra_parity.targets.localstack_host import clean_folder, stop_host

        killed = stop_host(record)
        clean_folder(record)
    elif record.via == "docker":
        from pytest_infra_parity.targets.localstack_docker import stop_container

        stop_container(record, container)
    forget_record(cache, record.port)
    return killed


@dataclass
class Ways:
    """The environment the choice depends on (tests replace these)."""

    answers: Callable[[str], bool] = answers
    docker_answers: Callable[[], bool] = field(default_factory=lambda: _docker_answers)
    testcontainers: Callable[[], bool] = field(default_factory=lambda: _testcontainers)
    start_docker: Callable[[StartRequest, Path], Started] = field(default_factory=lambda: _start_docker)
    start_host: Callable[[StartRequest, Path], Started] = field(default_factory=lambda: _start_host)


def _docker_answers() -> bool:
    from pytest_infra_parity.targets.localstack_docker import docker_answers

    return docker_answers()


def _testcontainers() -> bool:
    from pytest_infra_parity.targets.localstack_docker import testcontainers_installed

    return testcontainers_installed()


def _start_docker(request: StartRequest, cache: Path) -> Started:
    from pytest_infra_parity.targets.localstack_docker import start_docker

    record, container = start_docker(request.port, request.timeout, request.env, owner=request.owner)
    write_record(cache, record)
    return Started(record.endpoint, "docker", record, cache, handle=container)


def _start_host(request: StartRequest, cache: Path) -> Started:
    from pytest_infra_parity.targets.localstack_host import HostOptions, start_host

    options = HostOptions(port=request.port, cache=cache, timeout=request.timeout, init_dir=request.init_dir,
                          python=request.python, owner=request.owner, env=request.env)
    record, venv = start_host(options)
    return Started(record.endpoint, "host", record, cache, installed_seconds=venv.installed_seconds)


def choose(request: StartRequest, ways: Ways) -> str:
    """``existing``, ``docker`` or ``host``: the first way that applies, in that order."""
    if request.via not in VIAS:
        raise TargetError(f"LocalStack start: --via must be one of {', '.join(VIAS)}, got {request.via!r}")
    if ways.answers(request.endpoint):
        return "existing"
    loopback_port(request.endpoint)  # refuses a remote endpoint before anything starts
    if request.via == "host":
        return "host"
    docker = ways.docker_answers()
    if request.via == "docker":
        if not docker:
            raise TargetError("LocalStack start --via docker: no Docker engine answers (DOCKER_HOST or "
                              "/var/run/docker.sock); use --via host to run localstack-core on this machine")
        return "docker"
    return "docker" if docker and ways.testcontainers() else "host"


def start_localstack(request: StartRequest, ways: Ways | None = None) -> Started:
    """A ready LocalStack for ``request.endpoint``; :class:`TargetError` (with the log's path) otherwise."""
    ways = ways or Ways()
    cache = request.cache or cache_dir(request.env)
    how = choose(request, ways)
    if how == "existing":
        return Started(request.endpoint, "existing")
    return ways.start_docker(request, cache) if how == "docker" else ways.start_host(request, cache)


def via_from_env(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get("INFRA_PARITY_LOCALSTACK_VIA", "auto") or "auto"
