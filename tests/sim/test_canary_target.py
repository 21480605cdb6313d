"""The canary emulation bound to resources on a moto server: reads the configuration, writes outcomes back."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import boto3
import pytest

from pytest_infra_parity.errors import DesignError, TargetError
from pytest_infra_parity.sim.canary_binding import CanaryBinding, binding_from_stack, canary_settings
from pytest_infra_parity.sim.canary_controller import CanaryController
from pytest_infra_parity.sim.canary_wallclock import WallClockCanary
from pytest_infra_parity.sim.clock import VirtualClock
from pytest_infra_parity.sim.traffic import TrafficSpec

from .test_codedeploy import alarm

REGION = "us-east-1"


class Spy:
    """A client that records the calls named in ``watch`` before making them."""

    def __init__(self, client: Any, calls: list[tuple[str, dict[str, Any]]], watch: set[str]) -> None:
        self._client, self._calls, self._watch = client, calls, watch

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if name not in self._watch:
            return attr

        def call(**kwargs: Any) -> Any:
            self._calls.append((name, kwargs))
            return attr(**kwargs)

        return call


@pytest.fixture(scope="module")
def calls() -> list[tuple[str, dict[str, Any]]]:
    return []


@pytest.fixture(scope="module")
def clients(moto_endpoint: str, calls: list[tuple[str, dict[str, Any]]]) -> Callable[[str], Any]:
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    cache: dict[str, Any] = {}

    def factory(service: str) -> Any:
        if service not in cache:
            cache[service] = Spy(session.client(service, endpoint_url=moto_endpoint), calls,
                                 {"update_alias", "set_alarm_state", "put_metric_alarm", "publish_version"})
        return cache[service]

    return factory


def _decl(resource_type: str, properties: dict[str, Any], update_policy: Any = None) -> Any:
    return SimpleNamespace(resource_type=resource_type, properties=properties, update_policy=update_policy)


def make_stack(clients: Callable[[str], Any]) -> Any:
    """A function behind a `live` alias shifted by CodeDeploy, watched by an ExecutedVersion alarm."""
    suffix = uuid.uuid4().hex[:8]
    fn, app, group, alarm_name = f"canary-{suffix}", f"app-{suffix}", f"group-{suffix}", f"err-{suffix}"
    role = clients("iam").create_role(RoleName=f"r-{suffix}", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return 1\n")
    lam = clients("lambda")
    lam.create_function(FunctionName=fn, Runtime="python3.12", Role=role, Handler="index.handler",
                        Code={"ZipFile": code.getvalue()})
    lam.publish_version(FunctionName=fn)
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
    group_props = {"AlarmConfiguration": {"Enabled": True, "Alarms": [{"Name": alarm_name}]},
                   "AutoRollbackConfiguration": {"Enabled": True, "Events": ["DEPLOYMENT_STOP_ON_ALARM"]},
                   "DeploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes"}
    codedeploy = clients("codedeploy")
    codedeploy.create_application(applicationName=app, computePlatform="Lambda")
    codedeploy.create_deployment_group(
        applicationName=app, deploymentGroupName=group, serviceRoleArn=role,
        deploymentConfigName=group_props["DeploymentConfigName"],
        alarmConfiguration={"enabled": True, "alarms": [{"name": alarm_name}]},
        autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_STOP_ON_ALARM"]},
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"})
    resolved = {**alarm("1"), "AlarmName": alarm_name}
    resolved.pop("StateValue")
    for query in resolved["Metrics"][1:]:
        query["MetricStat"]["Metric"]["Dimensions"] = [
            {"Name": "FunctionName", "Value": fn}, {"Name": "Resource", "Value": f"{fn}:live"},
            {"Name": "ExecutedVersion", "Value": "1"}]
    clients("cloudwatch").put_metric_alarm(**resolved)
    raw = json.loads(json.dumps(resolved))
    for query in raw["Metrics"][1:]:
        query["MetricStat"]["Metric"]["Dimensions"][2]["Value"] = {"Fn::GetAtt": ["FnVersion", "Version"]}
    policy = {"CodeDeployLambdaAliasUpdate": {"ApplicationName": {"Ref": "App"},
                                              "DeploymentGroupName": {"Ref": "Group"},
                                              "BeforeAllowTrafficHook": {"Ref": "PreHook"}}}
    template = {
        "Fn": _decl("AWS::Lambda::Function", {}),
        "FnVersion": _decl("AWS::Lambda::Version", {"FunctionName": {"Ref": "Fn"}}),
        "Alias": _decl("AWS::Lambda::Alias", {"FunctionName": {"Ref": "Fn"}, "Name": "live",
                                              "FunctionVersion": {"Fn::GetAtt": ["FnVersion", "Version"]}}, policy),
        "App": _decl("AWS::CodeDeploy::Application", {}),
        "PreHook": _decl("AWS::Lambda::Function", {}),
        "Group": _decl("AWS::CodeDeploy::DeploymentGroup", {}),
        "Alarm": _decl("AWS::CloudWatch::Alarm", raw)}
    physical = {"Fn": (fn, {}), "PreHook": ("CodeDeployHook_pre", {}), "FnVersion": (f"{fn}:1", {}),
                "App": (app, {}), "Group": (group, group_props),
                "Alias": (f"{fn}:live", {"FunctionName": fn, "Name": "live", "FunctionVersion": "1"}),
                "Alarm": (alarm_name, resolved)}
    return SimpleNamespace(name=f"stack-{suffix}", design="probe", template=SimpleNamespace(resources=template),
                           resources={k: SimpleNamespace(physical_id=p, properties=props)
                                      for k, (p, props) in physical.items()})


@pytest.fixture
def binding(clients: Callable[[str], Any]) -> CanaryBinding:
    return binding_from_stack(make_stack(clients))


def controller(clients: Callable[[str], Any], binding: CanaryBinding) -> CanaryController:
    return CanaryController(clients, binding, clock=VirtualClock(seed=4), traffic=lambda: TrafficSpec(20))


def _alarm(clients: Callable[[str], Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = clients("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
    return found


def _executed_version(found: dict[str, Any]) -> str:
    dimensions = found["Metrics"][1]["MetricStat"]["Metric"]["Dimensions"]
    return str(next(d["Value"] for d in dimensions if d["Name"] == "ExecutedVersion"))


def test_the_binding_reads_the_stack(binding: CanaryBinding) -> None:
    assert binding.alias == "live" and binding.declared_version == "1"
    assert binding.version_logical_id == "FnVersion"
    assert binding.hooks == {"BeforeAllowTraffic": "CodeDeployHook_pre"}
    template = next(iter(binding.alarms.values()))
    assert template.version_paths == (("Metrics", 1, "MetricStat", "Metric", "Dimensions", 2, "Value"),
                                      ("Metrics", 2, "MetricStat", "Metric", "Dimensions", 2, "Value"))


def test_a_failing_canary_is_rolled_back_on_the_target(clients: Callable[[str], Any], binding: CanaryBinding,
                                                       calls: list[tuple[str, dict[str, Any]]]) -> None:
    calls.clear()
    outcome = controller(clients, binding).rollout("v2", "CodeDeployDefault.LambdaCanary10Percent5Minutes", 0.05)
    assert outcome.rolled_back and outcome.rollout.new_version == "2"
    routes = [(c["FunctionVersion"], c["RoutingConfig"]["AdditionalVersionWeights"])
              for name, c in calls if name == "update_alias"]
    assert routes == [("1", {"2": 0.1}), ("1", {})]
    states = [c["StateValue"] for name, c in calls if name == "set_alarm_state"]
    assert states == ["ALARM"]
    # the alarm was pointed at version 2 before the first shift, and back at 1 after the rollback
    versions = [_executed_version(c) for name, c in calls if name == "put_metric_alarm"]
    assert versions == ["2", "1"]
    live = clients("lambda").get_alias(FunctionName=binding.function_name, Name="live")
    assert live["FunctionVersion"] == "1" and not (live.get("RoutingConfig") or {}).get("AdditionalVersionWeights")
    assert any("taken from the design's template" in note for note in outcome.notes)  # moto drops the alarms
    hooks = [e.detail["function"] for e in outcome.events if e.kind == "hook"]
    assert hooks == ["CodeDeployHook_pre"]


def test_a_healthy_canary_moves_the_alias_and_restore_puts_the_stack_back(
        clients: Callable[[str], Any], binding: CanaryBinding) -> None:
    bound = controller(clients, binding)
    outcome = bound.rollout("v2", "Linear10PercentEvery1Minute", 0.0)
    assert outcome.succeeded
    name = binding.function_name
    assert clients("lambda").get_alias(FunctionName=name, Name="live")["FunctionVersion"] == "2"
    alarm_name = next(iter(binding.alarms))
    assert _executed_version(_alarm(clients, alarm_name)) == "2"
    bound.restore()
    assert clients("lambda").get_alias(FunctionName=name, Name="live")["FunctionVersion"] == "1"
    assert _executed_version(_alarm(clients, alarm_name)) == "1"


def test_the_analysis_does_not_touch_the_target(clients: Callable[[str], Any], binding: CanaryBinding,
                                                calls: list[tuple[str, dict[str, Any]]]) -> None:
    calls.clear()
    result = controller(clients, binding).analyze(0.05)
    assert result.detected
    assert calls == []
    versions = clients("lambda").list_versions_by_function(FunctionName=binding.function_name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1"]


def test_the_wall_clock_rollout_ends_its_bounded_wait_on_moto(clients: Callable[[str], Any],
                                                              binding: CanaryBinding) -> None:
    ticks = iter(range(100))
    canary = WallClockCanary(clients, binding, poll_seconds=1, timeout_seconds=3, sleep=lambda s: None,
                             now=lambda: float(next(ticks)))
    with pytest.raises(TargetError, match=r"is still Created after 3 s \(bounded wait 3 s\).*never runs it"):
        canary.rollout("v2", "Canary10Percent5Minutes", 5)
    configuration = clients("lambda").get_function_configuration(FunctionName=binding.function_name)
    assert configuration["Environment"]["Variables"]["INFRA_PARITY_FAILURE_PERCENT"] == "5"


def test_stacks_without_a_shifted_alias_and_bad_sections_are_clear_errors(clients: Callable[[str], Any]) -> None:
    stack = make_stack(clients)
    with pytest.raises(DesignError, match="no Lambda alias shifted by CodeDeploy for function Other"):
        binding_from_stack(stack, {"canary": {"function": "Other"}})
    with pytest.raises(DesignError, match=r"unknown key.*speed"):
        canary_settings({"speed": 1}, "d")
    with pytest.raises(DesignError, match="runs must be >= 1"):
        canary_settings({"runs": 0}, "d")
    custom = canary_settings({"deployment_configs": {"Five": {"type": "TimeBasedCanary", "timeBasedCanary": {
        "canaryPercentage": 5, "canaryInterval": 3}}}}, "d")
    assert custom.deployment_configs["Five"].shifts() == ((0.0, 0.05), (180.0, 1.0))
