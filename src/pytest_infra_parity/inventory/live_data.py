"""Live readers of databases, caches, search domains, user pools and elastic IPs.

APIs read: RDS ``DescribeDBInstances``, ``DescribeDBClusters`` (``StorageEncrypted``, ``KmsKeyId``,
``TagList``), ``DescribeDBSubnetGroups``, ``DescribeDBProxies`` + ``ListTagsForResource``; ElastiCache
``DescribeReplicationGroups`` (``AtRestEncryptionEnabled``, ``KmsKeyId``), ``DescribeCacheClusters``,
``DescribeCacheSubnetGroups`` + ``ListTagsForResource``; OpenSearch ``DescribeDomain``
(``EncryptionAtRestOptions``) + ``ListTags``; Cognito ``DescribeUserPool`` (``UserPoolTags``); EC2
``DescribeAddresses``. Encryption follows :mod:`.encryption` (RDS and OpenSearch without a key: the
service's AWS managed key; ElastiCache: the service's default key).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pytest_infra_parity.inventory import encryption
from pytest_infra_parity.inventory.live_common import Context, Missing, Target, set_tags, tag_list
from pytest_infra_parity.inventory.model import UNKNOWN, Encryption, Resource

_MOTO_DEFAULT_KEY = "default_kms_key_id"


def _storage(ctx: Context, encrypted: Any, key: Any, *, aws_managed: bool = True) -> Encryption:
    if not encrypted:
        return encryption.NOT_ENCRYPTED
    if not key or key == _MOTO_DEFAULT_KEY:  # moto: says "default_kms_key_id" for the service's own key
        return encryption.AWS_MANAGED if aws_managed else encryption.SERVICE_MANAGED
    return ctx.key_encryption(key)


def _first(ctx: Context, target: Target, what: str, call: Callable[..., Any], key: str, **params: Any) -> Any:
    found = ctx.fetch(target, what, call, main=True, **params).get(key) or []
    if not found:
        raise Missing(f"{target.describe()}: does not exist")
    return found[0]


def _arn_tags(ctx: Context, target: Target, call: Callable[..., Any], **params: Any) -> Any:
    answer = ctx.fetch(target, "tags", call, **params)
    return UNKNOWN if answer is UNKNOWN else tag_list(answer.get("TagList"))


def db_instance(ctx: Context, target: Target) -> Resource:
    found = _first(ctx, target, "DB instance", ctx.clients("rds").describe_db_instances, "DBInstances",
                   DBInstanceIdentifier=target.ident)
    resource = ctx.resource(target, arn=found.get("DBInstanceArn"))
    resource.encryption = _storage(ctx, found.get("StorageEncrypted"), found.get("KmsKeyId"))
    set_tags(resource, target, lambda: tag_list(found.get("TagList")))
    return resource


def db_cluster(ctx: Context, target: Target) -> Resource:
    found = _first(ctx, target, "DB cluster", ctx.clients("rds").describe_db_clusters, "DBClusters",
                   DBClusterIdentifier=target.ident)
    resource = ctx.resource(target, arn=found.get("DBClusterArn"))
    resource.encryption = _storage(ctx, found.get("StorageEncrypted"), found.get("KmsKeyId"))
    set_tags(resource, target, lambda: tag_list(found.get("TagList")))
    return resource


@dataclass(frozen=True)
class _Described:
    """A resource read with one ``Describe*`` call by name, and tagged through ``ListTagsForResource(ARN)``."""

    service: str
    what: str
    method: str
    key: str
    name_param: str
    arn_field: str


_DB_SUBNET_GROUP = _Described("rds", "DB subnet group", "describe_db_subnet_groups", "DBSubnetGroups",
                              "DBSubnetGroupName", "DBSubnetGroupArn")
_DB_PROXY = _Described("rds", "DB proxy", "describe_db_proxies", "DBProxies", "DBProxyName", "DBProxyArn")
_REPLICATION_GROUP = _Described("elasticache", "replication group", "describe_replication_groups",
                                "ReplicationGroups", "ReplicationGroupId", "ARN")
_CACHE_CLUSTER = _Described("elasticache", "cache cluster", "describe_cache_clusters", "CacheClusters",
                            "CacheClusterId", "ARN")
_CACHE_SUBNET_GROUP = _Described("elasticache", "cache subnet group", "describe_cache_subnet_groups",
                                 "CacheSubnetGroups", "CacheSubnetGroupName", "ARN")


def _described(ctx: Context, target: Target, spec: _Described) -> tuple[Resource, Any]:
    """The resource ``spec`` describes, with its tags; and the described item, for its other attributes."""
    client = ctx.clients(spec.service)
    found = _first(ctx, target, spec.what, getattr(client, spec.method), spec.key, **{spec.name_param: target.ident})
    resource = ctx.resource(target, arn=found.get(spec.arn_field))
    set_tags(resource, target, lambda: _arn_tags(ctx, target, client.list_tags_for_resource,
                                                 ResourceName=found.get(spec.arn_field)))
    return resource, found


def db_subnet_group(ctx: Context, target: Target) -> Resource:
    return _described(ctx, target, _DB_SUBNET_GROUP)[0]


def db_proxy(ctx: Context, target: Target) -> Resource:
    return _described(ctx, target, _DB_PROXY)[0]


def replication_group(ctx: Context, target: Target) -> Resource:
    resource, found = _described(ctx, target, _REPLICATION_GROUP)
    resource.encryption = _storage(ctx, found.get("AtRestEncryptionEnabled"), found.get("KmsKeyId"),
                                   aws_managed=False)
    return resource


def cache_cluster(ctx: Context, target: Target) -> Resource:
    resource, _ = _described(ctx, target, _CACHE_CLUSTER)
    resource.encryption = encryption.NOT_ENCRYPTED
    return resource


def cache_subnet_group(ctx: Context, target: Target) -> Resource:
    return _described(ctx, target, _CACHE_SUBNET_GROUP)[0]


def search_domain(ctx: Context, target: Target) -> Resource:
    search = ctx.clients("opensearch")
    found = ctx.fetch(target, "domain", search.describe_domain, main=True, DomainName=target.ident)["DomainStatus"]
    if found.get("Deleted"):
        raise Missing(f"{target.describe()}: is being deleted")
    resource = ctx.resource(target, arn=found.get("ARN"))
    rest = found.get("EncryptionAtRestOptions") or {}
    resource.encryption = _storage(ctx, rest.get("Enabled"), rest.get("KmsKeyId"))
    set_tags(resource, target, lambda: _arn_tags(ctx, target, search.list_tags, ARN=found.get("ARN")))
    return resource


def user_pool(ctx: Context, target: Target) -> Resource:
    found = ctx.fetch(target, "user pool", ctx.clients("cognito-idp").describe_user_pool, main=True,
                      UserPoolId=target.ident)["UserPool"]
    resource = ctx.resource(target, arn=found.get("Arn"))
    set_tags(resource, target, lambda: dict(found.get("UserPoolTags") or {}))
    return resource


def elastic_ip(ctx: Context, target: Target) -> Resource:
    found = _first(ctx, target, "address", ctx.clients("ec2").describe_addresses, "Addresses",
                   PublicIps=[target.ident])
    resource = ctx.resource(target)
    set_tags(resource, target, lambda: tag_list(found.get("Tags")))
    return resource


READERS: dict[str, Callable[[Context, Target], Resource]] = {
    "AWS::RDS::DBInstance": db_instance,
    "AWS::RDS::DBCluster": db_cluster,
    "AWS::RDS::DBSubnetGroup": db_subnet_group,
    "AWS::RDS::DBProxy": db_proxy,
    "AWS::ElastiCache::ReplicationGroup": replication_group,
    "AWS::ElastiCache::CacheCluster": cache_cluster,
    "AWS::ElastiCache::SubnetGroup": cache_subnet_group,
    "AWS::OpenSearchService::Domain": search_domain,
    "AWS::Cognito::UserPool": user_pool,
    "AWS::EC2::EIP": elastic_ip,
}
