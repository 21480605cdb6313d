"""Links within an inventory: alarms to what they watch, log groups, DLQ marks, TLS-only buckets."""

from __future__ import annotations

from typing import Any

from pytest_infra_parity.inventory.links import denies_insecure_transport, link, link_alarms
from pytest_infra_parity.inventory.model import UNKNOWN, AlarmRef, Inventory, Resource
from pytest_infra_parity.inventory.template import Declared, from_declared

ACCOUNT = "123456789012"
LB_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/web/50dc6c495c0c9188"
TG_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/web-tg/73e2d6bc24d8a067"


def alarm(name: str, metric: str, dimensions: dict[str, Any], **settings: Any) -> Declared:
    props: dict[str, Any] = {"AlarmName": name, "MetricName": metric, "Namespace": settings.pop("namespace", "NS"),
                             "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()], **settings}
    return Declared(name, "AWS::CloudWatch::Alarm", props, physical_id=name)


def inventory(*items: Declared) -> Inventory:
    return from_declared(list(items), source="template", region="us-east-1", account=ACCOUNT)


def test_alarms_link_by_name_arn_and_arn_segments() -> None:
    inv = inventory(
        Declared("Fn", "AWS::Lambda::Function", {}, physical_id="orders",
                 arn=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:orders"),
        Declared("Live", "AWS::Lambda::Alias", {"FunctionName": "orders", "Name": "live"},
                 physical_id=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:orders:live"),
        Declared("Lb", "AWS::ElasticLoadBalancingV2::LoadBalancer", {}, physical_id=LB_ARN),
        Declared("Tg", "AWS::ElasticLoadBalancingV2::TargetGroup", {}, physical_id=TG_ARN),
        Declared("Table", "AWS::DynamoDB::Table", {}, physical_id="jobs",
                 arn=f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/jobs"),
        alarm("fn-errors", "Errors", {"FunctionName": "orders"}),
        alarm("alias-errors", "Errors", {"FunctionName": "orders", "Resource": "orders:live"}),
        alarm("lb-5xx", "HTTPCode_ELB_5XX_Count", {"LoadBalancer": "app/web/50dc6c495c0c9188"}),
        alarm("tg-unhealthy", "UnHealthyHostCount", {"LoadBalancer": "app/web/50dc6c495c0c9188",
                                                     "TargetGroup": "targetgroup/web-tg/73e2d6bc24d8a067"}),
        alarm("throttles", "ThrottledRequests", {"TableName": "jobs"}),
        alarm("other", "Errors", {"FunctionName": "someone-else"}),
    )
    watched = {r.name: sorted(a.alarm for a in r.observability.alarms) for r in inv}
    assert watched["Fn"] == ["alias-errors", "fn-errors"]
    assert watched["Live"] == ["alias-errors"]
    assert watched["Lb"] == ["lb-5xx"]  # the target group alarm names the LB too, but watches the target group
    assert watched["Tg"] == ["tg-unhealthy"]
    assert watched["Table"] == ["throttles"]
    assert set(inv.by_name("Fn").observability.alarms) == {AlarmRef("fn-errors", "Errors", "NS"),
                                                            AlarmRef("alias-errors", "Errors", "NS")}


def test_ecs_service_alarm_watches_the_service_not_the_cluster() -> None:
    inv = inventory(
        Declared("Cluster", "AWS::ECS::Cluster", {}, physical_id="prod"),
        Declared("Svc", "AWS::ECS::Service", {}, physical_id=f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/prod/api"),
        alarm("cpu", "CPUUtilization", {"ServiceName": "api", "ClusterName": "prod"}),
        alarm("cluster-cpu", "CPUUtilization", {"ClusterName": "prod"}),
    )
    assert [a.alarm for a in inv.by_name("Svc").observability.alarms] == ["cpu"]
    assert [a.alarm for a in inv.by_name("Cluster").observability.alarms] == ["cluster-cpu"]


def test_metric_math_alarm_links_each_metric() -> None:
    math = Declared("Ratio", "AWS::CloudWatch::Alarm", {"AlarmName": "ratio", "Metrics": [
        {"Id": "e", "Expression": "100*m1/m2"},
        {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "AWS/Lambda", "MetricName": "Errors",
                                               "Dimensions": [{"Name": "FunctionName", "Value": "a"}]}}},
        {"Id": "m2", "MetricStat": {"Metric": {"Namespace": "AWS/Lambda", "MetricName": "Invocations",
                                               "Dimensions": [{"Name": "FunctionName", "Value": "a"}]}}},
    ]}, physical_id="ratio")
    inv = inventory(Declared("A", "AWS::Lambda::Function", {}, physical_id="a"), math)
    assert inv.by_name("A").observability.metrics_alarmed() == {"Errors", "Invocations"}


def test_unknown_dimension_links_through_its_reference_else_is_possible() -> None:
    api = Declared("Api", "AWS::ApiGatewayV2::Api", {}, physical_id=UNKNOWN)
    other_api = Declared("Other", "AWS::ApiGatewayV2::Api", {}, physical_id=UNKNOWN)
    referenced = Declared("Api5xx", "AWS::CloudWatch::Alarm", {
        "AlarmName": "api-5xx", "MetricName": "5xx", "Dimensions": [{"Name": "ApiId", "Value": UNKNOWN}]},
        physical_id="api-5xx", references={"Dimensions[0].Value": "Api"})
    inv = inventory(api, other_api, referenced)
    assert inv.by_name("Api").observability.has_alarm_on("5xx") is True
    assert inv.by_name("Other").observability.has_alarm_on("5xx") is False
    anonymous = Declared("Anon", "AWS::CloudWatch::Alarm", {
        "AlarmName": "anon", "MetricName": "4xx", "Dimensions": [{"Name": "ApiId", "Value": UNKNOWN}]},
        physical_id="anon")
    inv = inventory(api, other_api, anonymous)
    assert inv.by_name("Api").observability.has_alarm_on("4xx") is UNKNOWN
    assert inv.by_name("Other").observability.has_alarm_on("4xx") is UNKNOWN


def test_link_is_idempotent_and_links_alarms_outside_the_inventory() -> None:
    inv = inventory(Declared("Q", "AWS::SQS::Queue", {}, physical_id="https://sqs.us-east-1.amazonaws.com/1/jobs"),
                    alarm("depth", "ApproximateNumberOfMessagesVisible", {"QueueName": "jobs"}))
    link(inv)
    assert len(inv.by_name("Q").observability.alarms) == 1
    outside = Resource("alarm", "AWS::CloudWatch::Alarm", "age", "live", physical_id="age",
                       settings={"namespace": "AWS/SQS", "metric": "ApproximateAgeOfOldestMessage",
                                 "dimensions": {"QueueName": "jobs"}})
    link_alarms(inv.resources, [outside])
    assert inv.by_name("Q").observability.metrics_alarmed() == {"ApproximateNumberOfMessagesVisible",
                                                                 "ApproximateAgeOfOldestMessage"}


def test_log_groups_link_to_functions() -> None:
    inv = inventory(
        Declared("Fn", "AWS::Lambda::Function", {}, physical_id="orders"),
        Declared("Custom", "AWS::Lambda::Function", {"LoggingConfig": {"LogGroup": "/app/custom"}}, physical_id="c"),
        Declared("Bare", "AWS::Lambda::Function", {}, physical_id="bare"),
        Declared("FnLogs", "AWS::Logs::LogGroup", {"RetentionInDays": 30}, physical_id="/aws/lambda/orders"),
        Declared("CustomLogs", "AWS::Logs::LogGroup", {"RetentionInDays": "7"}, physical_id="/app/custom"),
    )
    assert (inv.by_name("Fn").observability.log_group, inv.by_name("Fn").observability.log_retention_days) == \
        ("/aws/lambda/orders", 30)
    assert inv.by_name("Custom").observability.log_retention_days == 7
    assert (inv.by_name("Bare").observability.log_group, inv.by_name("Bare").observability.log_retention_days) == \
        (None, None)


def test_unknown_log_group_name_makes_retention_unknown() -> None:
    inv = inventory(Declared("Fn", "AWS::Lambda::Function", {}, physical_id="orders"),
                    Declared("Logs", "AWS::Logs::LogGroup", {"RetentionInDays": 30}, physical_id=UNKNOWN))
    assert inv.by_name("Fn").observability.log_retention_days is UNKNOWN


def test_dead_letter_queues_are_marked() -> None:
    dlq_arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs-dlq"
    inv = inventory(
        Declared("Jobs", "AWS::SQS::Queue", {"RedrivePolicy": {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}},
                 physical_id="https://sqs.us-east-1.amazonaws.com/1/jobs"),
        Declared("Dlq", "AWS::SQS::Queue", {}, physical_id=f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/jobs-dlq"),
        Declared("Lonely", "AWS::SQS::Queue", {}, physical_id="https://sqs.us-east-1.amazonaws.com/1/lonely"),
    )
    assert [inv.by_name(n).settings["is_dlq"] for n in ("Jobs", "Dlq", "Lonely")] == [False, True, False]


def test_unknown_redrive_target_uses_the_reference_or_leaves_every_queue_unknown() -> None:
    source = Declared("Jobs", "AWS::SQS::Queue", {"RedrivePolicy": {"deadLetterTargetArn": UNKNOWN}},
                      references={"RedrivePolicy.deadLetterTargetArn": "Dlq"})
    inv = inventory(source, Declared("Dlq", "AWS::SQS::Queue", {}), Declared("Other", "AWS::SQS::Queue", {}))
    assert [inv.by_name(n).settings["is_dlq"] for n in ("Dlq", "Other")] == [True, False]
    blind = Declared("Jobs", "AWS::SQS::Queue", {"RedrivePolicy": {"deadLetterTargetArn": UNKNOWN}})
    inv = inventory(blind, Declared("Dlq", "AWS::SQS::Queue", {}))
    assert inv.by_name("Dlq").settings["is_dlq"] is UNKNOWN


DENY_HTTP = {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}


def test_tls_only_from_bucket_policies() -> None:
    inv = inventory(
        Declared("Safe", "AWS::S3::Bucket", {}, physical_id="safe"),
        Declared("Open", "AWS::S3::Bucket", {}, physical_id="open"),
        Declared("SafePolicy", "AWS::S3::BucketPolicy", {"Bucket": "safe", "PolicyDocument": DENY_HTTP}),
        Declared("OpenPolicy", "AWS::S3::BucketPolicy", {"Bucket": "open", "PolicyDocument": {"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]}}),
    )
    assert inv.by_name("Safe").settings["tls_only"] is True
    assert inv.by_name("Open").settings["tls_only"] is False


def test_tls_only_unknown_when_the_policy_or_its_bucket_is_unknown() -> None:
    inv = inventory(Declared("B", "AWS::S3::Bucket", {}, physical_id="b"),
                    Declared("P", "AWS::S3::BucketPolicy", {"Bucket": UNKNOWN, "PolicyDocument": DENY_HTTP}))
    assert inv.by_name("B").settings["tls_only"] is UNKNOWN
    inv = inventory(Declared("B", "AWS::S3::Bucket", {}, physical_id="b"),
                    Declared("P", "AWS::S3::BucketPolicy", {"Bucket": UNKNOWN, "PolicyDocument": DENY_HTTP},
                             references={"Bucket": "B"}),
                    Declared("C", "AWS::S3::Bucket", {}, physical_id="c"))
    assert [inv.by_name(n).settings["tls_only"] for n in ("B", "C")] == [True, False]
    assert denies_insecure_transport(UNKNOWN) is UNKNOWN
    assert denies_insecure_transport({"Statement": {"Effect": "Deny", "Condition": {
        "BoolIfExists": {"aws:SecureTransport": [False]}}}}) is True
