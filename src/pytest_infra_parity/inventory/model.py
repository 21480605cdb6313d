"""The normalized resource model every inventory source produces and every consumer reads.

One :class:`Resource` per cloud resource, whatever it was read from (live target, CloudFormation
template, Terraform HCL / plan / state, Pulumi state, snapshot). A value a source cannot know yet
("known after apply" in a Terraform plan, an unresolved output) is :data:`UNKNOWN`, never ``None``:
``None`` means "known to be absent".

Kinds are short human words (``bucket``, ``table``, ``queue``, ...), the words a reviewer writes in a
Gherkin step ("every queue has a dead-letter queue"); :data:`KIND_BY_CFN_TYPE` maps CloudFormation
types onto them and each source maps its native types onto CloudFormation types first.

Settings keys per kind (absent key = the source does not describe it; ``UNKNOWN`` = it cannot tell):

- bucket: ``versioning`` (bool), ``public_access_block`` (dict of the four flags, or None),
  ``tls_only`` (bool: a bucket policy denies requests with ``aws:SecureTransport`` false),
  ``lifecycle_rules`` (int), ``bucket_key`` (bool)
- table: ``pitr`` (bool), ``ttl`` (bool), ``stream`` (view type or None), ``billing_mode`` (str)
- queue: ``dlq`` (ARN or name of the redrive target, or None), ``max_receive_count`` (int or None),
  ``is_dlq`` (bool: another queue redrives to it; live sources also ask AWS about queues outside the
  selection), ``fifo`` (bool)
- topic: ``fifo`` (bool)
- key: ``rotation`` (bool), ``key_spec`` (str), ``key_manager`` (live only: ``AWS`` or ``CUSTOMER``)
- function: ``runtime``, ``memory`` (MB), ``timeout`` (s), ``reserved_concurrency`` (int or None),
  ``architectures`` (list), ``dlq`` (target ARN or None)
- alarm: ``namespace``, ``metric`` (for a math alarm, the metric names it reads, joined by ``,``),
  ``dimensions`` (dict), ``statistic``, ``threshold``, ``comparison``, ``period``,
  ``evaluation_periods``, ``datapoints_to_alarm``, ``treat_missing_data``, ``actions`` (list)
- alarm (metric math): ``metrics`` (list of ``{"id", "namespace", "metric", "dimensions", "stat",
  "expression"}``: a MetricStat fills namespace/metric/dimensions/stat, an expression only id/expression)
- alarm: ``dimension_refs`` (``{dimension: name}``: for a dimension whose value is ``UNKNOWN``, the name
  of the resource of the same source it refers to, when the source knows it; each ``metrics`` entry
  may carry its own ``dimension_refs``)
- log group: (retention lives in ``observability.log_retention_days``)
- service: ``desired_count``, ``launch_type``, ``cluster``; task definition: ``cpu``, ``memory``
- http api: ``protocol`` (``HTTP``/``WEBSOCKET``)
- api stage: ``api`` (API id), ``stage`` (stage name), ``auto_deploy`` (bool)
- alias: ``function`` (function name), ``version``
- bucket policy: ``bucket`` (bucket name, or a reference), ``policy`` (the policy document, a dict);
  ``bucket_ref`` (name of the bucket resource of the same source when ``bucket`` is ``UNKNOWN``)
- queue: ``dlq_ref`` (name of the queue resource of the same source when ``dlq`` is ``UNKNOWN``)
- function: ``log_group_name`` (``LoggingConfig.LogGroup`` when the function names its own log group)
- load balancer: ``scheme``, ``type``; target group: ``protocol``, ``port``, ``target_type``
- scalable target: ``service_namespace``, ``resource_id``, ``scalable_dimension``, ``min_capacity``,
  ``max_capacity``
- secret: ``rotation`` (bool, live only); parameter: ``type``; role: ``path``
- event source mapping: ``batch_size``, ``enabled``; event rule: ``schedule``, ``state``

Links between resources (alarms watching a resource, a function's log group, DLQ marks, TLS-only
bucket policies) are computed by :func:`pytest_infra_parity.inventory.links.link`, which every
source calls last.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeAlias


class _Unknown:
    """The type of :data:`UNKNOWN`: a value only known after apply."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "(known after apply)"

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN has no truth value: compare with `is UNKNOWN` first")

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()
Unknown: TypeAlias = _Unknown


def is_unknown(value: Any) -> bool:
    """True for :data:`UNKNOWN`."""
    return value is UNKNOWN


