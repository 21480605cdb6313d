"""Live readers of AppConfig and CodeDeploy resources (existence and tags).

APIs read: AppConfig ``GetApplication``, ``GetEnvironment``, ``GetConfigurationProfile``,
``GetDeploymentStrategy`` + ``ListTagsForResource`` (tags as a map); CodeDeploy ``GetApplication``,
``GetDeploymentGroup`` + ``ListTagsForResource`` (tags as ``[{Key, Value}]``). The ARNs follow the
Service Authorization Reference ("Resource types defined by AWS AppConfig / AWS CodeDeploy"). A
CodeDeploy resource the plugin marked ``infra-parity:deleted`` (moto has no delete call for them) is gone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_infra_parity.inventory.live_common import Context, Missing, Target, set_tags, tag_list
from pytest_infra_parity.inventory.model import UNKNOWN, Resource

DELETED_TAG = "infra-parity:deleted"


def _appconfig(kind: str, call: str, path: Callable[[str, str], str], **names: str) -> Callable[..., Resource]:
    def read(ctx: Context, target: Target) -> Resource:
        client = ctx.clients("appconfig")
        app = str(target.extra.get("ApplicationId") or "")
        params: dict[str, Any] = {p: (target.ident if source == "ident" else app) for p, source in names.items()}
        ctx.fetch(target, kind, getattr(client, call), main=True, **params)
        arn = f"arn:aws:appconfig:{ctx.region}:{ctx.account}:{path(app, target.ident)}"
        resource = ctx.resource(target, arn=arn)
        answer = ctx.fetch(target, "tags", client.list_tags_for_resource, ResourceArn=arn)
        set_tags(resource, target, lambda: UNKNOWN if answer is UNKNOWN else dict(answer.get("Tags") or {}))
        return resource
    return read


def _codedeploy_tags(ctx: Context, target: Target, arn: str) -> Any:
    answer = ctx.fetch(target, "tags", ctx.clients("codedeploy").list_tags_for_resource, ResourceArn=arn)
    if answer is UNKNOWN:
        return UNKNOWN
    tags = tag_list(answer.get("Tags"))
    if isinstance(tags, dict) and tags.get(DELETED_TAG) == "true":
        raise Missing(f"{target.describe()}: deleted (marked {DELETED_TAG})")
    return tags


def codedeploy_application(ctx: Context, target: Target) -> Resource:
    ctx.fetch(target, "application", ctx.clients("codedeploy").get_application, main=True,
              applicationName=target.ident)
    arn = f"arn:aws:codedeploy:{ctx.region}:{ctx.account}:application:{target.ident}"
    resource = ctx.resource(target, arn=arn)
    set_tags(resource, target, lambda: _codedeploy_tags(ctx, target, arn))
    return resource


def deployment_group(ctx: Context, target: Target) -> Resource:
    app = str(target.extra.get("ApplicationName") or "")
    ctx.fetch(target, "deployment group", ctx.clients("codedeploy").get_deployment_group, main=True,
              applicationName=app, deploymentGroupName=target.ident)
    arn = f"arn:aws:codedeploy:{ctx.region}:{ctx.account}:deploymentgroup:{app}/{target.ident}"
    resource = ctx.resource(target, arn=arn)
    set_tags(resource, target, lambda: _codedeploy_tags(ctx, target, arn))
    return resource


READERS: dict[str, Callable[[Context, Target], Resource]] = {
    "AWS::AppConfig::Application": _appconfig(
        "application", "get_application", lambda app, ident: f"application/{ident}", ApplicationId="ident"),
    "AWS::AppConfig::Environment": _appconfig(
        "environment", "get_environment", lambda app, ident: f"application/{app}/environment/{ident}",
        ApplicationId="app", EnvironmentId="ident"),
    "AWS::AppConfig::ConfigurationProfile": _appconfig(
        "configuration profile", "get_configuration_profile",
        lambda app, ident: f"application/{app}/configurationprofile/{ident}",
        ApplicationId="app", ConfigurationProfileId="ident"),
    "AWS::AppConfig::DeploymentStrategy": _appconfig(
        "deployment strategy", "get_deployment_strategy", lambda app, ident: f"deploymentstrategy/{ident}",
        DeploymentStrategyId="ident"),
    "AWS::CodeDeploy::Application": codedeploy_application,
    "AWS::CodeDeploy::DeploymentGroup": deployment_group,
}
