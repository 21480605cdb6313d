"""Live readers of alarms, roles, secrets and parameters; the alarms of a whole region.

Alarms come from one paginated CloudWatch ``DescribeAlarms`` (100 per page) per collection: their
settings are mapped by the template mapper, as ``DescribeAlarms`` answers with the same field names
as the ``AWS::CloudWatch::Alarm`` properties (``Namespace``, ``MetricName``, ``Dimensions``,
``Metrics``...). Roles: IAM ``GetRole`` (``ListRoleTags`` when the answer has no tags); secrets:
Secrets Manager ``DescribeSecret`` (a secret scheduled for deletion is gone); parameters: SSM
``GetParameter``, ``DescribeParameters`` (the key of a ``SecureString``), ``ListTagsForResource``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pytest_infra_parity.inventory import encryption
from pytest_infra_parity.inventory.live_common import Context, Missing, Target, Unreadable, set_tags, tag_list
from pytest_infra_parity.inventory.model import UNKNOWN, Resource, effective_tags
from pytest_infra_parity.inventory.template import Declared, to_resource
from pytest_infra_parity.inventory.values import dig


def region_alarms(ctx: Context) -> dict[str, dict[str, Any]] | None:
    """Every metric and composite alarm of the region by name; ``None`` (with a warning) if unreadable."""
    probe = Target("AWS::CloudWatch::Alarm", "*", "alarms of the region")
    paginator = ctx.clients("cloudwatch").get_paginator("describe_alarms")
    try:
        pages = ctx.fetch(probe, "alarms", lambda: list(paginator.paginate(
            AlarmTypes=["MetricAlarm", "CompositeAlarm"])), main=True)
    except (Missing, Unreadable) as exc:
        ctx.warn(f"alarms not read, no alarm is linked: {exc}")
        return None
    found: dict[str, dict[str, Any]] = {}
    for page in pages:
        for alarm in [*page.get("MetricAlarms", []), *page.get("CompositeAlarms", [])]:
            found[str(alarm["AlarmName"])] = alarm
    return found


def alarm_resource(ctx: Context, target: Target, data: Mapping[str, Any]) -> Resource:
    """An alarm of ``DescribeAlarms``, mapped like a template's alarm."""
    item = Declared(target.name, "AWS::CloudWatch::Alarm", data, physical_id=str(data["AlarmName"]),
                    arn=data.get("AlarmArn"))
    resource = to_resource(item, source="live", region=ctx.region, account=ctx.account)
    resource.tags = effective_tags(target.tags) if target.tags is not None else {}
    return resource


def alarm(ctx: Context, target: Target, alarms: Mapping[str, Mapping[str, Any]] | None) -> Resource:
    if alarms is None:
        raise Unreadable(f"{target.describe()}: the region's alarms could not be read")
    data = alarms.get(target.ident)
    if data is None:
        raise Missing(f"{target.describe()}: does not exist")
    resource = alarm_resource(ctx, target, data)
    cloudwatch = ctx.clients("cloudwatch")
    set_tags(resource, target, lambda: _tags_or_unknown(
        ctx.fetch(target, "tags", cloudwatch.list_tags_for_resource, ResourceARN=data.get("AlarmArn"))))
    return resource


def _tags_or_unknown(answer: Any, key: str = "Tags") -> Any:
    return UNKNOWN if answer is UNKNOWN else tag_list(answer.get(key))


def role(ctx: Context, target: Target) -> Resource:
    iam = ctx.clients("iam")
    found = ctx.fetch(target, "role", iam.get_role, main=True, RoleName=target.ident)["Role"]
    resource = ctx.resource(target, arn=found.get("Arn"))
    resource.settings["path"] = found.get("Path", "/")
    if "Tags" in found:
        set_tags(resource, target, lambda: tag_list(found["Tags"]))
    else:
        set_tags(resource, target, lambda: _tags_or_unknown(
            ctx.fetch(target, "tags", iam.list_role_tags, RoleName=target.ident)))
    return resource


def secret(ctx: Context, target: Target) -> Resource:
    found = ctx.fetch(target, "secret", ctx.clients("secretsmanager").describe_secret, main=True,
                      SecretId=target.ident)
    if found.get("DeletedDate"):
        raise Missing(f"{target.describe()}: is scheduled for deletion")
    resource = ctx.resource(target, arn=found.get("ARN"))
    if not target.logical:
        resource.name = str(found.get("Name") or target.name)
    key = found.get("KmsKeyId")
    resource.encryption = ctx.key_encryption(key) if key else encryption.SECRETS_DEFAULT
    resource.settings["rotation"] = bool(found.get("RotationEnabled"))
    set_tags(resource, target, lambda: tag_list(found.get("Tags")))
    return resource


def parameter(ctx: Context, target: Target) -> Resource:
    ssm = ctx.clients("ssm")
    found = ctx.fetch(target, "parameter", ssm.get_parameter, main=True, Name=target.ident)["Parameter"]
    resource = ctx.resource(target, physical_id=found["Name"], arn=found.get("ARN"))
    if not target.logical:
        resource.name = found["Name"]
    kind = found.get("Type")
    resource.settings["type"] = kind
    resource.encryption = encryption.NOT_ENCRYPTED
    if kind == "SecureString":
        described = ctx.fetch(target, "key", ssm.describe_parameters,
                              ParameterFilters=[{"Key": "Name", "Values": [target.ident]}])
        key = UNKNOWN if described is UNKNOWN else dig(described, "Parameters", 0, "KeyId")
        resource.encryption = ctx.key_encryption(key) if key else encryption.AWS_MANAGED
    set_tags(resource, target, lambda: _tags_or_unknown(
        ctx.fetch(target, "tags", ssm.list_tags_for_resource, ResourceType="Parameter", ResourceId=target.ident),
        "TagList"))
    return resource


READERS: dict[str, Callable[[Context, Target], Resource]] = {
    "AWS::IAM::Role": role,
    "AWS::SecretsManager::Secret": secret,
    "AWS::SSM::Parameter": parameter,
}
