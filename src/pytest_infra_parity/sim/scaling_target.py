"""Read a deployed ECS service's scaling configuration from the target, and write the outcome back.

Inner room: it receives a client factory (service name -> boto3 client) and the stack's resources as
plain values, never imports boto3. What it reads, with the API call: the service (``DescribeServices``),
its task definition's images (``DescribeTaskDefinition``), the target group's health checks and
deregistration delay (``DescribeTargetGroups`` / ``DescribeTargetGroupAttributes``), the scalable target,
its scheduled actions and scaling policies (Application Auto Scaling ``Describe*``) and the alarms that
act on those policies (``DescribeAlarms``, the real API shape :mod:`pytest_infra_parity.sim.alarms`
evaluates). Where the target loses part of the configuration, the declared template value is used and
:attr:`ScalingConfig.notes` says so. Writing back: ``UpdateService desiredCount`` and ``SetAlarmState``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pytest_infra_parity.errors import DesignError, TargetError
from pytest_infra_parity.sim.alb import HealthCheckSettings
from pytest_infra_parity.sim.autoscaling import ScalableTarget, StepScalingPolicy
from pytest_infra_parity.sim.ecs import StartLatency
from pytest_infra_parity.sim.scaling_config import ScalingConfig, timings_from_section
from pytest_infra_parity.sim.scaling_schedule import ScheduledAction
from pytest_infra_parity.sim.scaling_tracking import TargetTrackingPolicy

__all__ = ["ResourceRef", "ScalingBinding", "read_scaling_config"]

Clients = Callable[[str], Any]


@dataclass(frozen=True)
class ResourceRef:
    """A created stack resource, as plain values (what ``deploy.stack.StackResource`` holds)."""

    logical_id: str
    resource_type: str
    physical_id: str
    properties: Mapping[str, Any] = field(default_factory=dict)


def _code(exc: BaseException) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


def _call(what: str, call: Callable[..., Any], **params: Any) -> Any:
    try:
        return call(**params)
    except Exception as exc:  # boto errors, duck-typed: re-raised as one readable line
        if not hasattr(exc, "response"):
            raise
        raise TargetError(f"cannot read {what}: {_code(exc) or type(exc).__name__}: {exc}") from exc


def _service_ref(resources: Sequence[ResourceRef], wanted: str | None, path: str) -> ResourceRef:
    services = [r for r in resources if r.resource_type == "AWS::ECS::Service"]
    if wanted is not None:
        match = [r for r in services if r.logical_id == wanted]
        if not match:
            raise DesignError(f"scaling.service {wanted!r} is not an AWS::ECS::Service of the stack (it has: "
                              f"{', '.join(r.logical_id for r in services) or 'none'})", path=path)
        return match[0]
    if len(services) != 1:
        names = ", ".join(r.logical_id for r in services) or "none"
        raise DesignError(f"the scaling emulation needs exactly one AWS::ECS::Service, or scaling.service naming "
                          f"one; the stack has: {names}", path=path)
    return services[0]


class _Reader:
    """Reads one service's configuration; collects the notes on what came from elsewhere."""

    def __init__(self, clients: Clients, service: ResourceRef) -> None:
        self.clients, self.ref = clients, service
        self.notes: list[str] = []
        cluster = str(service.properties.get("Cluster") or "default")
        self.cluster = cluster.rsplit("/", 1)[-1]
        described = _call(f"ECS service {service.logical_id}", clients("ecs").describe_services,
                          cluster=self.cluster, services=[service.physical_id])
        if not described.get("services"):
            raise TargetError(f"ECS service {service.logical_id} ({service.physical_id}) is not on the target")
        self.service: Mapping[str, Any] = described["services"][0]
        self.name = str(self.service["serviceName"])
        self.resource_id = f"service/{self.cluster}/{self.name}"

    def grace_period(self) -> float:
        if "healthCheckGracePeriodSeconds" in self.service:
            return float(self.service["healthCheckGracePeriodSeconds"])
        declared = self.ref.properties.get("HealthCheckGracePeriodSeconds")
        if declared is not None:
            # moto: a service created with healthCheckGracePeriodSeconds may describe without it.
            self.notes.append(f"{self.ref.logical_id}: healthCheckGracePeriodSeconds taken from the template "
                              f"({declared}): the target did not return it")
            return float(declared)
        return 0.0

    def start_latency(self) -> StartLatency:
        arn = self.service.get("taskDefinition")
        if not arn:
            return StartLatency.for_images([])
        task = _call("the task definition", self.clients("ecs").describe_task_definition, taskDefinition=arn)
        images = [str(c.get("image", "")) for c in task["taskDefinition"].get("containerDefinitions", [])]
        return StartLatency.for_images(images)

    def target_group(self, initial: str) -> tuple[HealthCheckSettings, float]:
        balancers = self.service.get("loadBalancers") or []
        arn = next((b.get("targetGroupArn") for b in balancers if b.get("targetGroupArn")), None)
        if arn is None:
            raise DesignError(f"ECS service {self.ref.logical_id} has no target group: the scaling emulation "
                              "needs an Application Load Balancer in front of it")
        elbv2 = self.clients("elbv2")
        group = _call("the target group", elbv2.describe_target_groups, TargetGroupArns=[arn])["TargetGroups"][0]
        attributes = _call("the target group attributes", elbv2.describe_target_group_attributes, TargetGroupArn=arn)
        delay = next((a["Value"] for a in attributes.get("Attributes", [])
                      if a["Key"] == "deregistration_delay.timeout_seconds"), "300")
        return HealthCheckSettings.from_api(group, initial=initial), float(delay)

    def scalable_target(self) -> tuple[ScalableTarget, tuple[ScheduledAction, ...]]:
        scaling = self.clients("application-autoscaling")
        found = _call("the scalable target", scaling.describe_scalable_targets, ServiceNamespace="ecs",
                      ResourceIds=[self.resource_id], ScalableDimension="ecs:service:DesiredCount")
        targets = [t for t in found.get("ScalableTargets", []) if t.get("ResourceId") == self.resource_id]
        if not targets:
            raise DesignError(f"ECS service {self.ref.logical_id} ({self.resource_id}) is not a scalable target: "
                              "register it with AWS::ApplicationAutoScaling::ScalableTarget")
        actions = _call("the scheduled actions", scaling.describe_scheduled_actions, ServiceNamespace="ecs",
                        ResourceId=self.resource_id, ScalableDimension="ecs:service:DesiredCount")
        scheduled = tuple(ScheduledAction.from_api(a) for a in actions.get("ScheduledActions", [])
                          if a.get("ResourceId") == self.resource_id)
        return ScalableTarget.from_api(targets[0]), scheduled

    def policies(self) -> list[Mapping[str, Any]]:
        """The target's policies, filtered on the exact ResourceId."""
        # moto: DescribeScalingPolicies matches ResourceId as a substring.
        pages = self.clients("application-autoscaling").get_paginator("describe_scaling_policies").paginate(
            ServiceNamespace="ecs", ResourceId=self.resource_id, ScalableDimension="ecs:service:DesiredCount")
        try:
            return [p for page in pages for p in page.get("ScalingPolicies", [])
                    if p.get("ResourceId") == self.resource_id]
        except Exception as exc:  # boto errors, duck-typed
            if not hasattr(exc, "response"):
                raise
            raise TargetError(f"cannot read the scaling policies of {self.resource_id}: {exc}") from exc

    def alarms(self, policy_arns: set[str], extra: set[str]) -> list[dict[str, Any]]:
        pages = self.clients("cloudwatch").get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm"])
        found = []
        # moto: step policies list no alarm (AWS lists the alarms that invoke them): linked by AlarmActions.
        for page in pages:
            for alarm in page.get("MetricAlarms", []):
                acts = {str(a) for key in ("AlarmActions", "OKActions", "InsufficientDataActions")
                        for a in alarm.get(key) or []}
                if acts & policy_arns or alarm.get("AlarmName") in extra:
                    found.append(dict(alarm))
        return found


