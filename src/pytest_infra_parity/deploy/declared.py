"""The declared state of a template, resolved offline, and of a deployed stack (for drift).

:func:`declare` resolves a template without any target: the same :class:`~.intrinsics.Resolver` as
the applier (parameters, conditions, mappings, ``Fn::Sub``...), with a context that answers what a
deployment would, where it can be known in advance:

- ``Ref`` of a type with a name property gives the declared name (``BucketName``, ``QueueName``...),
  else ``<stack>-<LogicalId>``: the applier's default name (:func:`~.provisioners.base.default_name`)
  without its random suffix, within the service's length and character limits. That name is stable,
  which is what matching across sources needs. The shape follows CloudFormation's return values: a
  queue's ``Ref`` is its URL, a topic's and a managed policy's their ARN, an ECS service's its ARN,
  a Lambda alias's its ARN.
- ``Fn::GetAtt`` ``Arn`` (and ``QueueName``, ``QueueUrl``, ``TopicName``, ``DomainName``...) is built
  from that name with the ARN format of the service (Service Authorization Reference, "Resource types
  defined by <service>").
- Everything else AWS chooses (KMS key ids, HTTP API ids, load balancer ARNs, secrets' ARN suffixes,
  stream ARNs, imported values, SSM / Secrets Manager dynamic references) is
  :data:`~pytest_infra_parity.inventory.model.UNKNOWN`. A value built from an unknown part (a
  ``Fn::Sub`` with a key id in it) is unknown as a whole. When a whole value is one resource's unknown
  ``Ref``/``GetAtt``, :attr:`~pytest_infra_parity.inventory.template.Declared.references` records which
  resource it names, so alarms still link to it.
- ``Fn::GetAZs`` gives ``<region>a``, ``<region>b``, ``<region>c``.

Resources whose ``Condition`` is false are not declared; SAM templates arrive transformed by
:func:`~.template.load_template` (the same offline SAM transform the deployer uses).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_infra_parity.deploy.cdk import METADATA_ONLY_TYPES
from pytest_infra_parity.deploy.intrinsics import Resolver
from pytest_infra_parity.deploy.stack import Stack
from pytest_infra_parity.deploy.template import Template, load_template
from pytest_infra_parity.inventory.cfn_compute import function_name_of
from pytest_infra_parity.inventory.model import UNKNOWN
from pytest_infra_parity.inventory.template import Declared

_MARK = "\x00"
_SEP = "\x1f"
_TOKEN = re.compile(f"{_MARK}([^{_MARK}{_SEP}]*){_SEP}([^{_MARK}]*){_MARK}")
_NAME_CHARS = string.ascii_letters + string.digits + "-_"


def _token(logical_id: str, attribute: str) -> str:
    return f"{_MARK}{logical_id}{_SEP}{attribute}{_MARK}"


@dataclass(frozen=True)
class Shape:
    """How a type is named and what its ``Ref`` and ARN look like."""

    name_property: str | None
    max_length: int = 255
    lowercase: bool = False
    ref: str = "name"
    """``name``, ``arn``, ``url`` (SQS), or ``unknown`` (an id AWS chooses)."""
    arn: str | None = None
    """Format with ``{p}`` partition, ``{r}`` region, ``{a}`` account, ``{name}`` and the extras."""
    attributes: dict[str, str] = field(default_factory=dict)


SHAPES: dict[str, Shape] = {
    "AWS::S3::Bucket": Shape("BucketName", 63, True, arn="arn:{p}:s3:::{name}", attributes={
        "DomainName": "{name}.s3.amazonaws.com", "RegionalDomainName": "{name}.s3.{r}.amazonaws.com"}),
    "AWS::SQS::Queue": Shape("QueueName", 80, ref="url", arn="arn:{p}:sqs:{r}:{a}:{name}", attributes={
        "QueueName": "{name}", "QueueUrl": "https://sqs.{r}.amazonaws.com/{a}/{name}"}),
    "AWS::SNS::Topic": Shape("TopicName", 256, ref="arn", arn="arn:{p}:sns:{r}:{a}:{name}",
                             attributes={"TopicName": "{name}", "TopicArn": "{arn}"}),
    "AWS::DynamoDB::Table": Shape("TableName", 255, arn="arn:{p}:dynamodb:{r}:{a}:table/{name}"),
    "AWS::Lambda::Function": Shape("FunctionName", 64, arn="arn:{p}:lambda:{r}:{a}:function:{name}"),
    "AWS::Lambda::Alias": Shape("Name", 128, ref="arn", arn="arn:{p}:lambda:{r}:{a}:function:{function}:{name}",
                                attributes={"AliasArn": "{arn}"}),
    "AWS::Logs::LogGroup": Shape("LogGroupName", 512, arn="arn:{p}:logs:{r}:{a}:log-group:{name}:*"),
    "AWS::CloudWatch::Alarm": Shape("AlarmName", 255, arn="arn:{p}:cloudwatch:{r}:{a}:alarm:{name}"),
    "AWS::IAM::Role": Shape("RoleName", 64, arn="arn:{p}:iam::{a}:role{path}{name}"),
    "AWS::IAM::ManagedPolicy": Shape("ManagedPolicyName", 128, ref="arn", arn="arn:{p}:iam::{a}:policy{path}{name}"),
    "AWS::SSM::Parameter": Shape("Name", 1011, arn="arn:{p}:ssm:{r}:{a}:parameter{slash}{name}"),
    "AWS::ECS::Cluster": Shape("ClusterName", 255, arn="arn:{p}:ecs:{r}:{a}:cluster/{name}"),
    "AWS::ECS::Service": Shape("ServiceName", 255, ref="arn", arn="arn:{p}:ecs:{r}:{a}:service/{cluster}/{name}",
                               attributes={"Name": "{name}", "ServiceArn": "{arn}"}),
    "AWS::Events::Rule": Shape("Name", 64, arn="arn:{p}:events:{r}:{a}:rule/{name}"),
    "AWS::KMS::Alias": Shape("AliasName", 256, arn="arn:{p}:kms:{r}:{a}:{name}"),
    "AWS::ApiGatewayV2::Stage": Shape("StageName", 128),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": Shape("Name", 32, ref="unknown",
                                                       attributes={"LoadBalancerName": "{name}"}),
    "AWS::ElasticLoadBalancingV2::TargetGroup": Shape("Name", 32, ref="unknown",
                                                      attributes={"TargetGroupName": "{name}"}),
    "AWS::SecretsManager::Secret": Shape("Name", 512, ref="unknown"),
    "AWS::RDS::DBInstance": Shape("DBInstanceIdentifier", 63, True, arn="arn:{p}:rds:{r}:{a}:db:{name}"),
    "AWS::RDS::DBCluster": Shape("DBClusterIdentifier", 63, True, arn="arn:{p}:rds:{r}:{a}:cluster:{name}"),
    "AWS::OpenSearchService::Domain": Shape("DomainName", 28, True, arn="arn:{p}:es:{r}:{a}:domain/{name}"),
    "AWS::ElastiCache::CacheCluster": Shape("ClusterName", 50, True),
    "AWS::ElastiCache::ReplicationGroup": Shape("ReplicationGroupId", 40, True),
    "AWS::CodeDeploy::Application": Shape("ApplicationName", 100),
    "AWS::CodeDeploy::DeploymentGroup": Shape("DeploymentGroupName", 100),
}
"""The types whose ``Ref`` and ARN can be known before deployment; any other type's are UNKNOWN."""


