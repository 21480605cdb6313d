"""What a canary emulation needs to know about a deployed design, read from its stack and design.yaml.

A function deployed with CodeDeploy traffic shifting is the target of an ``AWS::Lambda::Alias`` whose
UpdatePolicy is ``CodeDeployLambdaAliasUpdate`` (what SAM's AutoPublishAlias + DeploymentPreference
generate: "Safe Lambda deployments", SAM developer guide). From it come the function, the alias, the
version resource the alias points to, the CodeDeploy application and deployment group, and the hooks.
The deployment group's declared properties (AlarmConfiguration, AutoRollbackConfiguration,
DeploymentConfigName) are kept because a target may drop some of them; and for each alarm of the group,
the paths of its properties that the template derives from the version resource (``!GetAtt
Fn.Version.Version`` on an ExecutedVersion dimension, ``!Ref`` of the version for its ARN), so a
rollout can update them the way a stack update would, before traffic shifts.

The stack is duck-typed (the inner room does not import the deployer): any object with ``design``,
``resources`` (logical id -> physical_id, properties) and ``template.resources`` (logical id ->
resource_type, properties, update_policy) will do.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pytest_infra_parity.errors import DesignError
from pytest_infra_parity.sim.codedeploy import DeploymentConfig, config_from_api

__all__ = ["AlarmTemplate", "CanaryBinding", "CanarySettings", "binding_from_stack", "canary_settings",
           "with_version"]

ALIAS_UPDATE = "CodeDeployLambdaAliasUpdate"
Path = tuple[str | int, ...]


class _Decl(Protocol):
    @property
    def resource_type(self) -> str: ...

    @property
    def properties(self) -> dict[str, Any]: ...

    @property
    def update_policy(self) -> dict[str, Any] | None: ...


class _Template(Protocol):
    @property
    def resources(self) -> Mapping[str, _Decl]: ...


class _Resource(Protocol):
    @property
    def physical_id(self) -> str: ...

    @property
    def properties(self) -> dict[str, Any]: ...


class StackLike(Protocol):
    """The parts of a deployed ``Stack`` the sim room reads."""

    @property
    def name(self) -> str: ...

    @property
    def design(self) -> str | None: ...

    @property
    def template(self) -> _Template: ...

    @property
    def resources(self) -> Mapping[str, _Resource]: ...


@dataclass(frozen=True)
class AlarmTemplate:
    """An alarm as the template declares it (intrinsics resolved), and where it names the version."""

    logical_id: str
    name: str
    properties: dict[str, Any]
    version_paths: tuple[Path, ...] = ()
    arn_paths: tuple[Path, ...] = ()

    @property
    def derived(self) -> bool:
        return bool(self.version_paths or self.arn_paths)


@dataclass(frozen=True)
class CanarySettings:
    """The design's ``canary`` section, validated."""

    function: str | None = None
    metric_delay_seconds: float = 0.0
    runs: int = 100
    confidence: float = 0.95
    deployment_configs: dict[str, DeploymentConfig] = field(default_factory=dict)


@dataclass(frozen=True)
class CanaryBinding:
    """The function, alias, CodeDeploy group and alarms of one traffic-shifted function of a stack."""

    stack: str
    design: str
    function_logical_id: str
    function_name: str
    alias: str
    declared_version: str
    version_logical_id: str | None
    application: str | None
    deployment_group: str | None
    declared_group: dict[str, Any]
    hooks: dict[str, str]
    alarms: dict[str, AlarmTemplate]
    settings: CanarySettings


