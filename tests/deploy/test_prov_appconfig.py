"""AppConfig provisioners on the moto server (environments and strategies are emulated there)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from pytest_infra_parity.deploy.provisioners import ProvisionError, ProvisionRequest, ResourceMissing
from pytest_infra_parity.deploy.provisioners._emulated import parameter_name

from ._support import Build, Clients, assert_deleted, create, error_code


def _create(make_request: Build, logical_id: str, kind: str, props: dict[str, Any]) -> Any:
    prov, req, result = create(make_request, logical_id, f"AWS::AppConfig::{kind}", props)
    return req, prov, result


def _gone(call: Callable[..., Any], **params: Any) -> bool:
    return error_code(call, **params) in ("ResourceNotFoundException", "ParameterNotFound")


def _document(clients: Clients, req: ProvisionRequest) -> dict[str, Any]:
    name = parameter_name(req.stack_name, req.logical_id)
    return dict(json.loads(clients("ssm").get_parameter(Name=name)["Parameter"]["Value"]))


def test_application_profile_and_hosted_version(make_request: Build, clients: Clients) -> None:
    ac = clients("appconfig")
    app_req, app_prov, app = _create(make_request, "App", "Application", {
        "Name": "checkout", "Description": "checkout flags", "Tags": [{"Key": "team", "Value": "pay"}],
    })  # fmt: skip
    app_id = app.physical_id
    assert app.attributes == {"ApplicationId": app_id} and len(app_id) == 7
    assert ac.get_application(ApplicationId=app_id)["Name"] == "checkout"
    arn = f"arn:aws:appconfig:us-east-1:123456789012:application/{app_id}"
    assert ac.list_tags_for_resource(ResourceArn=arn)["Tags"]["team"] == "pay"
    prof_req, prof_prov, prof = _create(make_request, "Flags", "ConfigurationProfile", {
        "ApplicationId": app_id, "Name": "flags", "LocationUri": "hosted",
        "Type": "AWS.AppConfig.FeatureFlags", "Description": "feature flags",
        "Validators": [{"Type": "JSON_SCHEMA", "Content": '{"type": "object"}'}],
        "Tags": [{"Key": "kind", "Value": "flags"}],
    })  # fmt: skip
    content = json.dumps({"flags": {"beta": {"name": "beta"}}, "values": {"beta": {"enabled": True}}})
    ver_req, ver_prov, ver = _create(make_request, "FlagsV1", "HostedConfigurationVersion", {
        "ApplicationId": app_id, "ConfigurationProfileId": prof.physical_id, "Content": content,
        "ContentType": "application/json", "Description": "first flags", "VersionLabel": "v1",
    })  # fmt: skip
    assert ver.physical_id == "1" == ver.attributes["VersionNumber"]
    live = ac.get_hosted_configuration_version(
        ApplicationId=app_id, ConfigurationProfileId=prof.physical_id, VersionNumber=1
    )
    assert live["Content"].read() == content.encode() and live["VersionLabel"] == "v1"
    profile = ac.get_configuration_profile(ApplicationId=app_id, ConfigurationProfileId=prof.physical_id)
    assert profile["Type"] == "AWS.AppConfig.FeatureFlags"
    assert profile["Validators"][0]["Type"] == "JSON_SCHEMA"
    created = [(app_req, app_prov, app), (prof_req, prof_prov, prof), (ver_req, ver_prov, ver)]
    for req, prov, result in created:
        assert prov.verify(req, result) == [], req.logical_id

    ac.update_application(ApplicationId=app_id, Description="renamed")
    ac.update_configuration_profile(
        ApplicationId=app_id, ConfigurationProfileId=prof.physical_id, Validators=[]
    )
    ac.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert app_prov.verify(app_req, app) == [
        "Description is 'renamed', declared 'checkout flags'", "tag 'team' is missing (declared 'pay')"
    ]
    assert prof_prov.verify(prof_req, prof)[0].startswith("Validators is []")
    changed = make_request("FlagsV1", ver_req.resource_type, dict(ver_req.properties, Content="{}"))
    assert ver_prov.verify(changed, ver)[0].startswith("Content is ")

    for req, prov, result in reversed(created):
        assert_deleted(prov, req, result)
    assert _gone(ac.get_application, ApplicationId=app_id)


def test_emulated_environment_and_strategy(make_request: Build, clients: Clients) -> None:
    ssm = clients("ssm")
    app_req, app_prov, app = _create(make_request, "App", "Application", {"Name": "orders"})
    monitors = [{"AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:errors",
                 "AlarmRoleArn": "arn:aws:iam::123456789012:role/appconfig-alarms"}]  # fmt: skip
    env_req, env_prov, env = _create(make_request, "Prod", "Environment", {
        "ApplicationId": app.physical_id, "Name": "prod", "Description": "production", "Monitors": monitors,
        "Tags": [{"Key": "stage", "Value": "prod"}],
    })  # fmt: skip
    strat_req, strat_prov, strat = _create(make_request, "Canary", "DeploymentStrategy", {
        "Name": "canary-10", "DeploymentDurationInMinutes": 20, "GrowthFactor": 10.0,
        "GrowthType": "EXPONENTIAL",
        "FinalBakeTimeInMinutes": "10", "ReplicateTo": "NONE", "Description": "10% canary",
    })  # fmt: skip
    assert env.attributes == {"EnvironmentId": env.physical_id}
    assert strat.attributes == {"Id": strat.physical_id}
    for result in (env, strat):
        assert len(result.physical_id) == 7 and result.physical_id.isalnum() and result.physical_id.islower()
    env_doc, strat_doc = _document(clients, env_req), _document(clients, strat_req)
    assert env_doc["physical_id"] == env.physical_id and env_doc["properties"]["Monitors"] == monitors
    assert strat_doc["properties"]["GrowthFactor"] == 10.0 and "lacks" in strat_doc["reason"]
    assert env_prov.verify(env_req, env) == [] and strat_prov.verify(strat_req, strat) == []

    strat_doc["properties"]["DeploymentDurationInMinutes"] = 1
    name = parameter_name(strat_req.stack_name, "Canary")
    ssm.put_parameter(Name=name, Value=json.dumps(strat_doc), Type="String", Overwrite=True)
    assert strat_prov.verify(strat_req, strat) == ["DeploymentDurationInMinutes (emulated) is 1, declared 20"]

    app_prov.delete(app_req, app)
    with pytest.raises(ResourceMissing, match="application"):
        env_prov.verify(env_req, env)
    with pytest.raises(ProvisionError, match="application"):
        _create(make_request, "Orphan", "Environment", {"ApplicationId": app.physical_id, "Name": "x"})

    for req, prov, result in ((env_req, env_prov, env), (strat_req, strat_prov, strat)):
        name = parameter_name(req.stack_name, req.logical_id)
        assert_deleted(prov, req, result, gone=partial(_gone, ssm.get_parameter, Name=name))
