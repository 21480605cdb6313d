"""The ``Target`` protocol: where designs are deployed and checked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

# Capabilities a target may declare. Steps use them to choose between measuring the real control
# plane and emulating it on the plugin's virtual clock, or to skip with the reason.
EVALUATES_ALARMS = "evaluates_alarms"
"""CloudWatch alarms change state by themselves from the metrics they watch."""
RUNS_CODEDEPLOY = "runs_codedeploy"
"""CodeDeploy deployments progress (traffic shifting, alarm-triggered rollback)."""
RUNS_APPCONFIG_DEPLOYMENTS = "runs_appconfig_deployments"
"""AppConfig deployments progress through their strategy."""
EXECUTES_LAMBDA = "executes_lambda"
"""Lambda functions run their code when invoked."""
RUNS_CONTAINERS = "runs_containers"
"""ECS tasks really start containers, and load balancers route to them."""
SERVES_HTTP_API = "serves_http_api"
"""API Gateway endpoints answer HTTP requests."""
REAL_CLOUDFORMATION = "real_cloudformation"
"""CloudFormation applies every type and property faithfully (the plugin deploys through it)."""
PERSISTENT = "persistent"
"""Resources outlive the test session (a killed run leaves them behind: see ``infra-parity sweep``)."""

ALL_CAPABILITIES = (
    EVALUATES_ALARMS,
    RUNS_CODEDEPLOY,
    RUNS_APPCONFIG_DEPLOYMENTS,
    EXECUTES_LAMBDA,
    RUNS_CONTAINERS,
    SERVES_HTTP_API,
    REAL_CLOUDFORMATION,
    PERSISTENT,
)


@dataclass(frozen=True)
class Identity:
    """Who the plugin acts as on the target."""

    account_id: str
    arn: str
    profile: str | None = None


@runtime_checkable
class Target(Protocol):
    """A place to deploy designs: an embedded moto server, a LocalStack endpoint, or an AWS account."""

    name: str
    region: str
    capabilities: frozenset[str]

    @property
    def endpoint_url(self) -> str | None:
        """The endpoint every client talks to, or ``None`` for AWS's own endpoints."""
        ...

    def start(self) -> None:
        """Make the target usable (start a server, check health, check the account). Idempotent."""
        ...

    def stop(self) -> None:
        """Release what :meth:`start` acquired. Idempotent."""
        ...

    def client(self, service: str, region: str | None = None) -> Any:
        """A boto3 client for ``service`` on this target."""
        ...

    def identity(self) -> Identity:
        """The account and principal the plugin acts as."""
        ...

    def describe(self) -> str:
        """One line for the pytest header."""
        ...


# ---- read-only by default (a shared account: nightly staging) ----------------------------------------


def is_read_only(target: object, allow_destructive: bool) -> bool:
    """Whether steps that create, change or delete resources must be skipped on ``target``.

    A target declares ``read_only_by_default = True`` (the aws target does; a plugin target may) when it
    is a shared account: the run then only reads, unless ``--infra-allow-destructive`` is given.
    """
    return bool(getattr(target, "read_only_by_default", False)) and not allow_destructive


# ---- which services a target serves (LocalStack's free plan lacks some; see docs/targets.md) -----------


@dataclass(frozen=True)
class Served:
    """Where a target sends one service's clients, or why it cannot serve it.

    ``where`` is ``"localstack"``, ``"moto"`` (a fallback), a target name, or ``""`` when nothing
    serves the service; ``reason`` says why (a 501, a failed download, a fallback...). Truthy when served.
    """

    service: str
    where: str
    reason: str = ""

    def __bool__(self) -> bool:
        return bool(self.where)


@runtime_checkable
class ServiceAware(Protocol):
    """A target that serves only some services (LocalStack): steps and deployers ask it first.

    Targets without this method (moto, aws, plugin targets) serve every service they are asked for.
    """

    def serves(self, service: str) -> Served:
        """Where ``service`` is served on this target, or why it is not (``bool(result)`` is False)."""
        ...


def served(target: object, service: str) -> Served:
    """``target.serves(service)`` for a :class:`ServiceAware` target; every other target serves everything."""
    if isinstance(target, ServiceAware):
        return target.serves(service)
    return Served(service, str(getattr(target, "name", "target")))


def unserved(target: object, services: Iterable[str]) -> dict[str, str]:
    """The services of ``services`` the target cannot serve, with the reason for each."""
    return {s: found.reason for s in sorted(set(services)) if not (found := served(target, s))}
