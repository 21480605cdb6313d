"""The ``Target`` protocol: where designs are deployed and checked."""

from __future__ import annotations

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