EncryptionMode = Literal["none", "service-managed", "aws-managed", "customer-managed", "unknown"]
"""``none``: not encrypted at rest. ``service-managed``: the service's own keys, not KMS (SSE-S3 /
AES256, SQS-managed SSE, DynamoDB's AWS-owned key, CloudWatch Logs default). ``aws-managed``: the
account's AWS managed KMS key (``alias/aws/s3``, ``alias/aws/sqs``...). ``customer-managed``: a KMS key
the account manages (``key`` says which). ``unknown``: the source cannot tell."""

ENCRYPTION_MODES: Final[tuple[str, ...]] = ("none", "service-managed", "aws-managed", "customer-managed", "unknown")


@dataclass(frozen=True)
class Encryption:
    """Encryption at rest of one resource."""

    mode: EncryptionMode
    key: str | None = None
    """For KMS modes: the key id, ARN or alias as the source gives it (``None`` when unknown)."""

    @property
    def is_customer_managed(self) -> bool:
        return self.mode == "customer-managed"


NOT_ENCRYPTED: Final = Encryption("none")
ENCRYPTION_UNKNOWN: Final = Encryption("unknown")


@dataclass(frozen=True)
class AlarmRef:
    """An alarm watching a resource: the alarm's name and the metric it watches."""

    alarm: str
    metric: str
    namespace: str = ""


@dataclass
class Observability:
    """How a resource is watched: alarms on its metrics, its log group retention, tracing."""

    alarms: list[AlarmRef] = field(default_factory=list)
    log_group: str | Unknown | None = None
    log_retention_days: int | Unknown | None = None
    """``None``: logs never expire (or no log group); a number of days otherwise."""
    tracing: bool | Unknown | None = None
    """X-Ray active tracing (functions, HTTP API stages); ``None`` when the kind has no tracing."""
    possible_alarms: list[AlarmRef] = field(default_factory=list)
    """Alarms that may watch this resource: a dimension they select on is only known after apply, and
    nothing tells which resource of this kind it names (so a policy can answer "unknown")."""

    def metrics_alarmed(self) -> set[str]:
        return {ref.metric for ref in self.alarms}

    def has_alarm_on(self, metric: str) -> bool | Unknown:
        """True when an alarm watches ``metric`` (case-insensitive), UNKNOWN when one only may."""
        wanted = metric.lower()
        if any(ref.metric.lower() == wanted for ref in self.alarms):
            return True
        if any(ref.metric.lower() == wanted for ref in self.possible_alarms):
            return UNKNOWN
        return False


Tags: TypeAlias = "dict[str, str | Unknown]"

INTERNAL_TAG_PREFIXES: Final[tuple[str, ...]] = ("aws:", "infra-parity:")
"""Tags that are not part of a resource's effective tags: AWS's own (``aws:cloudformation:stack-name``)
and the plugin's bookkeeping (``infra-parity:run``)."""


def is_internal_tag(key: str) -> bool:
    """True for ``aws:*`` and ``infra-parity:*`` tag keys."""
    return key.startswith(INTERNAL_TAG_PREFIXES)


def effective_tags(raw: Any) -> dict[str, str | Unknown] | Unknown:
    """Tags from any shape sources use, internal tags left out.

    Accepts a mapping, a list of ``{"Key": k, "Value": v}`` (CloudFormation, most AWS APIs) or of
    ``{"key": k, "value": v}`` (ECS), ``None`` (no tags) and :data:`UNKNOWN` (returned as is).
    Values are kept as text, or UNKNOWN. A ``TypeError`` names a shape none of those.
    """
    if isinstance(raw, _Unknown):
        return raw
    if raw is None:
        return {}
    pairs: Iterable[tuple[Any, Any]]
    if isinstance(raw, Mapping):
        pairs = raw.items()
    elif isinstance(raw, list):
        pairs = [_tag_pair(item) for item in raw]
    else:
        raise TypeError(f"tags must be a mapping or a list of Key/Value pairs, not {raw!r}")
    tags: dict[str, str | Unknown] = {}
    for key, value in pairs:
        if key is UNKNOWN or not isinstance(key, str) or is_internal_tag(key):
            continue
        tags[key] = UNKNOWN if value is UNKNOWN else _text(value)
    return tags


def _tag_pair(item: Any) -> tuple[Any, Any]:
    if not isinstance(item, Mapping):
        raise TypeError(f"a tag must be a Key/Value mapping, not {item!r}")
    key = item.get("Key", item.get("key"))
    value = item.get("Value", item.get("value", ""))
    return key, value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


