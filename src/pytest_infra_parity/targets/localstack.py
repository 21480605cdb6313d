"""The LocalStack target: an existing endpoint, health-checked at session start.

With ``--infra-localstack=start`` the plugin starts LocalStack itself with testcontainers when a
Docker engine answers. LocalStack's free plan answers 501 for several services (ECS, ELBv2,
Application Auto Scaling, API Gateway v2, AppConfig, CodeDeploy...); the applier emulates what it
must and the per-target limits are documented in ``docs/targets.md``.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

from pytest_infra_parity.errors import TargetError
from pytest_infra_parity.targets._clients import ClientCache
from pytest_infra_parity.targets.protocol import PERSISTENT, Identity

HEALTH_PATH = "/_localstack/health"


def fetch_health(endpoint: str, timeout: float = 3.0) -> dict[str, Any]:
    """``GET /_localstack/health``; :class:`TargetError` naming the endpoint when it does not answer."""
    url = endpoint.rstrip("/") + HEALTH_PATH
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise TargetError(
            f"{endpoint} answered HTTP {exc.code} for {HEALTH_PATH}: it is not LocalStack's health endpoint "
            "(check --infra-endpoint)"
        ) from exc
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TargetError(
            f"LocalStack is not reachable at {endpoint} ({reason}). Start LocalStack, point "
            "--infra-endpoint (or LOCALSTACK_ENDPOINT) at it, or use --infra-localstack=start "
            "where a Docker engine is available."
        ) from exc
    try:
        health = json.loads(body)
    except ValueError as exc:
        raise TargetError(f"{url} did not answer LocalStack's health document: {body[:200]!r}") from exc
    if not isinstance(health, dict) or "services" not in health:
        raise TargetError(f"{url} answered, but not as LocalStack does (no 'services' in {health!r:.200})")
    return health


def _localstack_container_class() -> Any:
    try:
        from testcontainers.community.localstack import LocalStackContainer
    except ImportError:
        try:
            from testcontainers.localstack import LocalStackContainer
        except ImportError as exc:
            raise TargetError(
                "--infra-localstack=start needs testcontainers: pip install 'pytest-infra-parity[docker]'"
            ) from exc
    return LocalStackContainer


class LocalStackTarget:
    """An existing LocalStack endpoint (or one started with testcontainers)."""

    name = "localstack"
    capabilities: frozenset[str] = frozenset({PERSISTENT})

    def __init__(self, region: str, endpoint: str, mode: str = "existing") -> None:
        self.region = region
        self._endpoint = endpoint
        self._mode = mode
        self._container: Any = None
        self._clients: ClientCache | None = None
        self.health: dict[str, Any] = {}

    @property
    def endpoint_url(self) -> str | None:
        return self._endpoint

    def start(self) -> None:
        if self._clients is not None:
            return
        if self._mode == "start":
            self._start_container()
        self.health = fetch_health(self._endpoint)
        self._clients = ClientCache(
            endpoint_url=self._endpoint, default_region=self.region, credentials=("test", "test")
        )

    def _start_container(self) -> None:
        container_class = _localstack_container_class()
        image = os.environ.get("LOCALSTACK_IMAGE", "localstack/localstack:4.14")
        token = os.environ.get("LOCALSTACK_AUTH_TOKEN")
        try:
            container = container_class(image=image)
            if token:
                container.with_env("LOCALSTACK_AUTH_TOKEN", token)
            container.start()
        except Exception as exc:  # docker-py raises many types; all mean "could not start"
            hint = "" if token else " (newer LocalStack images need LOCALSTACK_AUTH_TOKEN; 4.14 does not)"
            raise TargetError(f"could not start LocalStack with Docker: {exc}{hint}") from exc
        self._container = container
        self._endpoint = str(container.get_url())

    def stop(self) -> None:
        self._clients = None
        if self._container is not None:
            self._container.stop()
            self._container = None

    def client(self, service: str, region: str | None = None) -> Any:
        self.start()
        assert self._clients is not None
        return self._clients.client(service, region)

    def identity(self) -> Identity:
        who = self.client("sts").get_caller_identity()
        return Identity(account_id=str(who["Account"]), arn=str(who["Arn"]))

    def describe(self) -> str:
        version = self.health.get("version", "?")
        return f"localstack {version} at {self._endpoint}, region {self.region}"