def canary_settings(section: Any, design: str) -> CanarySettings:
    """Validate ``canary:`` (function, metric_delay_seconds, runs, confidence, deployment_configs)."""
    if section is None:
        return CanarySettings()
    where = f"design {design}: canary"
    if not isinstance(section, Mapping):
        raise DesignError(f"{where} must be a mapping")
    known = {"function", "metric_delay_seconds", "runs", "confidence", "deployment_configs"}
    unknown = sorted(set(section) - known)
    if unknown:
        raise DesignError(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    configs = section.get("deployment_configs") or {}
    if not isinstance(configs, Mapping):
        raise DesignError(f"{where}.deployment_configs must map names to trafficRoutingConfig mappings")
    try:
        settings = CanarySettings(
            None if section.get("function") is None else str(section["function"]),
            float(section.get("metric_delay_seconds", 0.0)), int(section.get("runs", 100)),
            float(section.get("confidence", 0.95)),
            {str(name): config_from_api(str(name), body) for name, body in configs.items()})
    except (TypeError, ValueError, AttributeError) as exc:
        raise DesignError(f"{where}: {exc}") from None
    if settings.runs < 1 or not 0 < settings.confidence <= 1 or settings.metric_delay_seconds < 0:
        raise DesignError(f"{where}: runs must be >= 1, confidence in (0, 1], metric_delay_seconds >= 0")
    return settings


def _ref(value: Any) -> str | None:
    ref = value.get("Ref") if isinstance(value, Mapping) else None
    return ref if isinstance(ref, str) else None


def _find_paths(node: Any, version_lid: str, path: Path = ()) -> tuple[list[Path], list[Path]]:
    versions: list[Path] = []
    arns: list[Path] = []
    if isinstance(node, Mapping):
        if node.get("Fn::GetAtt") in ([version_lid, "Version"], (version_lid, "Version")):
            return [path], []
        if _ref(node) == version_lid:
            return [], [path]
        items: list[tuple[str | int, Any]] = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        return [], []
    for key, child in items:
        v, a = _find_paths(child, version_lid, (*path, key))
        versions += v
        arns += a
    return versions, arns


def with_version(properties: Mapping[str, Any], template: AlarmTemplate, version: str, function_arn: str) -> dict[
        str, Any]:
    """The alarm's properties with every version-derived value set for ``version``."""
    updated = copy.deepcopy(dict(properties))
    for paths, value in ((template.version_paths, version), (template.arn_paths, f"{function_arn}:{version}")):
        for path in paths:
            node: Any = updated
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
    return updated


def _aliases(stack: StackLike) -> dict[str, _Decl]:
    return {lid: decl for lid, decl in stack.template.resources.items()
            if decl.resource_type == "AWS::Lambda::Alias" and ALIAS_UPDATE in (decl.update_policy or {})
            and lid in stack.resources}


def _choose_alias(stack: StackLike, function: str | None) -> tuple[str, _Decl]:
    aliases = _aliases(stack)
    if function is not None:
        aliases = {lid: d for lid, d in aliases.items() if _ref(d.properties.get("FunctionName")) == function}
    if len(aliases) == 1:
        return next(iter(aliases.items()))
    owners = sorted(str(_ref(d.properties.get("FunctionName"))) for d in _aliases(stack).values())
    if not aliases:
        hint = f" for function {function}" if function else ""
        raise DesignError(f"stack {stack.name} has no Lambda alias shifted by CodeDeploy{hint} (SAM AutoPublishAlias "
                          f"+ DeploymentPreference); functions with one: {', '.join(owners) or 'none'}")
    raise DesignError(f"stack {stack.name} has several functions shifted by CodeDeploy ({', '.join(owners)}): "
                      "name one with canary.function in design.yaml")


def _physical(stack: StackLike, value: Any) -> str | None:
    lid = _ref(value)
    if lid is not None and lid in stack.resources:
        return stack.resources[lid].physical_id
    return value if isinstance(value, str) else None


def _alarm_templates(stack: StackLike, names: list[str], version_lid: str | None) -> dict[str, AlarmTemplate]:
    found: dict[str, AlarmTemplate] = {}
    for lid, res in stack.resources.items():
        decl = stack.template.resources.get(lid)
        if decl is None or decl.resource_type != "AWS::CloudWatch::Alarm" or res.physical_id not in names:
            continue
        versions, arns = _find_paths(decl.properties, version_lid) if version_lid else ([], [])
        properties = {**res.properties, "AlarmName": res.physical_id}  # a generated name is the physical id
        found[res.physical_id] = AlarmTemplate(lid, res.physical_id, properties, tuple(versions), tuple(arns))
    return found


def binding_from_stack(stack: StackLike, sections: Mapping[str, Any] | None = None) -> CanaryBinding:
    """Bind to the traffic-shifted function of ``stack`` (``canary.function`` chooses among several)."""
    design = stack.design or stack.name
    settings = canary_settings((sections or {}).get("canary"), design)
    alias_lid, alias = _choose_alias(stack, settings.function)
    function_lid = str(_ref(alias.properties.get("FunctionName")))
    version_value = alias.properties.get("FunctionVersion")
    getatt = version_value.get("Fn::GetAtt") if isinstance(version_value, Mapping) else None
    version_lid = str(getatt[0]) if isinstance(getatt, list | tuple) and getatt else None
    policy = (alias.update_policy or {})[ALIAS_UPDATE]
    group_name = _physical(stack, policy.get("DeploymentGroupName"))
    group_lid = _ref(policy.get("DeploymentGroupName"))
    declared = dict(stack.resources[group_lid].properties) if group_lid and group_lid in stack.resources else {}
    alarm_names = [str(a.get("Name")) for a in (declared.get("AlarmConfiguration") or {}).get("Alarms") or []]
    hooks = {event: str(_physical(stack, policy[key])) for event, key in (
        ("BeforeAllowTraffic", "BeforeAllowTrafficHook"), ("AfterAllowTraffic", "AfterAllowTrafficHook"))
        if policy.get(key) is not None}
    resolved_alias = stack.resources[alias_lid].properties
    return CanaryBinding(
        stack=stack.name, design=design, function_logical_id=function_lid,
        function_name=stack.resources[function_lid].physical_id, alias=str(resolved_alias.get("Name")),
        declared_version=str(resolved_alias.get("FunctionVersion")), version_logical_id=version_lid,
        application=_physical(stack, policy.get("ApplicationName")), deployment_group=group_name,
        declared_group=declared, hooks=hooks, alarms=_alarm_templates(stack, alarm_names, version_lid),
        settings=settings)