@dataclass
class Resource:
    """One resource, normalized."""

    kind: str
    """Short human kind (``bucket``, ``queue``...); ``other`` when the type has no kind yet."""
    cfn_type: str
    """The CloudFormation type (``AWS::S3::Bucket``), also for Terraform and Pulumi resources."""
    name: str
    """The logical name in its source: logical id, Terraform address, Pulumi URN name, or for live
    resources the logical id when known (stack selection), else the physical name."""
    source: str
    """``live``, ``template``, ``terraform-hcl``, ``terraform-plan``, ``terraform-state``, ``pulumi``,
    ``snapshot`` (of one of those)."""
    native_type: str = ""
    """The type in its source (``aws_s3_bucket``, ``aws:s3/bucketV2:BucketV2``, the CFN type)."""
    physical_id: str | Unknown | None = None
    """What identifies it on AWS (bucket name, queue URL, function name...)."""
    arn: str | Unknown | None = None
    region: str | None = None
    account: str | None = None
    tags: dict[str, str | Unknown] | Unknown = field(default_factory=dict)
    """Effective tags (Terraform provider ``default_tags`` merged in; internal ``aws:*`` and
    ``infra-parity:*`` tags left out). ``UNKNOWN`` when the whole map is only known after apply."""
    taggable: bool = True
    encryption: Encryption | None = None
    """``None`` for kinds that have no encryption at rest (alarms, roles...)."""
    observability: Observability = field(default_factory=Observability)
    settings: dict[str, Any] = field(default_factory=dict)
    location: str | None = None
    """Where it was declared: ``file:line`` for templates and HCL, ``None`` for live resources."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.name)

    def setting(self, name: str, default: Any = None) -> Any:
        return self.settings.get(name, default)

    def describe(self) -> str:
        """``queue ProcessingQueue (AWS::SQS::Queue)`` with its location when known."""
        where = f" at {self.location}" if self.location else ""
        return f"{self.kind} {self.name} ({self.cfn_type}){where}"


@dataclass
class Inventory:
    """The resources of one source, with where they came from."""

    source: str
    """A human description: ``live moto us-east-1 stack ipp-photoeditor-...``, ``terraform plan x.json``."""
    resources: list[Resource] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Things the source could not map (unsupported types are listed here, never dropped silently)."""

    def of_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.resources if r.kind == kind]

    def by_name(self, name: str) -> Resource:
        for resource in self.resources:
            if resource.name == name:
                return resource
        raise KeyError(f"{self.source} has no resource named {name!r}")

    def __len__(self) -> int:
        return len(self.resources)

    def __iter__(self) -> Any:
        return iter(self.resources)


