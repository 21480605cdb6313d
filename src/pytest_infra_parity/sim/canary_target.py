"""The canary emulation's link to the target: read the deployed configuration, write the outcome back.

Reads: the alias (version and RoutingConfig), the deployment group (alarm configuration, automatic
rollback), the alarms as ``describe_alarms`` stores them, and custom deployment configurations.
Writes: a rollout publishes a version (after a configuration change, as a code update would: Lambda
publishes no version when nothing changed), updates the alarms the template derives from the version
(a stack update does that before CodeDeploy shifts traffic), then ``update_alias`` with
``RoutingConfig.AdditionalVersionWeights`` at each shift and the final or rolled-back
``FunctionVersion``, and ``set_alarm_state`` at each alarm transition. :meth:`CanaryTarget.restore`
puts the alias and the alarms back as the stack declares them.

The client factory is ``service -> boto3 client``; errors are duck-typed (no botocore import).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.errors import DeployError
from pytest_infra_parity.sim.alarms import Transition
from pytest_infra_parity.sim.canary_binding import CanaryBinding, with_version
from pytest_infra_parity.sim.canary_watch import WatchedAlarm
from pytest_infra_parity.sim.codedeploy import DeploymentConfig, GroupSettings, config_from_api

__all__ = ["ALARM_KEYS", "CanaryTarget", "LiveAlias", "error_code"]

Clients = Callable[[str], Any]
ALARM_KEYS = frozenset({
    "AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions", "InsufficientDataActions",
    "MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit",
    "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData",
    "EvaluateLowSampleCountPercentile", "Metrics", "ThresholdMetricId"})
"""PutMetricAlarm's parameters: AWS::CloudWatch::Alarm properties of the same names (Tags left out)."""


def error_code(exc: BaseException) -> str | None:
    code = getattr(exc, "response", {}).get("Error", {}).get("Code")
    return None if code is None else str(code)


@dataclass(frozen=True)
class LiveAlias:
    version: str
    weights: dict[str, float]


