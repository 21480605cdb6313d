"""Data, observability, database and service pricing pinned against hand-computed catalog figures."""

from __future__ import annotations

import pytest

from pytest_infra_parity.cost.usage import DAYS_PER_MONTH
from pytest_infra_parity.inventory.model import Observability

from .conftest import Price, line, resource, usd


def test_on_demand_table(price: Price) -> None:
    table = resource("Jobs", "AWS::DynamoDB::Table", billing_mode="PAY_PER_REQUEST", pitr=False)
    result = price([table], {"requests_per_day": 1000},
                   {"resources": {"Jobs": {"reads_per_request": 2, "writes_per_month": 100_000, "storage_gb": 30}}})
    # reads: 2 x 1000 x 30.4167 = 60,833 RRU x 0.000000125; writes 100,000 x 0.000000625; 30 GB x 0.25
    assert usd(result, "ddb-read-request") == pytest.approx(2 * 1000 * DAYS_PER_MONTH * 0.000000125)
    assert usd(result, "ddb-write-request") == pytest.approx(0.0625)
    assert usd(result, "ddb-storage-gb-month") == pytest.approx(7.5)


def test_provisioned_table_and_pitr_storage_are_unpriced(price: Price) -> None:
    result = price([resource("A", "AWS::DynamoDB::Table", billing_mode="PROVISIONED"),
                    resource("B", "AWS::DynamoDB::Table", billing_mode="PAY_PER_REQUEST", pitr=True)],
                   None, {"resources": {"B": {"storage_gb": 1}}})
    assert [(u.resource, u.what) for u in result.unpriced] == [
        ("A", "DynamoDB provisioned capacity"), ("B", "point-in-time recovery backup storage")]


def test_bucket_queue_topic(price: Price) -> None:
    result = price([resource("Bucket", "AWS::S3::Bucket"), resource("Queue", "AWS::SQS::Queue", fifo=False),
                    resource("Topic", "AWS::SNS::Topic")], None, {"resources": {
                        "Bucket": {"storage_gb": 100, "puts_per_month": 10_000, "gets_per_month": 1_000_000},
                        "Queue": {"requests_per_month": 3_000_000}, "Topic": {"publishes_per_month": 2_000_000}}})
    # S3: 100 GB x 0.023 = 2.30; 10,000 x 0.000005 = 0.05; 1,000,000 x 0.0000004 = 0.40
    assert (usd(result, "s3-standard-gb-month"), usd(result, "s3-put-request"), usd(result, "s3-get-request")) == \
        pytest.approx((2.30, 0.05, 0.40))
    assert usd(result, "sqs-request") == pytest.approx(1.20)  # 3,000,000 x 0.0000004
    assert usd(result, "sns-publish") == pytest.approx(1.00)  # 2,000,000 x 0.0000005


def test_fifo_queue_requests_are_unpriced(price: Price) -> None:
    result = price([resource("Q", "AWS::SQS::Queue", fifo=True)], None, {"resources": {"Q": {"requests_per_month": 5}}})
    assert result.unpriced[0].what == "SQS FIFO requests"


def test_key_secret_parameter(price: Price) -> None:
    result = price([resource("Key", "AWS::KMS::Key", rotation=True), resource("Secret", "AWS::SecretsManager::Secret"),
                    resource("Param", "AWS::SSM::Parameter")], None,
                   {"resources": {"Key": {"requests_per_month": 100_000}, "Secret": {"api_calls_per_month": 20_000}}})
    assert usd(result, "kms-key-month") == 1.0 and usd(result, "kms-request") == pytest.approx(0.30)
    assert usd(result, "secret-month") == 0.4 and usd(result, "secret-api-call") == pytest.approx(0.10)
    assert [n.resource for n in result.no_charge] == ["Param"]
    assert any("rotation adds $1/month" in a for a in result.assumptions)


def test_alarms_and_target_tracking(price: Price) -> None:
    math = resource("Math", "AWS::CloudWatch::Alarm", metrics=[
        {"id": "e", "expression": "a+b"}, {"id": "a", "metric": "RequestCount"}, {"id": "b", "metric": "X"}])
    plain = resource("Plain", "AWS::CloudWatch::Alarm", metric="Errors", period=60)
    fast = resource("Fast", "AWS::CloudWatch::Alarm", metric="Errors", period=10)
    tracking = resource("Tracking", "AWS::ApplicationAutoScaling::ScalingPolicy")
    step = resource("Step", "AWS::ApplicationAutoScaling::ScalingPolicy")
    result = price([math, plain, fast, tracking, step],
                   props={"Tracking": {"PolicyType": "TargetTrackingScaling"}, "Step": {"PolicyType": "StepScaling"}})
    assert line(result, "cw-alarm-metric-month", "Math").quantity == 2  # 2 metrics read, 0.10 each
    assert usd(result, "cw-alarm-metric-month", "Plain") == pytest.approx(0.10)
    assert usd(result, "cw-alarm-metric-month", "Tracking") == pytest.approx(0.20)  # AlarmHigh + AlarmLow
    assert [u.resource for u in result.unpriced] == ["Fast"]
    assert [n.resource for n in result.no_charge] == ["Step"]


