"""LocalStack in a container, with testcontainers, where a Docker engine answers.

The image is ``LOCALSTACK_IMAGE`` (default ``localstack/localstack:4.14``, the last one that starts
without an account). Newer images refuse to start without ``LOCALSTACK_AUTH_TOKEN``: it is passed on
when set, and a container that dies for want of it is reported as such. A container that started but
never became healthy is removed before the error is raised (it used to be left running).
"""

from __future__ import annotations

import importlib.util
import os
import socket
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from pytest_infra_parity.errors import TargetError
from pytest_infra_parity.targets.localstack_paths import InstanceRecord
from pytest_infra_parity.targets.localstack_ready import wait_ready

DEFAULT_IMAGE = "localstack/localstack:4.14"
AUTH_HINTS = ("auth token", "auth_token", "license", "licence", "not authorized", "activation")


def docker_answers(env: Mapping[str, str] | None = None, timeout: float = 1.0) -> bool:
    """Whether a Docker engine answers ``GET /_ping`` (``DOCKER_HOST``, else the default socket)."""
    env = os.environ if env is None else env
    host = env.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    parsed = urlparse(host)
    try:
        if parsed.scheme == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(parsed.path)
        elif parsed.scheme in ("tcp", "http"):
            sock = socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 2375), timeout)
        else:
            return False
        with sock:
            sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            reply = sock.recv(256)
    except OSError:
        return False
    return reply.startswith(b"HTTP/") and b" 200 " in reply.split(b"\r\n", 1)[0]


def testcontainers_installed() -> bool:
    return importlib.util.find_spec("testcontainers") is not None


def container_class() -> Any:
    """testcontainers' LocalStack container class (its module moved between releases)."""
    for module in ("testcontainers.localstack", "testcontainers.community.localstack"):
        try:
            return importlib.import_module(module).LocalStackContainer
        except ImportError:
            continue
    raise TargetError("starting LocalStack with Docker needs testcontainers: pip install 'pytest-infra-parity[docker]'")


def _docker() -> Any:
    return importlib.import_module("docker")


def _logs(container: Any) -> str:
    try:
        out, err = container.get_logs()
    except Exception as exc:  # docker-py raises many types; the logs only enrich the message
        return f"(no logs: {exc})"
    return (out or b"").decode(errors="replace") + (err or b"").decode(errors="replace")


def _remove(container: Any) -> None:
    """Stop and remove a container that was created, whatever state it is in."""
    wrapped = getattr(container, "_container", None)
    if wrapped is None:
        return
    try:
        container.stop()
    except Exception:  # docker-py raises many types: force-remove through the SDK object instead
        wrapped.remove(force=True)


def refusal_message(image: str, token: str | None, logs: str, error: object) -> str:
    """Why the container did not start, naming LOCALSTACK_AUTH_TOKEN when the image asks for it."""
    wants_token = any(hint in logs.lower() for hint in AUTH_HINTS)
    if wants_token and not token:
        return (f"LocalStack image {image} refused to start without LOCALSTACK_AUTH_TOKEN: set it (newer images "
                f"need an account), or use LOCALSTACK_IMAGE={DEFAULT_IMAGE}, or the host starter (--via host)")
    if wants_token:
        return f"LocalStack image {image} refused LOCALSTACK_AUTH_TOKEN (check the token): {error}"
    return f"could not start LocalStack with Docker ({image}): {error}"


def start_docker(port: int, timeout: float = 90.0, env: Mapping[str, str] | None = None,
                 factory: Any = None, owner: str = "cli") -> tuple[InstanceRecord, Any]:
    """Start a container publishing 4566 on ``127.0.0.1:<port>``; its record and the container object."""
    env = os.environ if env is None else env
    image = env.get("LOCALSTACK_IMAGE", DEFAULT_IMAGE)
    token = env.get("LOCALSTACK_AUTH_TOKEN")
    factory = factory or container_class()
    started = time.monotonic()
    container = factory(image=image)
    try:
        container.with_bind_ports(4566, port)
        for key in ("LOCALSTACK_AUTH_TOKEN", "DEBUG", "SERVICES"):
            if env.get(key):
                container.with_env(key, env[key])
        container.start()
        endpoint = f"http://127.0.0.1:{port}"
        wait_ready(endpoint, timeout)
    except Exception as exc:  # docker-py/testcontainers raise many types: remove the container, explain
        logs = _logs(container)
        _remove(container)
        raise TargetError(refusal_message(image, token, logs, exc)) from exc
    wrapped = getattr(container, "_container", None)
    record = InstanceRecord(port=port, endpoint=endpoint, via="docker", container_id=str(getattr(wrapped, "id", "")),
                            started_at=time.time(), ready_seconds=time.monotonic() - started, owner=owner,
                            extra={"image": image})
    return record, container


def stop_container(record: InstanceRecord, container: Any = None) -> None:
    """Stop and remove the container (the object when this process started it, else by id)."""
    if container is not None:
        _remove(container)
        return
    if not record.container_id:
        return
    docker = _docker()
    try:
        docker.from_env().containers.get(record.container_id).remove(force=True)
    except docker.errors.NotFound:
        return


def container_alive(record: InstanceRecord) -> bool:
    docker = _docker()
    try:
        return bool(docker.from_env().containers.get(record.container_id).status == "running")
    except docker.errors.DockerException:
        return False
