"""How LocalStack gets started: existing endpoint, then Docker, then this host; Docker's leak fixed."""

from __future__ import annotations

import socket
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest

from pytest_infra_parity.errors import TargetError
from pytest_infra_parity.targets.localstack_docker import docker_answers, refusal_message, start_docker
from pytest_infra_parity.targets.localstack_starter import Started, StartRequest, Ways, choose, start_localstack
from tests.targets.fake_localstack import serve


def _ways(answers: bool = False, docker: bool = False, testcontainers: bool = True) -> tuple[Ways, list[str]]:
    calls: list[str] = []

    def start_docker(request: StartRequest, cache: Path) -> Started:
        calls.append(f"docker:{request.port}")
        return Started(request.endpoint, "docker")

    def start_host(request: StartRequest, cache: Path) -> Started:
        calls.append(f"host:{request.port}:{cache}")
        return Started(request.endpoint, "host")

    ways = Ways(answers=lambda endpoint: answers, docker_answers=lambda: docker,
                testcontainers=lambda: testcontainers, start_docker=start_docker, start_host=start_host)
    return ways, calls


@pytest.mark.parametrize(("answers", "docker", "testcontainers", "expected"), [
    (True, True, True, "existing"),
    (False, True, True, "docker"),
    (False, True, False, "host"),
    (False, False, True, "host"),
])
def test_the_first_way_that_applies_wins(answers: bool, docker: bool, testcontainers: bool, expected: str) -> None:
    ways, _ = _ways(answers, docker, testcontainers)
    assert choose(StartRequest("http://127.0.0.1:4566"), ways) == expected


def test_start_calls_only_the_chosen_starter(tmp_path: Path) -> None:
    ways, calls = _ways(docker=False)
    started = start_localstack(StartRequest("http://localhost:4599", cache=tmp_path), ways)
    assert (started.via, calls) == ("host", [f"host:4599:{tmp_path}"])
    ways, calls = _ways(answers=True)
    existing = start_localstack(StartRequest("http://127.0.0.1:4566", cache=tmp_path), ways)
    assert existing.via == "existing" and calls == [] and existing.stop() == []  # never stops what it found


def test_forced_ways_and_wrong_requests_are_clear_errors() -> None:
    ways, _ = _ways(docker=False)
    with pytest.raises(TargetError, match="--via docker: no Docker engine answers"):
        choose(StartRequest("http://127.0.0.1:4566", via="docker"), ways)
    assert choose(StartRequest("http://127.0.0.1:4566", via="host"), _ways(docker=True)[0]) == "host"
    with pytest.raises(TargetError, match="--via must be one of auto, host, docker"):
        choose(StartRequest("http://127.0.0.1:4566", via="podman"), ways)
    with pytest.raises(TargetError, match="only a loopback endpoint"):
        choose(StartRequest("http://10.1.2.3:4566"), ways)


def test_an_endpoint_that_answers_is_detected() -> None:
    with serve() as fake:
        assert Ways().answers(fake.url)
    assert not Ways().answers(fake.url)


def _docker_socket(reply: bytes) -> tuple[str, threading.Thread]:
    path = tempfile.mktemp(prefix="ipp-docker-", suffix=".sock", dir="/tmp")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)

    def answer() -> None:
        connection, _ = server.accept()
        with connection:
            connection.recv(256)
            connection.sendall(reply)
        server.close()

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    return path, thread


def test_docker_engine_detection_pings_the_socket() -> None:
    path, thread = _docker_socket(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK")
    assert docker_answers({"DOCKER_HOST": f"unix://{path}"})
    thread.join(2)
    path, thread = _docker_socket(b"HTTP/1.1 500 Internal Server Error\r\n\r\n")
    assert not docker_answers({"DOCKER_HOST": f"unix://{path}"})
    thread.join(2)
    assert not docker_answers({"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert not docker_answers({"DOCKER_HOST": "ssh://somewhere"})


class FakeContainer:
    """testcontainers' LocalStackContainer as start_docker uses it; ``start`` succeeds, the rest is set."""

    instances: list[FakeContainer] = []

    def __init__(self, image: str, logs: bytes = b"", fail_start: bool = False) -> None:
        self.image, self.logs, self.fail_start = image, logs, fail_start
        self.env: dict[str, str] = {}
        self._container: Any = None
        self.stopped = False
        FakeContainer.instances.append(self)

    def with_bind_ports(self, container: int, host: int) -> None:
        self.ports = (container, host)

    def with_env(self, key: str, value: str) -> None:
        self.env[key] = value

    def start(self) -> None:
        self._container = type("Wrapped", (), {"id": "c0ffee"})()  # the container exists from here on
        if self.fail_start:
            raise RuntimeError("container exited with code 55")

    def get_logs(self) -> tuple[bytes, bytes]:
        return self.logs, b""

    def stop(self) -> None:
        self.stopped = True


def test_a_container_that_never_becomes_healthy_is_removed() -> None:
    FakeContainer.instances.clear()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing answers there: the health check fails after start
    with pytest.raises(TargetError, match="could not start LocalStack with Docker"):
        start_docker(port, timeout=0.3, env={}, factory=FakeContainer)
    assert FakeContainer.instances[0].stopped  # the leak of the last session: fixed


def test_a_missing_auth_token_is_named() -> None:
    FakeContainer.instances.clear()

    def factory(image: str) -> FakeContainer:
        return FakeContainer(image, logs=b"License activation failed! LOCALSTACK_AUTH_TOKEN not set", fail_start=True)

    with pytest.raises(TargetError, match="refused to start without LOCALSTACK_AUTH_TOKEN"):
        start_docker(4566, env={"LOCALSTACK_IMAGE": "localstack/localstack:2026.3"}, factory=factory)
    assert FakeContainer.instances[0].stopped
    assert "refused LOCALSTACK_AUTH_TOKEN" in refusal_message("img", "tok", "license invalid", "boom")
    FakeContainer.instances.clear()
    with pytest.raises(TargetError):
        start_docker(4566, env={"LOCALSTACK_AUTH_TOKEN": "secret"}, factory=lambda image: FakeContainer(
            image, fail_start=True), timeout=0.1)
    assert FakeContainer.instances[0].env == {"LOCALSTACK_AUTH_TOKEN": "secret"}
