"""The LocalStack target: an existing endpoint, or one the plugin starts, with per-service fallback.

``--infra-localstack=start`` starts LocalStack the best way available (an endpoint that already
answers, a container where a Docker engine answers, else ``localstack-core`` on this machine: see
:mod:`.localstack_starter`) and stops what it started at the end, also when the session fails. At
start the target detects what this LocalStack really serves (:mod:`.localstack_capabilities`); with
``--infra-fallback=moto`` the clients of the other services go to the embedded moto server in the
same account and region (:mod:`.localstack_routing`, :mod:`.localstack_bridge`); without it, a client
for an unserved service is a :class:`TargetError` naming the reason, and ``serves()`` lets steps skip.
Deployments go through the plugin's applier: LocalStack's CloudFormation gives a bucket AES256
instead of its declared KMS key (``docs/targets.md``).
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

from pytest_infra_parity.errors import TargetError
from pytest_infra_parity.targets._clients import ClientCache, RoutedClients
from pytest_infra_parity.targets.localstack_capabilities import (
    DEFAULT_SERVICES,
    PROBE_TIMEOUT,
    Capabilities,
    Health,
    detect,
    judge,
    probe_clients,
)
from pytest_infra_parity.targets.localstack_ready import HEALTH_PATH, fetch_health
from pytest_infra_parity.targets.localstack_routing import LOCALSTACK, plan, summary
from pytest_infra_parity.targets.protocol import PERSISTENT, Identity, Served

if TYPE_CHECKING:
    from pytest_infra_parity.targets.localstack_bridge import Bridge
    from pytest_infra_parity.targets.localstack_starter import Started
    from pytest_infra_parity.targets.moto import MotoTarget

__all__ = ["HEALTH_PATH", "LocalStackTarget", "fetch_health"]


def _timeout(name: str, default: float) -> float:
    value = os.environ.get(name, "")
    try:
        return float(value) if value else default
    except ValueError:
        raise TargetError(f"{name}={value!r} is not a number of seconds") from None


def _services_from_env() -> tuple[str, ...]:
    """``INFRA_PARITY_LOCALSTACK_SERVICES`` (comma-separated) limits the detection at start; others are
    detected on first use."""
    chosen = [s.strip() for s in os.environ.get("INFRA_PARITY_LOCALSTACK_SERVICES", "").split(",") if s.strip()]
    return tuple(chosen) or DEFAULT_SERVICES


class LocalStackTarget:
    """A LocalStack endpoint (existing or started here), its detected services, and the moto fallback."""

    name = "localstack"
    capabilities: frozenset[str] = frozenset({PERSISTENT})

    def __init__(self, region: str, endpoint: str, mode: str = "existing", fallback: str | None = None,
                 services: tuple[str, ...] | None = None) -> None:
        self.region = region
        self.fallback = fallback or None
        self._endpoint = endpoint
        self._mode = mode
        self._services = services or _services_from_env()
        self._lock = threading.RLock()
        self.started: Started | None = None
        self.health: dict[str, Any] = {}
        self.detected: Capabilities | None = None
        self.account_id = ""
        self.bridge: Bridge | None = None
        self._routes: dict[str, Served] = {}
        self._local: ClientCache | None = None
        self._moto: MotoTarget | None = None
        self._clients: RoutedClients | None = None

    @property
    def endpoint_url(self) -> str | None:
        return self._endpoint

    # ---- life cycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start LocalStack if asked, check its health, detect its services; on failure stop what started."""
        with self._lock:
            if self._clients is not None:
                return
            try:
                if self._mode == "start" and self.started is None:
                    self._start_localstack()
                self._connect()
            except BaseException:
                self._release()
                raise

    def _start_localstack(self) -> None:
        from pytest_infra_parity.targets.localstack_starter import StartRequest, start_localstack, via_from_env

        request = StartRequest(endpoint=self._endpoint, via=via_from_env(), owner="pytest",
                               timeout=_timeout("INFRA_PARITY_LOCALSTACK_TIMEOUT", 90.0))
        self.started = start_localstack(request)
        self._endpoint = self.started.endpoint

    def _connect(self) -> None:
        self.health = fetch_health(self._endpoint)
        local = ClientCache(endpoint_url=self._endpoint, default_region=self.region, credentials=("test", "test"))
        try:
            self.account_id = str(local.client("sts").get_caller_identity()["Account"])
        except Exception as exc:  # botocore's many error types: all mean this is no usable LocalStack
            raise TargetError(f"LocalStack at {self._endpoint} answers its health check but not "
                              f"STS GetCallerIdentity: {exc}") from exc
        timeout = _timeout("INFRA_PARITY_PROBE_TIMEOUT", PROBE_TIMEOUT)
        self.detected = detect(Health.parse(self.health), probe_clients(self._endpoint, self.region, timeout),
                               self._services, timeout=timeout)
        self._routes = plan(self.detected, self.fallback)
        sources: dict[str, Any] = {LOCALSTACK: local.client}
        if self.fallback == "moto":
            from pytest_infra_parity.targets.localstack_bridge import Bridge
            from pytest_infra_parity.targets.moto import MotoTarget

            self._moto = MotoTarget(self.region, account_id=self.account_id)
            sources["moto"] = self._moto.client
            self.bridge = Bridge(self._where, self._client_on, "moto", self._endpoint)
        self._local = local
        self._clients = RoutedClients(self._where, sources, self._attach)

    def _attach(self, where: str, service: str, client: Any) -> None:
        """Hooks of a new client: cross-service mirroring (fallback side), tagging API completion."""
        if self.bridge is not None:
            self.bridge.attach(where, service, client)
        if where == LOCALSTACK and service == "resourcegroupstaggingapi":
            from pytest_infra_parity.targets.localstack_tagging import TaggingAugmenter

            TaggingAugmenter(self._where, self._client_on, LOCALSTACK, self.fallback).attach(client)

    def _release(self) -> None:
        self._clients = None
        self._local = None
        if self._moto is not None:
            self._moto.stop()
            self._moto = None
        started, self.started = self.started, None
        if started is not None:
            started.stop()

    def stop(self) -> None:
        """Stop the moto fallback and the LocalStack this target started (an existing one keeps running)."""
        with self._lock:
            self._release()

    # ---- services -----------------------------------------------------------------------------

    def serves(self, service: str) -> Served:
        """Where ``service`` goes (``localstack`` or the fallback), or why nothing serves it."""
        self.start()
        with self._lock:
            if service not in self._routes:
                assert self.detected is not None
                timeout = _timeout("INFRA_PARITY_PROBE_TIMEOUT", PROBE_TIMEOUT)
                self.detected.services[service] = judge(
                    service, Health.parse(self.health), probe_clients(self._endpoint, self.region, timeout), timeout)
                self._routes = plan(self.detected, self.fallback)
            return self._routes[service]

    def routes(self) -> dict[str, Served]:
        self.start()
        return dict(self._routes)

    def _where(self, service: str) -> str:
        found = self.serves(service)
        if not found:
            raise TargetError(f"LocalStack at {self._endpoint} does not serve {service}: {found.reason}. "
                              "--infra-fallback=moto routes it to the embedded moto server")
        return found.where

    def _client_on(self, where: str, service: str, region: str | None) -> Any:
        assert self._clients is not None
        return self._clients.client_on(where, service, region)

    def client(self, service: str, region: str | None = None) -> Any:
        self.start()
        assert self._clients is not None
        return self._clients.client(service, region)

    # ---- reporting ----------------------------------------------------------------------------

    def identity(self) -> Identity:
        who = self.client("sts").get_caller_identity()
        return Identity(account_id=str(who["Account"]), arn=str(who["Arn"]))

    def describe(self) -> str:
        version = self.health.get("version", "?")
        how = ""
        if self.started is not None and self.started.via != "existing":
            how = f" (started here with {self.started.via}, ready in {self.started.ready_seconds:.1f} s)"
        fallback = f", fallback {self.fallback}" if self.fallback else ", no fallback"
        return f"localstack {version} at {self._endpoint}{how}, region {self.region}{fallback}"

    def header_lines(self) -> list[str]:
        """Which service went where (for the pytest header)."""
        if not self._routes:
            return []
        lines = summary(self._routes, self.fallback)
        if self.detected is not None:
            lines.append(f"infra-parity: services detected in {self.detected.seconds:.1f} s "
                         "(/_localstack/health and one probe per service)")
        return lines