def test_log_groups_share_the_design_volume(price: Price) -> None:
    week = resource("Week", "AWS::Logs::LogGroup")
    week.observability = Observability(log_retention_days=7)
    forever = resource("Forever", "AWS::Logs::LogGroup")
    result = price([week, forever], {"log_gb_per_month": 2}, region="eu-west-3")
    # 1 GB each x 0.5985 (eu-west-3); stored: 1 GB x 7/30.4167 months, and 1 GB x 12 months, x 0.0315
    assert usd(result, "cw-logs-ingestion-gb", "Week") == pytest.approx(0.5985)
    assert usd(result, "cw-logs-storage-gb-month", "Week") == pytest.approx(7 / DAYS_PER_MONTH * 0.0315)
    assert usd(result, "cw-logs-storage-gb-month", "Forever") == pytest.approx(12 * 0.0315)


def test_databases(price: Price) -> None:
    result = price([resource("Db", "AWS::RDS::DBInstance"), resource("Proxy", "AWS::RDS::DBProxy"),
                    resource("Redis", "AWS::ElastiCache::ReplicationGroup"),
                    resource("Search", "AWS::OpenSearchService::Domain")],
                   props={"Db": {"Engine": "postgres", "DBInstanceClass": "db.t4g.micro", "AllocatedStorage": "20",
                                 "StorageType": "gp3", "MultiAZ": False},
                          "Redis": {"Engine": "redis", "CacheNodeType": "cache.t4g.micro", "NumCacheClusters": 1},
                          "Search": {"ClusterConfig": {"InstanceType": "t3.small.search", "InstanceCount": 1},
                                     "EBSOptions": {"VolumeType": "gp3", "VolumeSize": 10}}})
    assert usd(result, "rds-postgres-db.t4g.micro-single-az-hour") == pytest.approx(730 * 0.016)  # 11.68
    assert usd(result, "rds-gp3-gb-month") == pytest.approx(20 * 0.115)                          # 2.30
    assert usd(result, "rds-proxy-vcpu-hour") == pytest.approx(2 * 730 * 0.015)                  # 21.90
    assert usd(result, "elasticache-redis-cache.t4g.micro-hour") == pytest.approx(730 * 0.016)   # 11.68
    assert usd(result, "opensearch-t3.small.search-hour") == pytest.approx(730 * 0.036)          # 26.28
    assert usd(result, "opensearch-gp3-gb-month") == pytest.approx(10 * 0.08)
    assert result.complete


def test_database_without_a_catalog_price_is_unpriced(price: Price) -> None:
    result = price([resource("Db", "AWS::RDS::DBInstance"), resource("Aurora", "AWS::RDS::DBCluster")],
                   props={"Db": {"Engine": "mysql", "DBInstanceClass": "db.r6g.large", "MultiAZ": True}})
    assert [u.reason for u in result.unpriced] == [
        "no price rds-mysql-db.r6g.large-multi-az-hour in the catalog", "Aurora is not in the catalog"]


def test_appconfig_eventbridge_cognito(price: Price) -> None:
    result = price([resource("App", "AWS::AppConfig::Application"), resource("Env", "AWS::AppConfig::Environment"),
                    resource("Schedule", "AWS::Events::Rule"), resource("Pool", "AWS::Cognito::UserPool")],
                   {"appconfig_polls_per_day": 1440, "monthly_active_users": 500},
                   {"resources": {"App": {"configurations_received_per_month": 730}}},
                   props={"Schedule": {"ScheduleExpression": "rate(7 days)"}})
    # 1,440 x 30.4167 = 43,800 requests x 0.0000002 = 0.00876; 730 received x 0.0008 = 0.584
    assert usd(result, "appconfig-request") == pytest.approx(0.00876)
    assert usd(result, "appconfig-configuration-received") == pytest.approx(0.584)
    assert usd(result, "cognito-essentials-mau") == pytest.approx(7.5)  # 500 x 0.015, free tier off
    assert {n.resource for n in result.no_charge} == {"Env", "Schedule"}