@dataclass
class CanaryTarget:
    """Reads and writes one :class:`CanaryBinding` on a target through ``clients``."""

    clients: Clients
    binding: CanaryBinding
    notes: list[str] = field(default_factory=list)
    _original_states: dict[str, str] = field(default_factory=dict)

    def alias(self) -> LiveAlias:
        got = self.clients("lambda").get_alias(FunctionName=self.binding.function_name, Name=self.binding.alias)
        weights = (got.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        return LiveAlias(str(got["FunctionVersion"]), {str(k): float(v) for k, v in weights.items()})

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def group_settings(self) -> GroupSettings:
        """The group's alarms and rollback as the target answers, completed from the template where it lacks them."""
        b = self.binding
        live: Mapping[str, Any] = {}
        if b.application and b.deployment_group:
            live = self.clients("codedeploy").get_deployment_group(
                applicationName=b.application, deploymentGroupName=b.deployment_group)["deploymentGroupInfo"]
        alarm_config = live.get("alarmConfiguration") or {}
        rollback = live.get("autoRollbackConfiguration") or {}
        declared = b.declared_group
        if not alarm_config.get("alarms") and declared.get("AlarmConfiguration"):
            # moto: get_deployment_group answers alarmConfiguration as {} whatever was declared.
            alarm_config = declared["AlarmConfiguration"]
            self._note(f"the target answered no alarm configuration for deployment group {b.deployment_group}; "
                       "the alarms and their Enabled flag are taken from the design's template")
        if not rollback and declared.get("AutoRollbackConfiguration"):
            rollback = declared["AutoRollbackConfiguration"]
            self._note("the target answered no automatic rollback configuration; it is taken from the template")
        return GroupSettings.from_api(alarm_config, rollback, b.hooks)

    def deployment_config_name(self) -> str:
        """The group's configuration: the target's answer, else the template's, else CodeDeploy's default."""
        b = self.binding
        if b.application and b.deployment_group:
            live = self.clients("codedeploy").get_deployment_group(
                applicationName=b.application, deploymentGroupName=b.deployment_group)["deploymentGroupInfo"]
            if live.get("deploymentConfigName"):
                return str(live["deploymentConfigName"])
        return str(b.declared_group.get("DeploymentConfigName") or "CodeDeployDefault.LambdaAllAtOnce")

    def lookup_config(self, name: str) -> DeploymentConfig | None:
        """A custom configuration created on the target (None where the target has no such API)."""
        try:
            info = self.clients("codedeploy").get_deployment_config(deploymentConfigName=name)
        except Exception as exc:  # duck-typed: a missing config or an API the target lacks is "not there"
            # moto: get_deployment_config answers 500 (not implemented): custom configs come from the design.
            code = error_code(exc)
            if code in ("DeploymentConfigDoesNotExistException", "InvalidDeploymentConfigNameException") or \
                    getattr(exc, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode") in (500, 501):
                return None
            raise
        return config_from_api(name, info.get("deploymentConfigInfo") or {})

    def alarms(self, names: tuple[str, ...]) -> list[dict[str, Any]]:
        """The alarms as ``describe_alarms`` stores them; a missing one is a clear error."""
        if not names:
            return []
        found = self.clients("cloudwatch").describe_alarms(AlarmNames=list(names)).get("MetricAlarms") or []
        by_name = {a["AlarmName"]: a for a in found}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise DeployError(f"deployment group {self.binding.deployment_group} watches alarm(s) "
                              f"{', '.join(missing)} that the target does not have")
        for name, alarm in by_name.items():
            self._original_states.setdefault(name, str(alarm.get("StateValue") or "INSUFFICIENT_DATA"))
        return [by_name[n] for n in names]

    def publish(self, label: str) -> str:
        """Change the function's configuration (as new code would) and publish a version."""
        lam = self.clients("lambda")
        name = self.binding.function_name
        description = f"infra-parity rollout {label}"[:256]
        lam.update_function_configuration(FunctionName=name, Description=description)
        lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        return str(lam.publish_version(FunctionName=name, Description=description)["Version"])

    def function_arn(self) -> str:
        got = self.clients("lambda").get_function(FunctionName=self.binding.function_name)
        return str(got["Configuration"]["FunctionArn"]).split(":$")[0]

    def derived_alarms(self, version: str) -> dict[str, dict[str, Any]]:
        """The version-derived alarms' properties for ``version`` (not written)."""
        arn = self.function_arn()
        return {name: with_version(t.properties, t, version, arn)
                for name, t in self.binding.alarms.items() if t.derived}

    def put_alarms(self, definitions: Mapping[str, Mapping[str, Any]]) -> None:
        cloudwatch = self.clients("cloudwatch")
        for props in definitions.values():
            cloudwatch.put_metric_alarm(**{k: v for k, v in props.items() if k in ALARM_KEYS})

    def route(self, primary: str, additional: dict[str, float]) -> None:
        self.clients("lambda").update_alias(FunctionName=self.binding.function_name, Name=self.binding.alias,
                                            FunctionVersion=primary,
                                            RoutingConfig={"AdditionalVersionWeights": dict(additional)})

    def set_state(self, alarm: WatchedAlarm, transition: Transition) -> None:
        data = {"version": "1.0", "emulated": True, "newState": transition.new_state}
        self.clients("cloudwatch").set_alarm_state(AlarmName=alarm.name, StateValue=transition.new_state,
                                                   StateReason=transition.reason[:1023],
                                                   StateReasonData=json.dumps(data))

    def restore(self) -> None:
        """The alias and the version-derived alarms as the stack declares them, the alarm states as found."""
        b = self.binding
        self.route(b.declared_version, {})
        self.put_alarms({n: t.properties for n, t in b.alarms.items() if t.derived})
        cloudwatch = self.clients("cloudwatch")
        for name, state in self._original_states.items():
            cloudwatch.set_alarm_state(AlarmName=name, StateValue=state,
                                       StateReason="infra-parity: restored after the emulated rollout")