def default_physical_name(stack_name: str, logical_id: str, max_length: int = 255, lowercase: bool = False) -> str:
    """``<stack>-<LogicalId>`` shortened as the applier's default name is, without the random suffix."""
    allowed = _NAME_CHARS.replace("_", "") if lowercase else _NAME_CHARS  # S3, RDS: no underscores
    stack = "".join(c for c in stack_name if c in allowed)
    logical = "".join(c for c in logical_id if c in allowed)
    budget = max_length - 1
    stack_budget = min(len(stack), max(1, budget // 2))
    logical_budget = min(len(logical), budget - stack_budget)
    stack_budget = min(len(stack), budget - logical_budget)
    name = f"{stack[:stack_budget]}-{logical[:logical_budget]}"
    return name.lower() if lowercase else name


@dataclass
class _Identity:
    physical_id: Any
    arn: Any
    attributes: dict[str, Any]


class OfflineContext:
    """A :class:`~.intrinsics.ResolveContext` answering from the template alone (see the module)."""

    partition = "aws"
    url_suffix = "amazonaws.com"

    def __init__(self, template: Template, region: str, account_id: str, stack_name: str) -> None:
        self.template = template
        self.region = region
        self.account_id = account_id
        self.stack_name = stack_name
        self.stack_id = f"arn:aws:cloudformation:{region}:{account_id}:stack/{stack_name}/declared"
        self.notification_arns: list[str] = []
        self.resolver: Resolver | None = None
        self._identities: dict[str, _Identity] = {}
        self._busy: set[str] = set()

    def ref(self, logical_id: str) -> Any:
        return self.identity(logical_id).physical_id

    def get_att(self, logical_id: str, attribute: str) -> Any:
        identity = self.identity(logical_id)
        if attribute == "Arn" and identity.arn is not None:
            return identity.arn
        return identity.attributes.get(attribute, _token(logical_id, attribute))

    def azs(self, region: str) -> list[str]:
        return [f"{region or self.region}{suffix}" for suffix in "abc"]

    def import_value(self, name: str) -> Any:
        return _token("", f"ImportValue {name}")

    def dynamic_reference(self, service: str, reference: str) -> str:
        return _token("", f"resolve:{service}:{reference}")

    def identity(self, logical_id: str) -> _Identity:
        """The physical id, ARN and known attributes of a resource (computed once)."""
        if logical_id in self._identities:
            return self._identities[logical_id]
        unknown = _Identity(_token(logical_id, "Ref"), _token(logical_id, "Arn"), {})
        if logical_id in self._busy:  # a name that refers to itself: leave it unknown
            return unknown
        self._busy.add(logical_id)
        try:
            identity = self._compute(logical_id) or unknown
        finally:
            self._busy.discard(logical_id)
        self._identities[logical_id] = identity
        return identity

    def _compute(self, logical_id: str) -> _Identity | None:
        decl = self.template.resources[logical_id]
        shape = SHAPES.get(decl.resource_type)
        if shape is None or shape.name_property is None:
            return None
        assert self.resolver is not None
        props = self.resolver.resolve(decl.properties, where=f"{logical_id}.Properties") or {}
        name = props.get(shape.name_property)
        if name is None:
            name = default_physical_name(self.stack_name, logical_id, shape.max_length, shape.lowercase)
            if decl.resource_type == "AWS::SQS::Queue" and str(props.get("FifoQueue")).lower() == "true":
                name = name[: shape.max_length - 5] + ".fifo"
        name = str(name)
        values = {"p": self.partition, "r": self.region, "a": self.account_id, "name": name, **_extras(props)}
        arn = shape.arn.format(**values) if shape.arn else _token(logical_id, "Arn")
        values["arn"] = arn
        attributes = {attr: fmt.format(**values) for attr, fmt in shape.attributes.items()}
        ref = {"name": name, "arn": arn, "url": attributes.get("QueueUrl"), "unknown": _token(logical_id, "Ref")}
        return _Identity(ref[shape.ref], arn, attributes)


class _UnknownList(list[Any]):
    """The pieces of a ``Fn::Split`` of a value only known at deploy time: their count is unknown too."""


class OfflineResolver(Resolver):
    """The applier's resolver, with ``Fn::Split`` / ``Fn::Select`` of unknown values left unknown.

    ``!Select [6, !Split [":", !GetAtt Proxy.DBProxyArn]]`` cannot be answered before the proxy
    exists: the result is unknown (a reference to the proxy), not an index error.
    """

    def _split(self, args: Any, where: str) -> list[str]:
        pieces = super()._split(args, where)
        return _UnknownList(pieces) if any(_MARK in piece for piece in pieces) else pieces

    def _select(self, args: Any, where: str) -> Any:
        if isinstance(args, list) and len(args) == 2:
            values = self._walk(args[1], where)
            if isinstance(values, _UnknownList):
                match = _TOKEN.search("".join(values))
                return _token(match.group(1) if match else "", "Fn::Select")
        return super()._select(args, where)


def _extras(props: dict[str, Any]) -> dict[str, str]:
    path = str(props.get("Path") or "/")
    cluster = str(props.get("Cluster") or "default")
    name = str(props.get("Name") or "")
    return {
        "path": path, "cluster": cluster.replace(":", "/").rsplit("/", 1)[-1],
        "function": str(function_name_of(props.get("FunctionName") or "")),
        "slash": "" if name.startswith("/") else "/",
    }


def _unknowns(value: Any, path: str, references: dict[str, str]) -> Any:
    """``value`` with every string holding a token replaced by UNKNOWN; whole-token references noted."""
    if isinstance(value, dict):
        return {k: _unknowns(v, f"{path}.{k}" if path else k, references) for k, v in value.items()}
    if isinstance(value, list):
        return [_unknowns(v, f"{path}[{i}]", references) for i, v in enumerate(value)]
    if isinstance(value, str) and _MARK in value:
        match = _TOKEN.fullmatch(value)
        if match and match.group(1):
            references[path] = match.group(1)
        return UNKNOWN
    return value


def _location(template: Template, logical_id: str) -> str | None:
    line = template.line_of(logical_id)
    if template.path is None:
        return None if line is None else f"line {line}"
    return f"{template.path}:{line}" if line is not None else str(template.path)


def declare(template: Template | Path, parameters: dict[str, Any] | None = None, *, stack_name: str,
            region: str, account: str) -> list[Declared]:
    """The enabled resources of a template (a :class:`Template` or a path), resolved offline."""
    if not isinstance(template, Template):
        template = load_template(Path(template), region=region, account_id=account)
    ctx = OfflineContext(template, region, account, stack_name)
    given = dict(parameters or {})
    for name, parameter in template.parameters.items():
        if name not in given and parameter.default is None:  # a value given at deploy time
            given[name] = _token("", f"parameter {name}")
    resolver = OfflineResolver(template, given, ctx)
    ctx.resolver = resolver
    declared: list[Declared] = []
    for logical_id, decl in template.resources.items():
        if decl.resource_type in METADATA_ONLY_TYPES or not resolver.is_enabled(decl):
            continue
        identity = ctx.identity(logical_id)
        properties = resolver.resolve(decl.properties, where=f"{logical_id}.Properties") or {}
        references: dict[str, str] = {}
        resolved = _unknowns(properties, "", references)
        declared.append(Declared(
            logical_id=logical_id, cfn_type=decl.resource_type, properties=resolved,
            physical_id=_unknowns(identity.physical_id, "", {}), arn=_unknowns(identity.arn, "", {}),
            location=_location(template, logical_id), references=references,
        ))
    return declared


def from_stack(stack: Stack) -> list[Declared]:
    """The declared state of a deployed stack: its resolved properties, real physical ids and ARNs."""
    declared: list[Declared] = []
    for logical_id, resource in stack.resources.items():
        attributes = resource.attributes
        arn = attributes.get("Arn") or attributes.get("TopicArn") or attributes.get("ServiceArn")
        if arn is None and str(resource.physical_id).startswith("arn:"):
            arn = resource.physical_id
        declared.append(Declared(
            logical_id=logical_id, cfn_type=resource.resource_type, properties=dict(resource.properties),
            physical_id=resource.physical_id, arn=arn, location=_location(stack.template, logical_id),
        ))
    return declared
