"""CloudWatch alarm provisioner on the moto server: single-metric and metric-math alarms."""

from __future__ import annotations

from typing import Any

from ._support import Build, Clients, assert_deleted, create

TOPIC = "arn:aws:sns:us-east-1:123456789012:c1-alarms"

ERRORS: dict[str, Any] = {
    "Id": "errors",
    "MetricStat": {
        "Metric": {
            "Namespace": "AWS/Lambda",
            "MetricName": "Errors",
            "Dimensions": [{"Name": "FunctionName", "Value": "orders"}],
        },
        "Period": "60",
        "Stat": "Sum",
    },
    "ReturnData": False,
}
INVOCATIONS: dict[str, Any] = {
    **ERRORS,
    "Id": "invocations",
    "MetricStat": {
        **ERRORS["MetricStat"],
        "Metric": {**ERRORS["MetricStat"]["Metric"], "MetricName": "Invocations"},
    },
}
RATE: dict[str, Any] = {
    "Id": "rate",
    "Expression": "100 * errors / invocations",
    "Label": "Error rate",
    "ReturnData": True,
}


def _alarms(cw: Any, name: str) -> list[dict[str, Any]]:
    return list(cw.describe_alarms(AlarmNames=[name])["MetricAlarms"])


def test_metric_math_alarm(make_request: Build, clients: Clients) -> None:
    cw = clients("cloudwatch")
    prov, req, result = create(
        make_request,
        "ErrorRate",
        "AWS::CloudWatch::Alarm",
        {
            "AlarmDescription": "more than 5% of the orders fail",
            "ActionsEnabled": "true",
            "AlarmActions": [TOPIC],
            "OKActions": [TOPIC],
            "EvaluationPeriods": "3",
            "DatapointsToAlarm": 2,
            "Threshold": "5",
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
            "Metrics": [ERRORS, INVOCATIONS, RATE],
            "Tags": [{"Key": "team", "Value": "orders"}],
        },
    )
    name = result.physical_id
    assert name.startswith(f"{req.stack_name}-ErrorRate-")
    assert result.attributes["Arn"] == f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}"
    assert prov.verify(req, result) == []

    alarm = _alarms(cw, name)[0]
    assert alarm["Threshold"] == 5.0
    assert [m["Id"] for m in alarm["Metrics"]] == ["errors", "invocations", "rate"]
    assert alarm["Metrics"][2]["Expression"] == "100 * errors / invocations"
    tags = cw.list_tags_for_resource(ResourceARN=result.attributes["Arn"])["Tags"]
    assert {"Key": "team", "Value": "orders"} in tags

    # rewrite the alarm out of band with another expression and threshold
    changed = {**RATE, "Expression": "errors / invocations"}
    cw.put_metric_alarm(
        AlarmName=name,
        EvaluationPeriods=3,
        DatapointsToAlarm=2,
        Threshold=10.0,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
        AlarmDescription="more than 5% of the orders fail",
        AlarmActions=[TOPIC],
        OKActions=[TOPIC],
        Metrics=[
            {**ERRORS, "MetricStat": {**ERRORS["MetricStat"], "Period": 60}},
            {**INVOCATIONS, "MetricStat": {**INVOCATIONS["MetricStat"], "Period": 60}},
            changed,
        ],
    )
    cw.untag_resource(ResourceARN=result.attributes["Arn"], TagKeys=["team"])
    problems = prov.verify(req, result)
    assert "Threshold is 10.0, declared 5.0" in problems
    assert any(p.startswith("Metrics is") and "errors / invocations" in p for p in problems)
    assert any("'team' is missing" in p for p in problems)

    assert_deleted(prov, req, result, gone=lambda: _alarms(cw, name) == [])


def test_single_metric_alarm(make_request: Build, clients: Clients) -> None:
    cw = clients("cloudwatch")
    prov, req, result = create(
        make_request,
        "Throttles",
        "AWS::CloudWatch::Alarm",
        {
            "AlarmName": "c1-throttles",
            "Namespace": "AWS/DynamoDB",
            "MetricName": "ThrottledRequests",
            "Dimensions": [{"Name": "TableName", "Value": "orders"}],
            "Statistic": "Sum",
            "Period": 300,
            "Unit": "Count",
            "EvaluationPeriods": 1,
            "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold",
            "InsufficientDataActions": [TOPIC],
        },
    )
    assert result.physical_id == "c1-throttles"
    assert prov.verify(req, result) == []
    assert _alarms(cw, "c1-throttles")[0]["Dimensions"] == [{"Name": "TableName", "Value": "orders"}]

    cw.put_metric_alarm(
        AlarmName="c1-throttles",
        Namespace="AWS/DynamoDB",
        MetricName="ThrottledRequests",
        Dimensions=[{"Name": "TableName", "Value": "other"}],
        Statistic="Maximum",
        Period=300,
        Unit="Count",
        EvaluationPeriods=1,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
        InsufficientDataActions=[TOPIC],
        ActionsEnabled=False,
    )
    problems = prov.verify(req, result)
    assert "Statistic is 'Maximum', declared 'Sum'" in problems
    assert "ActionsEnabled is False, declared True" in problems
    assert any(p.startswith("Dimensions is") for p in problems)

    percentile = make_request(
        "P99",
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": "AWS/ApiGateway",
            "MetricName": "Latency",
            "ExtendedStatistic": "p99",
            "Period": 60,
            "EvaluationPeriods": 5,
            "Threshold": 1500,
            "ComparisonOperator": "GreaterThanThreshold",
            "EvaluateLowSampleCountPercentile": "ignore",
        },
    )
    p99 = prov.create(percentile)
    assert prov.verify(percentile, p99) == []
    assert _alarms(cw, p99.physical_id)[0]["ExtendedStatistic"] == "p99"
    for alarm_req, alarm in ((req, result), (percentile, p99)):
        prov.delete(alarm_req, alarm)
        assert _alarms(cw, alarm.physical_id) == []
