"""RDS instances and proxies, ElastiCache clusters, OpenSearch domains.

RDS (pricing page): instance hours by engine, class and deployment (Single-AZ; a Multi-AZ instance is its
own price) plus allocated storage per GB-month. RDS Proxy for provisioned instances: per vCPU-hour of
the instances behind it, at least 2 vCPUs (the Price List's "Minimum Charge: 2 vCPUs"). ElastiCache:
node hours by engine and node type, times the nodes. OpenSearch Service: instance hours by type, times
the data nodes (and dedicated masters), plus EBS storage per GB-month per node. Aurora clusters are not
in the catalog.
"""

from __future__ import annotations

from pytest_infra_parity.cost.context import PricingContext, number
from pytest_infra_parity.cost.kinds import pricer
from pytest_infra_parity.inventory.model import Resource

VCPUS = {"db.t4g.micro": 2, "db.t4g.small": 2, "db.t4g.medium": 2, "db.t3.micro": 2, "db.t3.small": 2,
         "db.t3.medium": 2, "db.m6g.large": 2, "db.r6g.large": 2}
"""vCPUs of the instance classes RDS Proxy is priced on (Amazon RDS User Guide, "DB instance classes")."""


def _in_catalog(ctx: PricingContext, price_id: str) -> bool:
    return price_id in ctx.catalog.prices


@pricer("db instance")
def db_instance(ctx: PricingContext, resource: Resource) -> None:
    engine = str(ctx.prop(resource, "Engine") or "").lower()
    klass = str(ctx.prop(resource, "DBInstanceClass") or "")
    multi_az = ctx.prop(resource, "MultiAZ") in (True, "true", "True")
    if not engine or not klass:
        ctx.unpriced(resource, "RDS instance hours", "engine or instance class unknown (not in the source)")
        return
    deployment = "multi-az" if multi_az else "single-az"
    price_id = f"rds-{engine}-{klass}-{deployment}-hour"
    if not _in_catalog(ctx, price_id):
        ctx.unpriced(resource, f"RDS {engine} {klass} {deployment} hours", f"no price {price_id} in the catalog")
    else:
        ctx.charge(resource, price_id, ctx.hours, f"{ctx.hours:g} h")
    storage = number(ctx.prop(resource, "AllocatedStorage"))
    kind = str(ctx.prop(resource, "StorageType") or "gp2").lower()
    if storage:
        storage_id = f"rds-{kind}-gb-month"
        if _in_catalog(ctx, storage_id):
            ctx.charge(resource, storage_id, storage, f"{storage:g} GB allocated")
        else:
            ctx.unpriced(resource, f"RDS {kind} storage", f"no price {storage_id} in the catalog")


@pricer("db proxy")
def db_proxy(ctx: PricingContext, resource: Resource) -> None:
    instance = ctx.only("db instance")
    klass = str(ctx.prop(instance, "DBInstanceClass") or "") if instance is not None else ""
    if klass not in VCPUS:
        ctx.unpriced(resource, "RDS Proxy vCPU-hours", "the vCPUs of the instance behind the proxy are unknown")
        return
    vcpus = max(2, VCPUS[klass])
    ctx.assume(f"{resource.name}: fronts {instance.name if instance else '?'} ({klass}, {VCPUS[klass]} vCPUs)")
    ctx.charge(resource, "rds-proxy-vcpu-hour", vcpus * ctx.hours, f"{vcpus} vCPUs (minimum 2) x {ctx.hours:g} h")


def _cache_nodes(ctx: PricingContext, resource: Resource) -> float:
    for key in ("NumCacheClusters", "NumCacheNodes"):
        found = number(ctx.prop(resource, key))
        if found:
            return found
    groups = number(ctx.prop(resource, "NumNodeGroups"))
    replicas = number(ctx.prop(resource, "ReplicasPerNodeGroup"))
    if groups:
        return groups * ((replicas or 0) + 1)
    return 1.0


@pricer("cache cluster", "replication group")
def cache(ctx: PricingContext, resource: Resource) -> None:
    node_type = str(ctx.prop(resource, "CacheNodeType") or "")
    engine = str(ctx.prop(resource, "Engine") or "redis").lower()
    price_id = f"elasticache-{engine}-{node_type}-hour"
    if not node_type or not _in_catalog(ctx, price_id):
        ctx.unpriced(resource, f"ElastiCache {engine} {node_type or '(node type unknown)'} nodes",
                     f"no price {price_id} in the catalog")
        return
    nodes = _cache_nodes(ctx, resource)
    ctx.charge(resource, price_id, nodes * ctx.hours, f"{nodes:g} node(s) x {ctx.hours:g} h")


def _search_nodes(ctx: PricingContext, resource: Resource, prefix: str, kind_key: str, count_key: str) -> None:
    instance = str(ctx.prop(resource, "ClusterConfig", kind_key) or "")
    count = number(ctx.prop(resource, "ClusterConfig", count_key)) or (1.0 if prefix == "data" else 0.0)
    if not count:
        return
    price_id = f"opensearch-{instance}-hour"
    if not instance or not _in_catalog(ctx, price_id):
        ctx.unpriced(resource, f"OpenSearch {prefix} nodes {instance or '(type unknown)'}",
                     f"no price {price_id} in the catalog")
        return
    ctx.charge(resource, price_id, count * ctx.hours, f"{count:g} {prefix} node(s) x {ctx.hours:g} h")


@pricer("search domain")
def search_domain(ctx: PricingContext, resource: Resource) -> None:
    _search_nodes(ctx, resource, "data", "InstanceType", "InstanceCount")
    if ctx.prop(resource, "ClusterConfig", "DedicatedMasterEnabled") in (True, "true"):
        _search_nodes(ctx, resource, "master", "DedicatedMasterType", "DedicatedMasterCount")
    size = number(ctx.prop(resource, "EBSOptions", "VolumeSize"))
    volume = str(ctx.prop(resource, "EBSOptions", "VolumeType") or "gp2").lower()
    nodes = number(ctx.prop(resource, "ClusterConfig", "InstanceCount")) or 1.0
    if size:
        price_id = f"opensearch-{volume}-gb-month"
        if _in_catalog(ctx, price_id):
            ctx.charge(resource, price_id, size * nodes, f"{size:g} GB x {nodes:g} node(s)")
        else:
            ctx.unpriced(resource, f"OpenSearch {volume} storage", f"no price {price_id} in the catalog")


@pricer("db cluster")
def db_cluster(ctx: PricingContext, resource: Resource) -> None:
    ctx.unpriced(resource, "Aurora cluster (capacity, storage, I/O)", "Aurora is not in the catalog")
