"""Kinds AWS does not charge for by themselves, each with the reason (listed in the estimate, not dropped).

The reasons are the pricing pages': Amazon VPC ("no additional charge for creating and using the VPC
itself"; internet gateways, route tables, security groups included), IAM ("offered at no additional
charge"), Amazon ECS ("no additional charge for Amazon ECS" orchestration: clusters, task definitions),
CodeDeploy ("no additional charge for code deployments to Amazon EC2, AWS Lambda or Amazon ECS"), and the
services whose sub-resources are billed through their parent (a Lambda alias through its function's
invocations, an API route through the API's requests, a listener through its load balancer's hours).
"""

from __future__ import annotations

from pytest_infra_parity.cost.context import PricingContext
from pytest_infra_parity.cost.kinds import pricer
from pytest_infra_parity.inventory.model import Resource

NO_CHARGE: dict[str, str] = {
    "vpc": "Amazon VPC: no charge for the VPC itself",
    "subnet": "Amazon VPC: no charge for subnets",
    "security group": "Amazon VPC: no charge for security groups",
    "internet gateway": "Amazon VPC: no charge for internet gateways (data transfer is billed as such)",
    "route table": "Amazon VPC: no charge for route tables",
    "AWS::EC2::Route": "Amazon VPC: no charge for routes",
    "AWS::EC2::VPCGatewayAttachment": "Amazon VPC: no charge for gateway attachments",
    "AWS::EC2::SubnetRouteTableAssociation": "Amazon VPC: no charge for route table associations",
    "AWS::EC2::SecurityGroupIngress": "Amazon VPC: no charge for security group rules",
    "AWS::EC2::SecurityGroupEgress": "Amazon VPC: no charge for security group rules",
    "role": "IAM: no charge",
    "iam policy": "IAM: no charge",
    "managed policy": "IAM: no charge",
    "cluster": "Amazon ECS: no charge for clusters (tasks are billed on their service)",
    "task definition": "Amazon ECS: no charge for task definitions (tasks are billed on their service)",
    "target group": "Elastic Load Balancing: billed through its load balancer",
    "listener": "Elastic Load Balancing: billed through its load balancer",
    "listener rule": "Elastic Load Balancing: billed through its load balancer (rule evaluations in LCUs)",
    "scalable target": "Application Auto Scaling: no charge",
    "alias": "AWS Lambda: billed through its function's invocations",
    "function version": "AWS Lambda: billed through its function's invocations",
    "function permission": "AWS Lambda: no charge",
    "layer": "AWS Lambda: no charge for layers (their storage counts toward the code storage quota)",
    "event source mapping": "AWS Lambda: no charge (the polls are requests of the source, e.g. SQS)",
    "api stage": "Amazon API Gateway: billed through the API's requests",
    "api route": "Amazon API Gateway: billed through the API's requests",
    "api integration": "Amazon API Gateway: billed through the API's requests",
    "api authorizer": "Amazon API Gateway: billed through the API's requests (and the authorizer's Lambda)",
    "api deployment": "Amazon API Gateway: billed through the API's requests",
    "bucket policy": "Amazon S3: no charge for bucket policies",
    "queue policy": "Amazon SQS: no charge for queue policies",
    "topic policy": "Amazon SNS: no charge for topic policies",
    "subscription": "Amazon SNS: billed through the topic's publishes (SQS/Lambda deliveries are free)",
    "key alias": "AWS KMS: no charge for aliases",
    "dns record": "Amazon Route 53: billed through the hosted zone's queries",
    "user pool client": "Amazon Cognito: billed through the user pool's active users",
    "appconfig environment": "AWS AppConfig: billed through the application's requests",
    "configuration profile": "AWS AppConfig: billed through the application's requests",
    "deployment strategy": "AWS AppConfig: billed through the application's requests",
    "AWS::AppConfig::HostedConfigurationVersion": "AWS AppConfig: no charge for hosted configurations",
    "codedeploy application": "AWS CodeDeploy: no charge for deployments to Lambda or ECS",
    "deployment group": "AWS CodeDeploy: no charge for deployments to Lambda or ECS",
    "AWS::RDS::DBSubnetGroup": "Amazon RDS: no charge for subnet groups",
    "AWS::RDS::DBProxyTargetGroup": "Amazon RDS: billed through its proxy",
    "AWS::ElastiCache::SubnetGroup": "Amazon ElastiCache: no charge for subnet groups",
    "AWS::CloudFront::OriginAccessControl": "Amazon CloudFront: no charge for origin access controls",
    "AWS::WAFv2::WebACLAssociation": "AWS WAF: billed through its web ACL",
}


def _no_charge(ctx: PricingContext, resource: Resource) -> None:
    reason = NO_CHARGE.get(resource.kind) or NO_CHARGE.get(resource.cfn_type) or "no charge"
    ctx.no_charge(resource, reason)


pricer(*NO_CHARGE)(_no_charge)