def _tracking_alarms(policy: TargetTrackingPolicy, api: Mapping[str, Any], existing: Mapping[str, Mapping[str, Any]],
                     notes: list[str]) -> list[dict[str, Any]]:
    """The managed alarms: as the target has them when they track the right metric, else rebuilt."""
    listed = [str(a["AlarmName"]) for a in api.get("Alarms") or []]
    high, low = policy.managed_alarms()
    names = {"AlarmHigh": next((n for n in listed if "AlarmHigh" in n), None),
             "AlarmLow": next((n for n in listed if "AlarmLow" in n), None)}
    out = []
    for rebuilt, kind in ((high, "AlarmHigh"), (low, "AlarmLow")):
        live = existing.get(names[kind] or "")
        if live is not None and live.get("MetricName") == policy.metric.name and \
                live.get("Namespace") == policy.metric.namespace:
            out.append(dict(live))
            continue
        if names[kind]:
            rebuilt = {**rebuilt, "AlarmName": names[kind]}
        out.append(rebuilt)
        # moto: creates the managed alarms on AWS/ECS CPUUtilization with threshold 6 whatever the policy
        # tracks; they are rebuilt from the policy as AWS defines them.
        notes.append(f"{kind} of target tracking policy {policy.name} rebuilt from the policy "
                     f"({policy.metric.name} {'>' if kind == 'AlarmHigh' else '<'} {rebuilt['Threshold']:g}, "
                     f"{rebuilt['EvaluationPeriods']} x 60 s): the target's alarm does not track that metric")
    return out


