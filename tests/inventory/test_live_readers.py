"""Each live reader on resources created with boto3: defaults, AWS managed keys, edge cases."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from pytest_infra_parity.inventory.live import Selection, StackItem, collect
from pytest_infra_parity.inventory.model import Encryption, Inventory

from .conftest import ACCOUNT, REGION, AccountTarget

SCRATCH = ACCOUNT
"""The inventory tests' account (its services are already warm); these resources carry no tags the
deployed designs' tag selections look for."""


@pytest.fixture(scope="module")
def made(moto_endpoint: str) -> tuple[Callable[[str], Any], dict[str, str]]:
    client = AccountTarget(moto_endpoint, SCRATCH).client
    arns: dict[str, str] = {}
    client("s3").create_bucket(Bucket="h1-bare-bucket")
    arns["bucket"] = "arn:aws:s3:::h1-bare-bucket"
    client("sqs").create_queue(QueueName="h1-plain", Attributes={"SqsManagedSseEnabled": "false"})
    arns["plain queue"] = f"arn:aws:sqs:{REGION}:{SCRATCH}:h1-plain"
    client("sqs").create_queue(QueueName="h1-aws-key", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
    arns["aws-key queue"] = f"arn:aws:sqs:{REGION}:{SCRATCH}:h1-aws-key"
    topic = client("sns").create_topic(Name="h1-topic", Attributes={"KmsMasterKeyId": "alias/aws/sns"})
    arns["topic"] = topic["TopicArn"]
    arns["table"] = client("dynamodb").create_table(
        TableName="h1-table", BillingMode="PAY_PER_REQUEST", SSESpecification={"Enabled": True},
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])["TableDescription"]["TableArn"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(e, c):\n    return 1\n")
    role = client("iam").create_role(RoleName="h1-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lam = client("lambda")
    arns["function"] = lam.create_function(FunctionName="h1-fn", Runtime="python3.12", Role=role, Handler="app.handler",
                                           Code={"ZipFile": buffer.getvalue()})["FunctionArn"]
    version = lam.publish_version(FunctionName="h1-fn")["Version"]
    arns["alias"] = lam.create_alias(FunctionName="h1-fn", Name="live", FunctionVersion=version)["AliasArn"]
    dimensions = [{"Name": "FunctionName", "Value": "h1-fn"}, {"Name": "Resource", "Value": "h1-fn:live"}]
    client("cloudwatch").put_metric_alarm(
        AlarmName="h1-alias-error-rate", EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold",
        Metrics=[{"Id": "rate", "Expression": "errors / invocations"}] + [
            {"Id": metric.lower(), "ReturnData": False, "MetricStat": {"Period": 60, "Stat": "Sum", "Metric": {
                "Namespace": "AWS/Lambda", "MetricName": metric, "Dimensions": dimensions}}}
            for metric in ("Errors", "Invocations")])
    client("logs").create_log_group(logGroupName="/h1/forever")
    arns["log group"] = f"arn:aws:logs:{REGION}:{SCRATCH}:log-group:/h1/forever"
    key = client("kms").create_key()["KeyMetadata"]["Arn"]
    arns["secret"] = client("secretsmanager").create_secret(Name="h1-secret", SecretString="x", KmsKeyId=key)["ARN"]
    client("ssm").put_parameter(Name="/h1/plain", Value="v", Type="String", Tags=[{"Key": "Project", "Value": "h1"}])
    client("ssm").put_parameter(Name="/h1/secure", Value="v", Type="SecureString")
    arns["plain parameter"] = f"arn:aws:ssm:{REGION}:{SCRATCH}:parameter/h1/plain"
    arns["secure parameter"] = f"arn:aws:ssm:{REGION}:{SCRATCH}:parameter/h1/secure"
    return client, arns


@pytest.fixture(scope="module")
def inventory(made: tuple[Callable[[str], Any], dict[str, str]]) -> Inventory:
    client, arns = made
    return collect(client, region=REGION, account=SCRATCH, selection=Selection.of_arns(arns.values()))


def test_every_arn_is_read_without_warnings(inventory: Inventory) -> None:
    assert [r.kind for r in inventory] == ["bucket", "queue", "queue", "topic", "table", "function", "alias",
                                           "log group", "secret", "parameter", "parameter"]
    assert inventory.warnings == []


def test_bucket_defaults(inventory: Inventory) -> None:
    bucket = inventory.by_name("h1-bare-bucket")
    assert bucket.encryption == Encryption("service-managed")  # SSE-S3, every bucket since January 2023
    assert bucket.settings == {"versioning": False, "public_access_block": None, "lifecycle_rules": 0,
                               "bucket_key": False, "tls_only": False}


def test_queue_topic_and_table_keys(inventory: Inventory) -> None:
    assert inventory.by_name("h1-plain").encryption == Encryption("none")
    assert inventory.by_name("h1-aws-key").encryption == Encryption("aws-managed", "alias/aws/sqs")
    assert inventory.by_name("h1-topic").encryption == Encryption("aws-managed", "alias/aws/sns")
    table = inventory.by_name("h1-table")
    assert table.encryption is not None and table.encryption.mode == "aws-managed"  # moto's aws/dynamodb key
    assert (table.settings["pitr"], table.settings["ttl"], table.settings["stream"]) == (False, False, None)


def test_function_alias_and_metric_math_alarm(inventory: Inventory) -> None:
    function = inventory.by_name("h1-fn")
    assert function.encryption == Encryption("aws-managed")
    assert (function.observability.log_group, function.observability.log_retention_days) == (None, None)
    assert function.observability.tracing is False
    assert function.observability.metrics_alarmed() == {"Errors", "Invocations"}  # through the alias dimension
    alias = inventory.by_name("h1-fn:live")
    assert alias.settings == {"function": "h1-fn", "version": "1"}
    assert alias.observability.has_alarm_on("Errors") is True
    assert alias.taggable is False


def test_log_group_secret_and_parameters(inventory: Inventory, made: tuple[Any, dict[str, str]]) -> None:
    group = inventory.by_name("/h1/forever")
    assert (group.encryption, group.observability.log_retention_days) == (Encryption("service-managed"), None)
    secret = inventory.by_name("h1-secret")
    assert secret.physical_id == made[1]["secret"]
    assert secret.encryption is not None and secret.encryption.mode == "customer-managed"
    assert secret.settings["rotation"] is False
    plain = inventory.by_name("/h1/plain")
    assert (plain.encryption, plain.tags, plain.settings["type"]) == (Encryption("none"), {"Project": "h1"}, "String")
    assert inventory.by_name("/h1/secure").encryption == Encryption("aws-managed")


def test_ecs_and_scaling_readers(made: tuple[Callable[[str], Any], dict[str, str]]) -> None:
    client = made[0]
    ecs = client("ecs")
    ecs.create_cluster(clusterName="h1-cluster", tags=[{"key": "Project", "value": "h1"}])
    task = ecs.register_task_definition(family="h1-task", cpu="256", memory="512", requiresCompatibilities=["FARGATE"],
                                        networkMode="awsvpc", tags=[{"key": "Project", "value": "h1"}],
                                        containerDefinitions=[{"name": "app", "image": "nginx"}])
    service = ecs.create_service(cluster="h1-cluster", serviceName="h1-svc", desiredCount=2, launchType="FARGATE",
                                 taskDefinition=task["taskDefinition"]["taskDefinitionArn"])["service"]
    client("application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs", ResourceId="service/h1-cluster/h1-svc", ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=1, MaxCapacity=4)
    selection = Selection(stack="h1", items=tuple(StackItem(*item) for item in [
        ("Cluster", "AWS::ECS::Cluster", "h1-cluster"),
        ("Task", "AWS::ECS::TaskDefinition", task["taskDefinition"]["taskDefinitionArn"]),
        ("Service", "AWS::ECS::Service", service["serviceArn"]),
        ("Scaling", "AWS::ApplicationAutoScaling::ScalableTarget",
         "service/h1-cluster/h1-svc|ecs:service:DesiredCount|ecs"),
    ]))
    inventory = collect(client, region=REGION, account=SCRATCH, selection=selection)
    assert inventory.warnings == []
    assert inventory.by_name("Cluster").tags == {"Project": "h1"}
    assert inventory.by_name("Task").settings == {"cpu": "256", "memory": "512"}
    assert inventory.by_name("Service").settings == {"desired_count": 2, "launch_type": "FARGATE",
                                                     "cluster": "h1-cluster"}
    assert (inventory.by_name("Scaling").settings["min_capacity"], inventory.by_name("Scaling").settings[
        "max_capacity"]) == (1, 4)


def test_policies_read_live_make_tls_only(made: tuple[Callable[[str], Any], dict[str, str]]) -> None:
    client = made[0]
    client("s3").create_bucket(Bucket="h1-tls-bucket")
    client("s3").put_bucket_policy(Bucket="h1-tls-bucket", Policy=json.dumps({"Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::h1-tls-bucket/*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
    inventory = collect(client, region=REGION, account=SCRATCH, selection=Selection.of_arns(
        ["arn:aws:s3:::h1-tls-bucket"]))
    assert inventory.resources[0].settings["tls_only"] is True


def test_ec2_network_readers(made: tuple[Callable[[str], Any], dict[str, str]]) -> None:
    ec2 = made[0]("ec2")
    tags = [{"ResourceType": kind, "Tags": [{"Key": "Project", "Value": "h1"}]} for kind in ("vpc", "subnet")]
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16", TagSpecifications=tags[:1])["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24", TagSpecifications=tags[1:])["Subnet"]["SubnetId"]
    arns = [f"arn:aws:ec2:{REGION}:{SCRATCH}:vpc/{vpc}", f"arn:aws:ec2:{REGION}:{SCRATCH}:subnet/{subnet}",
            f"arn:aws:ec2:{REGION}:{SCRATCH}:vpc/vpc-0000000000000dead"]
    inventory = collect(made[0], region=REGION, account=SCRATCH, selection=Selection.of_arns(arns))
    assert [(r.kind, r.physical_id, r.tags) for r in inventory] == [
        ("vpc", vpc, {"Project": "h1"}), ("subnet", subnet, {"Project": "h1"})]
    assert len(inventory.warnings) == 1 and "vpc-0000000000000dead" in inventory.warnings[0]


def test_data_and_config_readers(made: tuple[Callable[[str], Any], dict[str, str]]) -> None:
    client = made[0]
    tags = [{"Key": "Project", "Value": "h1"}]
    client("rds").create_db_instance(DBInstanceIdentifier="h1-db", DBInstanceClass="db.t3.micro", Engine="postgres",
                                     MasterUsername="u", MasterUserPassword="password123", AllocatedStorage=20,
                                     StorageEncrypted=True, Tags=tags)
    client("opensearch").create_domain(DomainName="h1-search", EncryptionAtRestOptions={"Enabled": False})
    client("elasticache").create_replication_group(
        ReplicationGroupId="h1-redis", ReplicationGroupDescription="d", Engine="redis", CacheNodeType="cache.t3.micro",
        AtRestEncryptionEnabled=True, Tags=tags)
    pool = client("cognito-idp").create_user_pool(PoolName="h1-pool", UserPoolTags={"Project": "h1"})["UserPool"]["Id"]
    zone = client("route53").create_hosted_zone(Name="h1.example.com", CallerReference="h1")["HostedZone"]["Id"]
    client("route53").change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone.rsplit("/", 1)[-1],
                                               AddTags=tags)
    client("codedeploy").create_application(applicationName="h1-app", tags=tags)
    app = client("appconfig").create_application(Name="h1-config", Tags={"Project": "h1"})["Id"]
    items = [("Db", "AWS::RDS::DBInstance", "h1-db"), ("Search", "AWS::OpenSearchService::Domain", "h1-search"),
             ("Redis", "AWS::ElastiCache::ReplicationGroup", "h1-redis"), ("Pool", "AWS::Cognito::UserPool", pool),
             ("Zone", "AWS::Route53::HostedZone", zone.rsplit("/", 1)[-1]),
             ("App", "AWS::CodeDeploy::Application", "h1-app"), ("Config", "AWS::AppConfig::Application", app)]
    inventory = collect(client, region=REGION, account=SCRATCH, selection=Selection(
        stack="h1", items=tuple(StackItem(*item) for item in items)))
    assert inventory.warnings == []
    encryption = {r.name: r.encryption.mode if r.encryption else None for r in inventory}
    assert encryption == {"Db": "aws-managed", "Search": "none", "Redis": "service-managed", "Pool": None,
                          "Zone": None, "App": None, "Config": None}
    assert all(r.tags == {"Project": "h1"} for r in inventory if r.name != "Search"), [r.tags for r in inventory]
    client("codedeploy").tag_resource(ResourceArn=f"arn:aws:codedeploy:{REGION}:{SCRATCH}:application:h1-app",
                                      Tags=[{"Key": "infra-parity:deleted", "Value": "true"}])
    again = collect(client, region=REGION, account=SCRATCH, selection=Selection(
        stack="h1", items=(StackItem("App", "AWS::CodeDeploy::Application", "h1-app"),)))
    assert len(again) == 0 and "marked infra-parity:deleted" in again.warnings[0]


def test_readers_of_described_resources_tagged_by_arn(made: tuple[Callable[[str], Any], dict[str, str]]) -> None:
    """DB subnet groups, cache clusters and cache subnet groups: one Describe call, tags by ARN."""
    client = made[0]
    tags = [{"Key": "Project", "Value": "h2"}]
    vpc = client("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [client("ec2").create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24",
                                           AvailabilityZone=f"{REGION}{zone}")["Subnet"]["SubnetId"]
               for i, zone in enumerate("ab")]
    client("rds").create_db_subnet_group(DBSubnetGroupName="h2-db-subnets", DBSubnetGroupDescription="d",
                                         SubnetIds=subnets, Tags=tags)
    client("elasticache").create_cache_subnet_group(CacheSubnetGroupName="h2-cache-subnets",
                                                    CacheSubnetGroupDescription="d", SubnetIds=subnets, Tags=tags)
    client("elasticache").create_cache_cluster(CacheClusterId="h2-cache", Engine="memcached",
                                               CacheNodeType="cache.t3.micro", NumCacheNodes=1, Tags=tags)
    items = [("DbSubnets", "AWS::RDS::DBSubnetGroup", "h2-db-subnets"),
             ("CacheSubnets", "AWS::ElastiCache::SubnetGroup", "h2-cache-subnets"),
             ("Cache", "AWS::ElastiCache::CacheCluster", "h2-cache"),
             ("Gone", "AWS::ElastiCache::CacheCluster", "h2-missing")]
    inventory = collect(client, region=REGION, account=SCRATCH, selection=Selection(
        stack="h2", items=tuple(StackItem(*item) for item in items)))
    found = {r.name: (r.tags, r.encryption.mode if r.encryption else None, r.arn) for r in inventory}
    assert set(found) == {"DbSubnets", "CacheSubnets", "Cache"}
    assert all(tags == {"Project": "h2"} for tags, _, _ in found.values()), found
    assert found["Cache"][1] == "none" and found["DbSubnets"][2].endswith(":subgrp:h2-db-subnets")
    assert len(inventory.warnings) == 1 and "h2-missing" in inventory.warnings[0]
