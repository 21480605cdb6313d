"""CodeDeploy provisioners on the moto server (which keeps no alarm configuration and cannot delete)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_infra_parity.deploy.provisioners import ProvisionRequest
from pytest_infra_parity.deploy.provisioners._emulated import parameter_name
from pytest_infra_parity.deploy.provisioners.codedeploy import camel

from ._support import Build, Clients, create

ROLE = "arn:aws:iam::123456789012:role/codedeploy-service"
ALARMS = {"Enabled": True, "IgnorePollAlarmFailure": False, "Alarms": [{"Name": "errors"}, {"Name": "p99"}]}


def _create(make_request: Build, logical_id: str, kind: str, props: dict[str, Any]) -> Any:
    prov, req, result = create(make_request, logical_id, f"AWS::CodeDeploy::{kind}", props)
    return req, prov, result


def _companion(clients: Clients, req: ProvisionRequest) -> dict[str, Any] | None:
    names = [parameter_name(req.stack_name, req.logical_id)]
    found = clients("ssm").get_parameters(Names=names)["Parameters"]
    return json.loads(found[0]["Value"]) if found else None


def test_camel_case_conversion() -> None:
    names = ("ECSServices", "Ec2TagFilters", "DeploymentStyle", "IgnorePollAlarmFailure")
    expected = ["ecsServices", "ec2TagFilters", "deploymentStyle", "ignorePollAlarmFailure"]
    assert [camel(n) for n in names] == expected


def test_application(make_request: Build, clients: Clients) -> None:
    cd = clients("codedeploy")
    req, prov, result = _create(make_request, "App", "Application", {
        "ComputePlatform": "Lambda", "Tags": [{"Key": "team", "Value": "orders"}],
    })  # fmt: skip
    name = result.physical_id
    assert name.startswith(f"{req.stack_name}-App-") and result.attributes == {}
    assert cd.get_application(applicationName=name)["application"]["computePlatform"] == "Lambda"
    arn = f"arn:aws:codedeploy:us-east-1:123456789012:application:{name}"
    assert {"Key": "team", "Value": "orders"} in cd.list_tags_for_resource(ResourceArn=arn)["Tags"]
    assert prov.verify(req, result) == []

    cd.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert prov.verify(req, result) == ["tag 'team' is missing (declared 'orders')"]
    server = make_request("App", req.resource_type, {"ComputePlatform": "Server"})
    assert prov.verify(server, result) == ["ComputePlatform is 'Lambda', declared 'Server'"]

    # moto has no DeleteApplication: delete is a no-op there, and a redeploy adopts the leftover.
    prov.delete(req, result)
    prov.delete(req, result)
    assert name in cd.list_applications()["applications"]
    assert prov.create(req).physical_id == name

    cd.create_application(applicationName="someone-elses", computePlatform="Server")
    foreign = make_request("Other", req.resource_type, {"ApplicationName": "someone-elses"})
    with pytest.raises(ClientError, match="AlreadyExists"):
        prov.create(foreign)


def test_deployment_group(make_request: Build, clients: Clients) -> None:
    cd, ssm = clients("codedeploy"), clients("ssm")
    app_props = {"ApplicationName": "orders-deploy", "ComputePlatform": "Lambda"}
    _, _, app = _create(make_request, "App", "Application", app_props)
    req, prov, result = _create(make_request, "Group", "DeploymentGroup", {
        "ApplicationName": app.physical_id, "ServiceRoleArn": ROLE,
        "DeploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        "DeploymentStyle": {"DeploymentType": "BLUE_GREEN", "DeploymentOption": "WITH_TRAFFIC_CONTROL"},
        "AlarmConfiguration": ALARMS,
        "AutoRollbackConfiguration": {"Enabled": "true",
                                      "Events": ["DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_FAILURE"]},
        "Tags": [{"Key": "team", "Value": "orders"}],
    })  # fmt: skip
    name = result.physical_id
    assert name.startswith(f"{req.stack_name}-Group-")
    live = cd.get_deployment_group(applicationName="orders-deploy", deploymentGroupName=name)
    live = live["deploymentGroupInfo"]
    assert live["serviceRoleArn"] == ROLE
    style = {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"}
    assert live["deploymentStyle"] == style
    assert live["autoRollbackConfiguration"]["enabled"] is True
    assert live["alarmConfiguration"] == {}  # moto drops it ...
    companion = _companion(clients, req)  # ... so it is kept in the companion document, in the API's shape
    assert companion is not None and list(companion["attributes"]["Dropped"]) == ["AlarmConfiguration"]
    kept = companion["attributes"]["Dropped"]["AlarmConfiguration"]
    alarms = [{"name": "errors"}, {"name": "p99"}]
    assert kept == {"enabled": True, "ignorePollAlarmFailure": False, "alarms": alarms}
    assert prov.verify(req, result) == []

    companion["attributes"]["Dropped"]["AlarmConfiguration"]["alarms"] = [{"name": "errors"}]
    param = parameter_name(req.stack_name, "Group")
    ssm.put_parameter(Name=param, Value=json.dumps(companion), Type="String", Overwrite=True)
    assert [p.split(" (")[0] for p in prov.verify(req, result)] == ["AlarmConfiguration"]
    ssm.delete_parameter(Name=param)
    assert prov.verify(req, result)[0].startswith("AlarmConfiguration is missing")
    other = dict(req.properties, DeploymentConfigName="CodeDeployDefault.LambdaAllAtOnce")
    other["AlarmConfiguration"] = None
    assert prov.verify(make_request("Group", req.resource_type, other), result) == [
        "DeploymentConfigName is 'CodeDeployDefault.LambdaCanary10Percent5Minutes', "
        "declared 'CodeDeployDefault.LambdaAllAtOnce'"
    ]

    # moto has no DeleteDeploymentGroup: the group stays; its companion goes; a redeploy adopts it.
    prov.delete(req, result)
    assert _companion(clients, req) is None
    prov.delete(req, result)
    assert prov.create(req).physical_id == name
    assert prov.verify(req, result) == []
    prov.delete(req, result)