def read_scaling_config(clients: Clients, resources: Sequence[ResourceRef], *, section: Any = None,
                        section_path: str = "design.yaml", requests_per_second: float = 0.1) -> ScalingConfig:
    """The :class:`ScalingConfig` of the stack's ECS service, read from the target."""
    wanted = section.get("service") if isinstance(section, Mapping) else None
    reader = _Reader(clients, _service_ref(resources, wanted, section_path))
    timings = timings_from_section(section, section_path, grace_period=reader.grace_period(),
                                   start_latency=reader.start_latency())
    health, delay = reader.target_group(timings.initial_health_checks)
    target, scheduled = reader.scalable_target()
    policies = reader.policies()
    steps = tuple(StepScalingPolicy.from_api(p) for p in policies if p.get("PolicyType") == "StepScaling")
    tracking = tuple(TargetTrackingPolicy.from_api(p) for p in policies
                     if p.get("PolicyType") == "TargetTrackingScaling")
    managed = {str(a["AlarmName"]) for p in policies for a in p.get("Alarms") or []}
    stack_alarms = {r.physical_id for r in resources if r.resource_type == "AWS::CloudWatch::Alarm"}
    live = reader.alarms({p.arn for p in steps}, stack_alarms | managed)
    by_name = {str(a["AlarmName"]): a for a in live}
    alarms: list[Mapping[str, Any]] = [a for name, a in by_name.items() if name not in managed]
    for policy, api in zip(tracking, [p for p in policies if p.get("PolicyType") == "TargetTrackingScaling"],
                           strict=True):
        alarms += _tracking_alarms(policy, api, by_name, reader.notes)
    # moto: creates alarms in OK (AWS: INSUFFICIENT_DATA); the emulation starts them as AWS does.
    if any(a.get("StateValue") not in (None, "INSUFFICIENT_DATA") for a in live):
        reader.notes.append("the emulation starts every alarm in INSUFFICIENT_DATA, the state of a new alarm "
                            "(moto creates alarms in OK)")
    return ScalingConfig(
        service=reader.name, target=target, step_policies=steps, tracking_policies=tracking, alarms=tuple(alarms),
        health=health, deregistration_delay=delay, initial_desired=int(reader.service.get("desiredCount", 1)),
        timings=timings, scheduled=scheduled, requests_per_second=requests_per_second, notes=tuple(reader.notes))


class ScalingBinding:
    """Writes the emulation's outcome to the target: desired count and alarm states."""

    def __init__(self, clients: Clients, cluster: str, service: str, alarm_names: Sequence[str]) -> None:
        self.clients, self.cluster, self.service = clients, cluster, service
        self.alarm_names = set(alarm_names)
        self.written: list[str] = []

    @classmethod
    def for_config(cls, clients: Clients, config: ScalingConfig) -> ScalingBinding:
        cluster = config.target.resource_id.split("/")[1]
        return cls(clients, cluster, config.service, [str(a["AlarmName"]) for a in config.alarms])

    def write_desired(self, count: int) -> None:
        _call(f"ECS service {self.service}", self.clients("ecs").update_service, cluster=self.cluster,
              service=self.service, desiredCount=count)
        self.written.append(f"desiredCount={count}")

    def write_alarm_state(self, name: str, state: str, reason: str, data: Mapping[str, Any] | None = None) -> None:
        """SetAlarmState (StateReasonData carries what an Auto Scaling action would need)."""
        if name not in self.alarm_names:
            return
        _call(f"alarm {name}", self.clients("cloudwatch").set_alarm_state, AlarmName=name, StateValue=state,
              StateReason=reason[:1023], StateReasonData=json.dumps(dict(data or {}))[:4000])
        self.written.append(f"{name}={state}")


def with_notes(config: ScalingConfig, *notes: str) -> ScalingConfig:
    return replace(config, notes=config.notes + tuple(notes))
