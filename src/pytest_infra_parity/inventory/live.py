"""The live source: resources read from a target through boto3 clients, selected by stack, tags or ARNs.

``collect(clients, region=..., account=..., selection=...)`` reads every selected resource with the
reader of its type (:mod:`.live_storage`, :mod:`.live_compute`, :mod:`.live_misc`), in parallel
(a thread pool; one boto3 client per service, created before the threads start; boto3 clients are
thread-safe once created), paginating every list. Retries are the target's (its client cache uses
botocore's adaptive mode). Then the region's alarms are linked (:func:`.links.link`, plus
:func:`.links.link_alarms` for the alarms that watch a selected resource without being selected).

- A live resource's ``name`` is its logical id when the selection knows it (a stack), else its
  physical name. Internal tags (``aws:*``, ``infra-parity:*``) are not effective tags.
- A selected resource that no longer exists is left out, with a warning naming it.
- A type with nothing to read beyond its identity (routes, permissions, policies...: no tags, no
  encryption, no observability, :data:`IDENTITY_ONLY`) is listed with its physical id, unread.
- A type without a reader yet, or a resource the target cannot describe (an API moto does not
  implement), is listed with its kind and UNKNOWN attributes, with a warning naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.inventory import (
    live_compute,
    live_config,
    live_data,
    live_misc,
    live_select,
    live_storage,
    live_tagged,
)
from pytest_infra_parity.inventory.links import link, link_alarms
from pytest_infra_parity.inventory.live_common import Clients, Context, Missing, Target, Unreadable
from pytest_infra_parity.inventory.model import (
    ENCRYPTED_KINDS,
    ENCRYPTION_UNKNOWN,
    UNKNOWN,
    Inventory,
    Resource,
    kind_of,
)

READERS: dict[str, Callable[[Context, Target], Resource]] = {
    **live_storage.READERS, **live_compute.READERS, **live_misc.READERS, **live_tagged.READERS,
    **live_data.READERS, **live_config.READERS,
}

IDENTITY_ONLY = frozenset({
    "AWS::KMS::Alias", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy", "AWS::SNS::Subscription",
    "AWS::Lambda::Permission", "AWS::Lambda::Version", "AWS::Lambda::LayerVersion", "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Integration", "AWS::ApiGatewayV2::Deployment", "AWS::ApiGatewayV2::Authorizer",
    "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::ListenerRule",
    "AWS::ApplicationAutoScaling::ScalingPolicy", "AWS::IAM::Policy",
    "AWS::CloudFront::OriginAccessControl", "AWS::AppConfig::HostedConfigurationVersion", "AWS::EC2::Route",
    "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress", "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::VPCGatewayAttachment", "AWS::RDS::DBProxyTargetGroup", "AWS::WAFv2::WebACLAssociation",
    "AWS::Cognito::UserPoolClient", "AWS::Route53::RecordSet",
})
"""Types listed with their identity only: nothing the model describes is read from them."""

SERVICES: dict[str, str] = {
    "S3": "s3", "DynamoDB": "dynamodb", "SQS": "sqs", "SNS": "sns", "KMS": "kms", "Logs": "logs", "Lambda": "lambda",
    "ApiGatewayV2": "apigatewayv2", "ECS": "ecs", "ElasticLoadBalancingV2": "elbv2", "IAM": "iam",
    "ApplicationAutoScaling": "application-autoscaling", "SecretsManager": "secretsmanager", "SSM": "ssm",
    "CloudWatch": "cloudwatch", "Events": "events", "CloudFront": "cloudfront", "EC2": "ec2", "RDS": "rds",
    "ElastiCache": "elasticache", "OpenSearchService": "opensearch", "Cognito": "cognito-idp",
    "WAFv2": "wafv2", "Route53": "route53", "AppConfig": "appconfig", "CodeDeploy": "codedeploy",
}
"""The boto3 service of each ``AWS::<Service>::*`` type the readers read."""


_LOG_GROUP_READERS = frozenset({"AWS::Logs::LogGroup", "AWS::Lambda::Function"})
PREFETCH_LOG_GROUPS = 20
"""From this many log groups and functions to read, all log groups are listed once (50 per call)
rather than looked up one by one."""


@dataclass(frozen=True)
class StackItem:
    """One resource of a deployed stack, as a selection needs it."""

    logical_id: str
    cfn_type: str
    physical_id: str
    properties: Mapping[str, Any] = field(default_factory=dict)
    """The resolved declared properties (a stage's ``ApiId``, a service's ``Cluster``)."""


@dataclass(frozen=True)
class Selection:
    """What to read: the resources of a stack, those carrying tags, or a list of ARNs."""

    stack: str | None = None
    items: tuple[StackItem, ...] = ()
    tags: Mapping[str, str] | None = None
    arns: tuple[str, ...] = ()

    @classmethod
    def of_stack(cls, stack: Any) -> Selection:
        """The selection of a deployed :class:`~pytest_infra_parity.deploy.stack.Stack` (duck-typed)."""
        items = tuple(StackItem(r.logical_id, r.resource_type, str(r.physical_id), dict(r.properties))
                      for r in stack.resources.values())
        return cls(stack=str(stack.name), items=items)

    @classmethod
    def of_tags(cls, tags: Mapping[str, str] | str) -> Selection:
        """``{"Project": "photoeditor"}`` or ``"Project=photoeditor,Env=dev"`` (ValueError if malformed)."""
        return cls(tags=live_select.parse_tags(tags) if isinstance(tags, str) else dict(tags))

    @classmethod
    def of_arns(cls, arns: Iterable[str]) -> Selection:
        return cls(arns=tuple(arns))

    def describe(self) -> str:
        if self.stack is not None:
            return f"stack {self.stack}"
        if self.tags is not None:
            return "tags " + ",".join(f"{k}={v}" for k, v in self.tags.items())
        return f"{len(self.arns)} ARN(s)"


def targets_of(ctx: Context, selection: Selection) -> list[Target]:
    """The targets a selection names."""
    if selection.items or selection.stack is not None:
        return [Target(i.cfn_type, i.physical_id, i.logical_id, extra=i.properties, logical=True)
                for i in selection.items]
    if selection.tags is not None:
        return live_select.dedupe(live_select.by_tags(ctx, selection.tags))
    return live_select.dedupe(live_select.by_arns(selection.arns))


def collect(clients: Clients, *, region: str, account: str, selection: Selection,
            max_workers: int = 16) -> Inventory:
    """The live inventory of ``selection`` on the target ``clients`` talk to."""
    ctx = Context(clients, region, account)
    targets = targets_of(ctx, selection)
    services = {SERVICES.get(t.cfn_type.split("::")[1]) for t in targets if t.cfn_type.count("::") == 2}
    for service in sorted(s for s in services | {"cloudwatch", "kms", "logs"} if s):
        clients(service)  # create every client before the threads share them
    alarms = live_misc.region_alarms(ctx)
    if sum(1 for t in targets if t.cfn_type in _LOG_GROUP_READERS) >= PREFETCH_LOG_GROUPS:
        ctx.prefetch_log_groups()
    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(targets)))) as pool:
        read = list(pool.map(lambda t: _read(ctx, t, alarms), targets))
        inventory = Inventory(source=f"live {region} {selection.describe()}",
                              resources=[r for r in read if r is not None], warnings=ctx.warnings)
        link(inventory)
        unmarked = [q for q in inventory.of_kind("queue")
                    if q.settings.get("is_dlq") is False and q.settings.get("dlq") is None]
        list(pool.map(lambda q: live_storage.confirm_dlq(ctx, q), unmarked))
    if alarms:
        selected = {r.physical_id for r in inventory.of_kind("alarm")}
        others = [live_misc.alarm_resource(ctx, Target("AWS::CloudWatch::Alarm", name, name), data)
                  for name, data in alarms.items() if name not in selected]
        link_alarms(inventory.resources, others)
    return inventory


def _read(ctx: Context, target: Target, alarms: Mapping[str, Any] | None) -> Resource | None:
    try:
        if target.cfn_type == "AWS::CloudWatch::Alarm":
            return live_misc.alarm(ctx, target, alarms)
        reader = READERS.get(target.cfn_type)
        if reader is not None:
            return reader(ctx, target)
    except Missing as exc:
        ctx.warn(f"{exc}: left out of the inventory")
        return None
    except Unreadable as exc:
        ctx.warn(f"{exc}: listed with unknown attributes")
        return _unread(ctx, target)
    if target.cfn_type in IDENTITY_ONLY:
        return ctx.resource(target)
    what = target.cfn_type or f"resource {target.ident}"
    ctx.warn(f"{kind_of(target.cfn_type)} {target.name}: {what} is not read live yet; "
             "listed with its kind and unknown attributes")
    return _unread(ctx, target)


def _unread(ctx: Context, target: Target) -> Resource:
    resource = ctx.resource(target)
    if target.tags is None and resource.taggable:
        resource.tags = UNKNOWN
    if resource.kind in ENCRYPTED_KINDS:
        resource.encryption = ENCRYPTION_UNKNOWN
    return resource
