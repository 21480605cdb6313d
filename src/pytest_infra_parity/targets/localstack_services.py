"""Which AWS services a design needs: resource types to boto3 service names.

The applier creates each resource through the provisioner of its type, which talks to one service
(``AWS::DynamoDB::Table`` -> ``dynamodb``); a few types need a second one (SAM functions create IAM
roles; Application Auto Scaling policies read CloudWatch alarms). Every deployment also writes its
ledger in SSM and reads the caller identity from STS. LocalStack's free plan answers only some of
them: the target checks the list before anything is created (see ``docs/targets.md``).
"""

from __future__ import annotations

from collections.abc import Iterable

from pytest_infra_parity.errors import TargetError
from pytest_infra_parity.targets.protocol import unserved

NAMESPACES: dict[str, str] = {
    "AWS::ApiGateway": "apigateway",
    "AWS::ApiGatewayV2": "apigatewayv2",
    "AWS::AppConfig": "appconfig",
    "AWS::ApplicationAutoScaling": "application-autoscaling",
    "AWS::CloudFront": "cloudfront",
    "AWS::CloudWatch": "cloudwatch",
    "AWS::CodeDeploy": "codedeploy",
    "AWS::Cognito": "cognito-idp",
    "AWS::DynamoDB": "dynamodb",
    "AWS::EC2": "ec2",
    "AWS::ECS": "ecs",
    "AWS::ElastiCache": "elasticache",
    "AWS::ElasticLoadBalancingV2": "elbv2",
    "AWS::Events": "events",
    "AWS::IAM": "iam",
    "AWS::KMS": "kms",
    "AWS::Kinesis": "kinesis",
    "AWS::Lambda": "lambda",
    "AWS::Logs": "logs",
    "AWS::OpenSearchService": "opensearch",
    "AWS::RDS": "rds",
    "AWS::Route53": "route53",
    "AWS::S3": "s3",
    "AWS::Scheduler": "scheduler",
    "AWS::SecretsManager": "secretsmanager",
    "AWS::SNS": "sns",
    "AWS::SQS": "sqs",
    "AWS::SSM": "ssm",
    "AWS::StepFunctions": "stepfunctions",
    "AWS::WAFv2": "wafv2",
    "AWS::XRay": "xray",
}
"""CloudFormation type namespace -> the boto3 service its provisioners call."""

EXTRA: dict[str, tuple[str, ...]] = {
    "AWS::Serverless::Function": ("lambda", "iam"),
    "AWS::Serverless::LayerVersion": ("lambda",),
    "AWS::Serverless::Api": ("apigateway",),
    "AWS::Serverless::HttpApi": ("apigatewayv2",),
    "AWS::Serverless::SimpleTable": ("dynamodb",),
    "AWS::Serverless::StateMachine": ("stepfunctions", "iam"),
    "AWS::ApplicationAutoScaling::ScalingPolicy": ("application-autoscaling", "cloudwatch"),
    # moto: AppConfig environments and deployment strategies are emulated in SSM parameters.
    "AWS::AppConfig::Environment": ("appconfig", "ssm"),
    "AWS::AppConfig::DeploymentStrategy": ("appconfig", "ssm"),
}
"""Types served by more than their namespace's service (or by another one: SAM)."""

ALWAYS = ("ssm", "sts")
"""Every deployment: the ledger (SSM parameters) and the caller identity."""

METADATA_TYPES = ("AWS::CDK::Metadata", "AWS::CloudFormation::WaitConditionHandle")


def services_of_type(resource_type: str) -> tuple[str, ...]:
    """The boto3 services the applier calls for one resource type (``()`` for metadata-only types)."""
    if resource_type in EXTRA:
        return EXTRA[resource_type]
    if resource_type in METADATA_TYPES or resource_type.startswith("Custom::"):
        return ()
    namespace = resource_type.rsplit("::", 1)[0]
    return (NAMESPACES.get(namespace, namespace.split("::")[-1].lower()),)


def services_needed(resources: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Service -> the logical ids that need it, for ``(logical id, resource type)`` pairs."""
    needed: dict[str, list[str]] = {service: [] for service in ALWAYS}
    for logical_id, resource_type in resources:
        for service in services_of_type(resource_type):
            needed.setdefault(service, []).append(logical_id)
    return needed


def check_served(target: object, resources: Iterable[tuple[str, str]], what: str = "the design") -> None:
    """Refuse, before anything is created, a design that needs services the target cannot serve.

    Names every unserved service with its reason and the resources that need it, and how to proceed.
    """
    needed = services_needed(resources)
    missing = unserved(target, needed)
    if not missing:
        return
    lines = [f"{getattr(target, 'name', 'the target')} cannot serve {len(missing)} service(s) {what} needs:"]
    for service, reason in missing.items():
        users = needed[service]
        shown = ", ".join(users[:4]) + (f" (+{len(users) - 4} more)" if len(users) > 4 else "")
        lines.append(f"  {service}: {reason}" + (f" — needed by {shown}" if users else ""))
    lines.append("  route them to the embedded moto server with --infra-fallback=moto (ini infra_fallback), "
                 "or deploy on a target that serves them")
    raise TargetError("\n".join(lines))
