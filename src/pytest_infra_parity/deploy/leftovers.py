"""Is a tagged resource really still there?

After a teardown, the tagging API still lists resources that are on their way out, on AWS as on
moto: an ECS cluster or task definition goes INACTIVE, a NAT gateway stays ``deleted`` for about an
hour, a KMS key waits ``PendingDeletion`` for at least 7 days, an ElastiCache group stays
``deleting`` for minutes. Those are gone for the purpose of "nothing is left behind". A resource the
target cannot delete at all (moto has no delete for CodeDeploy groups or ElastiCache subnet groups)
carries the ``infra-parity:deleted`` tag and is reported apart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_infra_parity.deploy.provisioners.base import ClientFactory, is_not_found


def _ecs(clients: ClientFactory, kind: str, name: str) -> bool:
    ecs = clients("ecs")
    if kind == "cluster":
        found = ecs.describe_clusters(clusters=[name])["clusters"]
        return not found or found[0]["status"] == "INACTIVE"
    if kind == "task-definition":
        status = ecs.describe_task_definition(taskDefinition=name)["taskDefinition"]["status"]
        return bool(status in ("INACTIVE", "DELETE_IN_PROGRESS"))
    if kind == "service":
        cluster, _, service = name.partition("/")
        found = ecs.describe_services(cluster=cluster, services=[service])["services"]
        return not found or found[0]["status"] == "INACTIVE"
    return False


def _nat(clients: ClientFactory, nat_id: str) -> bool:
    gateways = clients("ec2").describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"]
    return not gateways or gateways[0]["State"] in ("deleting", "deleted")


def _kms(clients: ClientFactory, key_id: str) -> bool:
    state = clients("kms").describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
    return bool(state in ("PendingDeletion", "PendingReplicaDeletion"))


def _elasticache(clients: ClientFactory, kind: str, name: str) -> bool:
    ec = clients("elasticache")
    if kind == "replicationgroup":
        groups = ec.describe_replication_groups(ReplicationGroupId=name)["ReplicationGroups"]
        return not groups or groups[0]["Status"] == "deleting"
    if kind == "cluster":
        clusters = ec.describe_cache_clusters(CacheClusterId=name)["CacheClusters"]
        return not clusters or clusters[0]["CacheClusterStatus"] == "deleting"
    return False


def _split(arn: str) -> tuple[str, str, str]:
    """``(service, kind, name)`` from an ARN (``kind/name`` and ``kind:name`` resource forms)."""
    parts = arn.split(":", 5)
    service, resource = parts[2], parts[5] if len(parts) > 5 else ""
    for sep in ("/", ":"):
        if sep in resource:
            kind, _, name = resource.partition(sep)
            return service, kind, name
    return service, resource, ""


_CHECKS: dict[tuple[str, str], Callable[[ClientFactory, str], bool]] = {
    ("ecs", "cluster"): lambda c, n: _ecs(c, "cluster", n),
    ("ecs", "task-definition"): lambda c, n: _ecs(c, "task-definition", n),
    ("ecs", "service"): lambda c, n: _ecs(c, "service", n),
    ("ec2", "natgateway"): _nat,
    ("kms", "key"): _kms,
    ("elasticache", "replicationgroup"): lambda c, n: _elasticache(c, "replicationgroup", n),
    ("elasticache", "cluster"): lambda c, n: _elasticache(c, "cluster", n),
}


def on_its_way_out(clients: ClientFactory, arn: str) -> bool:
    """True when the resource is deleted or being deleted (an unknown kind counts as still there)."""
    service, kind, name = _split(arn)
    check = _CHECKS.get((service, kind))
    if check is None:
        return False
    try:
        return check(clients, name)
    except Exception as exc:
        if is_not_found(exc):
            return True
        raise


def classify(clients: ClientFactory, mappings: list[dict[str, Any]], deleted_tag: str) -> tuple[list[str], list[str]]:
    """``(still there, undeletable on this target)`` from tagging-API mappings."""
    alive: list[str] = []
    undeletable: list[str] = []
    for mapping in mappings:
        arn = mapping["ResourceARN"]
        tags = {t["Key"]: t["Value"] for t in mapping.get("Tags", [])}
        if deleted_tag in tags:
            undeletable.append(arn)
        elif not on_its_way_out(clients, arn):
            alive.append(arn)
    return sorted(alive), sorted(undeletable)