KIND_BY_CFN_TYPE: Final[dict[str, str]] = {
    "AWS::S3::Bucket": "bucket",
    "AWS::S3::BucketPolicy": "bucket policy",
    "AWS::DynamoDB::Table": "table",
    "AWS::SQS::Queue": "queue",
    "AWS::SQS::QueuePolicy": "queue policy",
    "AWS::SNS::Topic": "topic",
    "AWS::SNS::Subscription": "subscription",
    "AWS::SNS::TopicPolicy": "topic policy",
    "AWS::KMS::Key": "key",
    "AWS::KMS::Alias": "key alias",
    "AWS::Lambda::Function": "function",
    "AWS::Lambda::Alias": "alias",
    "AWS::Lambda::Version": "function version",
    "AWS::Lambda::Permission": "function permission",
    "AWS::Lambda::EventSourceMapping": "event source mapping",
    "AWS::Lambda::LayerVersion": "layer",
    "AWS::Logs::LogGroup": "log group",
    "AWS::CloudWatch::Alarm": "alarm",
    "AWS::ApiGatewayV2::Api": "http api",
    "AWS::ApiGatewayV2::Stage": "api stage",
    "AWS::ApiGatewayV2::Route": "api route",
    "AWS::ApiGatewayV2::Integration": "api integration",
    "AWS::ApiGatewayV2::Authorizer": "api authorizer",
    "AWS::ApiGatewayV2::Deployment": "api deployment",
    "AWS::ECS::Cluster": "cluster",
    "AWS::ECS::Service": "service",
    "AWS::ECS::TaskDefinition": "task definition",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "load balancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "target group",
    "AWS::ElasticLoadBalancingV2::Listener": "listener",
    "AWS::ElasticLoadBalancingV2::ListenerRule": "listener rule",
    "AWS::ApplicationAutoScaling::ScalableTarget": "scalable target",
    "AWS::ApplicationAutoScaling::ScalingPolicy": "scaling policy",
    "AWS::IAM::Role": "role",
    "AWS::IAM::Policy": "iam policy",
    "AWS::IAM::ManagedPolicy": "managed policy",
    "AWS::SecretsManager::Secret": "secret",
    "AWS::SSM::Parameter": "parameter",
    "AWS::EC2::VPC": "vpc",
    "AWS::EC2::Subnet": "subnet",
    "AWS::EC2::SecurityGroup": "security group",
    "AWS::EC2::NatGateway": "nat gateway",
    "AWS::EC2::EIP": "elastic ip",
    "AWS::EC2::InternetGateway": "internet gateway",
    "AWS::EC2::RouteTable": "route table",
    "AWS::EC2::VPCEndpoint": "vpc endpoint",
    "AWS::CloudFront::Distribution": "distribution",
    "AWS::WAFv2::WebACL": "web acl",
    "AWS::Cognito::UserPool": "user pool",
    "AWS::Cognito::UserPoolClient": "user pool client",
    "AWS::RDS::DBInstance": "db instance",
    "AWS::RDS::DBCluster": "db cluster",
    "AWS::RDS::DBProxy": "db proxy",
    "AWS::ElastiCache::CacheCluster": "cache cluster",
    "AWS::ElastiCache::ReplicationGroup": "replication group",
    "AWS::OpenSearchService::Domain": "search domain",
    "AWS::Route53::HostedZone": "hosted zone",
    "AWS::Route53::RecordSet": "dns record",
    "AWS::Events::Rule": "event rule",
    "AWS::CodeDeploy::Application": "codedeploy application",
    "AWS::CodeDeploy::DeploymentGroup": "deployment group",
    "AWS::AppConfig::Application": "appconfig application",
    "AWS::AppConfig::Environment": "appconfig environment",
    "AWS::AppConfig::ConfigurationProfile": "configuration profile",
    "AWS::AppConfig::DeploymentStrategy": "deployment strategy",
    "AWS::AppConfig::HostedConfigurationVersion": "configuration version",
    "AWS::CloudFront::OriginAccessControl": "origin access control", "AWS::EC2::Route": "route",
    "AWS::EC2::SecurityGroupIngress": "security group rule", "AWS::EC2::SecurityGroupEgress": "security group rule",
    "AWS::EC2::SubnetRouteTableAssociation": "route table association",
    "AWS::EC2::VPCGatewayAttachment": "gateway attachment", "AWS::ElastiCache::SubnetGroup": "cache subnet group",
    "AWS::RDS::DBSubnetGroup": "db subnet group", "AWS::RDS::DBProxyTargetGroup": "db proxy target group",
    "AWS::WAFv2::WebACLAssociation": "web acl association",
}

KIND_ALIASES: Final[dict[str, str]] = {
    "s3 bucket": "bucket", "dynamodb table": "table", "sqs queue": "queue", "sns topic": "topic",
    "kms key": "key", "lambda function": "function", "lambda": "function", "log groups": "log group",
    "http apis": "http api", "api": "http api", "ecs service": "service", "alb": "load balancer",
    "cloudwatch alarm": "alarm",
}
"""Other words reviewers use; plurals are folded by :func:`kind_of_word`."""

UNTAGGABLE_KINDS: Final = frozenset({
    "bucket policy", "queue policy", "topic policy", "subscription", "key alias", "alias", "function version",
    "function permission", "event source mapping", "layer", "api route", "api integration",
    "api authorizer", "api deployment", "listener rule", "scalable target", "scaling policy",
    "iam policy", "managed policy", "dns record", "user pool client", "task definition", "configuration version",
    "origin access control", "route", "security group rule", "route table association", "gateway attachment",
    "db proxy target group", "web acl association",
})
"""Kinds whose resources carry no tags of their own (in CloudFormation or in the API)."""

ENCRYPTED_KINDS: Final = frozenset({
    "bucket", "table", "queue", "topic", "log group", "function", "secret", "parameter", "db instance",
    "db cluster", "search domain", "replication group", "cache cluster",
})
"""Kinds that have encryption at rest (``Resource.encryption`` is set); the others' is ``None``."""


def kind_of(cfn_type: str) -> str:
    """The kind of a CloudFormation type, ``other`` when it has none."""
    return KIND_BY_CFN_TYPE.get(cfn_type, "other")


def kind_of_word(word: str) -> str:
    """The kind a reviewer means by ``word`` ("buckets", "S3 bucket", "Lambda functions").

    Raises ``ValueError`` naming the known kinds when the word is none of them.
    """
    text = " ".join(word.lower().replace("-", " ").split())
    known = set(KIND_BY_CFN_TYPE.values()) | {"dead letter queue"}
    for candidate in (text, text[:-1] if text.endswith("s") else text, text[:-2] if text.endswith("es") else text):
        candidate = KIND_ALIASES.get(candidate, candidate)
        if candidate in known:
            return candidate
    raise ValueError(f"unknown resource kind {word!r}; known kinds: {', '.join(sorted(known))}")
