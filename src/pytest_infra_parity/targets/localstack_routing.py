"""Where each service's clients go on a LocalStack target: LocalStack, the moto fallback, or nowhere.

A service LocalStack serves stays on LocalStack. With ``--infra-fallback=moto`` every other service
goes to the embedded moto server, acting in LocalStack's account and region so ARNs agree on both
sides. One exception keeps references valid: moto's ELBv2, RDS, ElastiCache and ECS look subnets,
VPCs and security groups up in moto's own EC2, so EC2 follows them to moto when any of them falls
back (a subnet created on LocalStack would be unknown to moto's load balancer). Without a fallback,
an unserved service has no route: its clients raise :class:`TargetError` with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping

from pytest_infra_parity.targets.localstack_capabilities import Capabilities, ServiceStatus
from pytest_infra_parity.targets.protocol import Served

LOCALSTACK = "localstack"
FALLBACKS = ("moto",)

KEEP_WITH_FALLBACK: dict[str, tuple[str, ...]] = {"ec2": ("elbv2", "rds", "elasticache", "ecs")}
"""moto: these services check the subnets, VPCs and security groups they are given in moto's own EC2."""

FOLLOWS: dict[str, str] = {"dynamodbstreams": "dynamodb", "s3control": "s3"}
"""Services that only make sense where their parent service is (a table's stream, a bucket's account)."""


def route_one(status: ServiceStatus, fallback: str | None) -> Served:
    if status.served:
        return Served(status.service, LOCALSTACK, status.reason)
    if fallback:
        return Served(status.service, fallback, status.reason)
    return Served(status.service, "", status.reason)


def plan(capabilities: Capabilities, fallback: str | None) -> dict[str, Served]:
    """The route of every detected service."""
    routes = {name: route_one(status, fallback) for name, status in capabilities.services.items()}
    for child, parent in FOLLOWS.items():
        if child in routes and parent in routes and routes[child].where != routes[parent].where:
            routes[child] = Served(child, routes[parent].where, f"follows {parent}: {routes[parent].reason}")
    if not fallback:
        return routes
    for service, followed in KEEP_WITH_FALLBACK.items():
        moved = [name for name in followed if routes.get(name, Served(name, LOCALSTACK)).where == fallback]
        if moved and service in routes and routes[service].where == LOCALSTACK:
            why = f"kept with {', '.join(moved)} ({fallback} checks their network references in its own {service})"
            routes[service] = Served(service, fallback, why)
    return routes


def _short(reason: str, width: int = 90) -> str:
    return reason if len(reason) <= width else reason[: width - 1] + "…"


def _grouped(routes: Mapping[str, Served]) -> str:
    """``reason: a, b; other reason: c`` — services that share a reason are listed together."""
    by_reason: dict[str, list[str]] = {}
    for service, route in sorted(routes.items()):
        by_reason.setdefault(_short(route.reason), []).append(service)
    return "; ".join(f"{', '.join(services)} ({reason})" for reason, services in by_reason.items())


def summary(routes: Mapping[str, Served], fallback: str | None) -> list[str]:
    """Lines for the pytest header: which service went where, and why the others did not stay."""
    on_localstack = sorted(s for s, r in routes.items() if r.where == LOCALSTACK)
    lines = [f"infra-parity: on localstack: {', '.join(on_localstack) or 'nothing'}"]
    moved = {s: r for s, r in routes.items() if r.where and r.where != LOCALSTACK}
    if moved:
        lines.append(f"infra-parity: on {fallback} (fallback): {_grouped(moved)}")
    missing = {s: r for s, r in routes.items() if not r.where}
    if missing:
        lines.append("infra-parity: not served (steps needing them skip, designs needing them are refused; "
                     f"--infra-fallback=moto routes them to moto): {_grouped(missing)}")
    return lines
