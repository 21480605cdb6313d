"""Terraform ``aws_*`` resource types and Pulumi ``aws:*`` tokens mapped onto CloudFormation types.

Every Terraform source (HCL, plan, state) and the Pulumi source name resources by their Terraform
AWS provider type: the Pulumi AWS provider is bridged from the Terraform provider (pulumi-terraform-
bridge), so each ``aws:<module>/<camelName>:<Name>`` token has a Terraform type and its camelCase
inputs/outputs are the provider schema's snake_case attributes (Pulumi Registry, "AWS Classic"
API docs list the Terraform resource each token wraps).

Three families of Terraform types are not resources of their own in the model:

- *merged* types configure another resource that CloudFormation declares inline (the split S3 bucket
  configurations of AWS provider v4+, IAM role policies and attachments, a queue's redrive policy, a
  key's policy): their attributes are merged onto the parent named by :data:`MERGED_TYPES`;
- *artifacts* (uploaded objects: Lambda code in S3) and non-AWS providers (``random_id``,
  ``archive_file``) are skipped with a note in the inventory warnings;
- any other ``aws_*`` type without a CloudFormation equivalent here is kind ``other`` with a warning.
"""

from __future__ import annotations

import re
from typing import Final

CFN_BY_TF_TYPE: Final[dict[str, str]] = {
    "aws_s3_bucket": "AWS::S3::Bucket",
    "aws_s3_bucket_policy": "AWS::S3::BucketPolicy",
    "aws_dynamodb_table": "AWS::DynamoDB::Table",
    "aws_sqs_queue": "AWS::SQS::Queue",
    "aws_sqs_queue_policy": "AWS::SQS::QueuePolicy",
    "aws_sns_topic": "AWS::SNS::Topic",
    "aws_sns_topic_subscription": "AWS::SNS::Subscription",
    "aws_sns_topic_policy": "AWS::SNS::TopicPolicy",
    "aws_kms_key": "AWS::KMS::Key",
    "aws_kms_alias": "AWS::KMS::Alias",
    "aws_lambda_function": "AWS::Lambda::Function",
    "aws_lambda_alias": "AWS::Lambda::Alias",
    "aws_lambda_permission": "AWS::Lambda::Permission",
    "aws_lambda_event_source_mapping": "AWS::Lambda::EventSourceMapping",
    "aws_lambda_layer_version": "AWS::Lambda::LayerVersion",
    "aws_cloudwatch_log_group": "AWS::Logs::LogGroup",
    "aws_cloudwatch_metric_alarm": "AWS::CloudWatch::Alarm",
    "aws_cloudwatch_event_rule": "AWS::Events::Rule",
    "aws_apigatewayv2_api": "AWS::ApiGatewayV2::Api",
    "aws_apigatewayv2_stage": "AWS::ApiGatewayV2::Stage",
    "aws_apigatewayv2_route": "AWS::ApiGatewayV2::Route",
    "aws_apigatewayv2_integration": "AWS::ApiGatewayV2::Integration",
    "aws_apigatewayv2_authorizer": "AWS::ApiGatewayV2::Authorizer",
    "aws_apigatewayv2_deployment": "AWS::ApiGatewayV2::Deployment",
    "aws_ecs_cluster": "AWS::ECS::Cluster",
    "aws_ecs_service": "AWS::ECS::Service",
    "aws_ecs_task_definition": "AWS::ECS::TaskDefinition",
    "aws_lb": "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "aws_alb": "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "aws_lb_target_group": "AWS::ElasticLoadBalancingV2::TargetGroup",
    "aws_alb_target_group": "AWS::ElasticLoadBalancingV2::TargetGroup",
    "aws_lb_listener": "AWS::ElasticLoadBalancingV2::Listener",
    "aws_alb_listener": "AWS::ElasticLoadBalancingV2::Listener",
    "aws_lb_listener_rule": "AWS::ElasticLoadBalancingV2::ListenerRule",
    "aws_alb_listener_rule": "AWS::ElasticLoadBalancingV2::ListenerRule",
    "aws_appautoscaling_target": "AWS::ApplicationAutoScaling::ScalableTarget",
    "aws_appautoscaling_policy": "AWS::ApplicationAutoScaling::ScalingPolicy",
    "aws_iam_role": "AWS::IAM::Role",
    "aws_iam_policy": "AWS::IAM::ManagedPolicy",
    "aws_secretsmanager_secret": "AWS::SecretsManager::Secret",
    "aws_ssm_parameter": "AWS::SSM::Parameter",
    "aws_vpc": "AWS::EC2::VPC",
    "aws_subnet": "AWS::EC2::Subnet",
    "aws_security_group": "AWS::EC2::SecurityGroup",
    "aws_nat_gateway": "AWS::EC2::NatGateway",
    "aws_eip": "AWS::EC2::EIP",
    "aws_internet_gateway": "AWS::EC2::InternetGateway",
    "aws_route_table": "AWS::EC2::RouteTable",
    "aws_vpc_endpoint": "AWS::EC2::VPCEndpoint",
    "aws_cloudfront_distribution": "AWS::CloudFront::Distribution",
    "aws_wafv2_web_acl": "AWS::WAFv2::WebACL",
    "aws_cognito_user_pool": "AWS::Cognito::UserPool",
    "aws_cognito_user_pool_client": "AWS::Cognito::UserPoolClient",
    "aws_db_instance": "AWS::RDS::DBInstance",
    "aws_rds_cluster": "AWS::RDS::DBCluster",
    "aws_db_proxy": "AWS::RDS::DBProxy",
    "aws_elasticache_cluster": "AWS::ElastiCache::CacheCluster",
    "aws_elasticache_replication_group": "AWS::ElastiCache::ReplicationGroup",
    "aws_opensearch_domain": "AWS::OpenSearchService::Domain",
    "aws_route53_zone": "AWS::Route53::HostedZone",
    "aws_route53_record": "AWS::Route53::RecordSet",
    "aws_codedeploy_app": "AWS::CodeDeploy::Application",
    "aws_codedeploy_deployment_group": "AWS::CodeDeploy::DeploymentGroup",
    "aws_appconfig_application": "AWS::AppConfig::Application",
    "aws_appconfig_environment": "AWS::AppConfig::Environment",
    "aws_appconfig_configuration_profile": "AWS::AppConfig::ConfigurationProfile",
    "aws_appconfig_deployment_strategy": "AWS::AppConfig::DeploymentStrategy",
}
"""Terraform AWS provider resource type -> CloudFormation type (Terraform Registry, hashicorp/aws)."""

MERGED_TYPES: Final[dict[str, tuple[str, str]]] = {
    "aws_s3_bucket_server_side_encryption_configuration": ("aws_s3_bucket", "bucket"),
    "aws_s3_bucket_versioning": ("aws_s3_bucket", "bucket"),
    "aws_s3_bucket_public_access_block": ("aws_s3_bucket", "bucket"),
    "aws_s3_bucket_lifecycle_configuration": ("aws_s3_bucket", "bucket"),
    "aws_s3_bucket_ownership_controls": ("aws_s3_bucket", "bucket"),
    "aws_s3_bucket_cors_configuration": ("aws_s3_bucket", "bucket"),
    "aws_s3_bucket_notification": ("aws_s3_bucket", "bucket"),
    "aws_s3_bucket_acl": ("aws_s3_bucket", "bucket"),
    "aws_s3_bucket_logging": ("aws_s3_bucket", "bucket"),
    "aws_s3_bucket_website_configuration": ("aws_s3_bucket", "bucket"),
    "aws_s3_bucket_accelerate_configuration": ("aws_s3_bucket", "bucket"),
    "aws_s3_bucket_object_lock_configuration": ("aws_s3_bucket", "bucket"),
    "aws_s3_bucket_replication_configuration": ("aws_s3_bucket", "bucket"),
    "aws_s3_bucket_request_payment_configuration": ("aws_s3_bucket", "bucket"),
    "aws_s3_bucket_intelligent_tiering_configuration": ("aws_s3_bucket", "bucket"),
    "aws_iam_role_policy": ("aws_iam_role", "role"),
    "aws_iam_role_policy_attachment": ("aws_iam_role", "role"),
    "aws_iam_role_policies_exclusive": ("aws_iam_role", "role_name"),
    "aws_sqs_queue_redrive_policy": ("aws_sqs_queue", "queue_url"),
    "aws_kms_key_policy": ("aws_kms_key", "key_id"),
}
"""Split configuration types -> (parent type, attribute naming the parent). CloudFormation declares
these inline (``AWS::S3::Bucket.BucketEncryption``, ``AWS::IAM::Role.Policies``...), so the model merges
them onto the parent resource to keep the resource sets of both worlds comparable."""

TAGGED_TYPES_OF_UNTAGGED_KINDS: Final = frozenset({"aws_lambda_event_source_mapping"})
"""Types that carry tags although their kind is in the model's untaggable list (Lambda event source
mappings are taggable since 2024: Lambda API ``TagResource`` accepts their ARN)."""

ARTIFACT_TYPES: Final = frozenset({
    "aws_s3_object", "aws_s3_bucket_object", "aws_s3_object_copy", "aws_lambda_invocation",
})
"""Uploaded objects and one-off invocations: deployment artifacts, not infrastructure to compare."""

NAME_ATTRIBUTE: Final[dict[str, str]] = {
    "aws_s3_bucket": "bucket",
    "aws_lambda_function": "function_name",
    "aws_cloudwatch_metric_alarm": "alarm_name",
    "aws_kms_key": "key_id",
    "aws_sns_topic_subscription": "arn",
    "aws_lambda_permission": "statement_id",
    "aws_apigatewayv2_route": "route_key",
    "aws_lambda_event_source_mapping": "uuid",
    "aws_iam_role_policy": "name",
    "aws_vpc": "id",
    "aws_subnet": "id",
    "aws_s3_bucket_policy": "bucket",
    "aws_sqs_queue_policy": "queue_url",
    "aws_sns_topic_policy": "arn",
}
"""The attribute naming a resource on AWS when it is not ``name`` (the model's ``physical_id``)."""

ID_ATTRIBUTE: Final[dict[str, str]] = {
    **{t: NAME_ATTRIBUTE.get(t, "name") for t in (
        "aws_s3_bucket", "aws_dynamodb_table", "aws_lambda_function", "aws_cloudwatch_log_group",
        "aws_cloudwatch_metric_alarm", "aws_iam_role", "aws_kms_alias", "aws_ssm_parameter", "aws_ecs_cluster")},
    "aws_s3_bucket_policy": "bucket",
    "aws_sqs_queue_policy": "queue_url",
    "aws_sns_topic_policy": "arn",
    "aws_sns_topic": "arn",
    "aws_kms_key": "key_id",
}
"""Types whose Terraform ``id`` is another of their attributes (provider docs, "Attribute Reference")."""

ARN_FORMATS: Final[dict[str, str]] = {
    "aws_s3_bucket": "arn:{partition}:s3:::{name}",
    "aws_sqs_queue": "arn:{partition}:sqs:{region}:{account}:{name}",
    "aws_sns_topic": "arn:{partition}:sns:{region}:{account}:{name}",
    "aws_lambda_function": "arn:{partition}:lambda:{region}:{account}:function:{name}",
    "aws_dynamodb_table": "arn:{partition}:dynamodb:{region}:{account}:table/{name}",
    "aws_cloudwatch_log_group": "arn:{partition}:logs:{region}:{account}:log-group:{name}",
    "aws_cloudwatch_metric_alarm": "arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}",
    "aws_iam_role": "arn:{partition}:iam::{account}:role/{name}",
    "aws_kms_alias": "arn:{partition}:kms:{region}:{account}:{name}",
}
"""ARNs that are a function of the name, Region and account (the services' "Resource types defined by"
tables of the Service Authorization Reference); a role's path other than ``/`` is not applied."""

PULUMI_TYPE_EXCEPTIONS: Final[dict[str, str]] = {
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketV2:BucketV2": "aws_s3_bucket",
    "aws:s3/bucketObject:BucketObject": "aws_s3_bucket_object",
    "aws:s3/bucketObjectv2:BucketObjectv2": "aws_s3_object",
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/proxy:Proxy": "aws_db_proxy",
    "aws:codedeploy/application:Application": "aws_codedeploy_app",
    "aws:cloudwatch/eventRule:EventRule": "aws_cloudwatch_event_rule",
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:alb/loadBalancer:LoadBalancer": "aws_alb",
    "aws:sns/topicSubscription:TopicSubscription": "aws_sns_topic_subscription",
    "aws:appautoscaling/target:Target": "aws_appautoscaling_target",
    "aws:appautoscaling/policy:Policy": "aws_appautoscaling_policy",
}
"""Pulumi tokens whose Terraform type the generic rule below does not give."""

_EC2_UNPREFIXED: Final = frozenset({
    "vpc", "subnet", "security_group", "nat_gateway", "eip", "internet_gateway", "route_table", "route",
    "vpc_endpoint", "instance", "launch_template", "network_interface", "route_table_association",
    "security_group_rule", "vpc_security_group_ingress_rule", "vpc_security_group_egress_rule",
    "default_security_group", "egress_only_internet_gateway", "key_pair", "ami", "ebs_volume",
})
"""EC2 module members whose Terraform type carries no ``ec2_`` prefix (``aws:ec2/vpc:Vpc`` -> ``aws_vpc``)."""


def cfn_type(tf_type: str) -> str | None:
    """The CloudFormation type of a Terraform type, ``None`` when the model has none."""
    return CFN_BY_TF_TYPE.get(tf_type)


def misspelt_type(tf_type: str) -> str | None:
    """The known type ``tf_type`` is most likely a typo of (``aws_s3_buckett`` -> ``aws_s3_bucket``).

    Terraform itself rejects a resource type its provider does not have; the model knows a subset of
    the provider's types, so only a near miss of a known type (one or two edited characters) is
    reported as an error, and other unknown types stay warnings.
    """
    import difflib

    if not is_aws_type(tf_type) or tf_type in CFN_BY_TF_TYPE or tf_type in MERGED_TYPES or tf_type in ARTIFACT_TYPES:
        return None
    known = [*CFN_BY_TF_TYPE, *MERGED_TYPES, *ARTIFACT_TYPES]
    close = difflib.get_close_matches(tf_type, known, n=1, cutoff=0.9)
    return close[0] if close else None


def is_aws_type(tf_type: str) -> bool:
    return tf_type.startswith("aws_")


def snake(name: str) -> str:
    """``bucketServerSideEncryptionConfigurationV2`` -> ``bucket_server_side_encryption_configuration_v2``."""
    text = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    text = re.sub(r"(?<=[A-Z])([A-Z][a-z])", r"_\1", text)
    return text.lower()


def tf_type_of_pulumi(token: str) -> str | None:
    """The Terraform type a Pulumi ``aws:<module>/<member>:<Name>`` token bridges, ``None`` if not AWS.

    The pulumi-aws provider maps ``aws_<module>_<member>`` resources to ``aws:<module>/<member>:<Name>``
    (camelCase member); S3 "V2" resources of pulumi-aws v6 drop their suffix in Terraform, and EC2
    networking members have no ``ec2_`` prefix.
    """
    if token in PULUMI_TYPE_EXCEPTIONS:
        return PULUMI_TYPE_EXCEPTIONS[token]
    match = re.fullmatch(r"aws:([A-Za-z0-9]+)/([A-Za-z0-9]+):([A-Za-z0-9]+)", token)
    if match is None:
        return None
    module, member = match.group(1).lower(), snake(match.group(2))
    member = re.sub(r"_?v2$", "", member) if module == "s3" else member
    if module == "ec2" and member in _EC2_UNPREFIXED:
        return f"aws_{member}"
    if member == module or member.startswith(f"{module}_"):
        return f"aws_{member}"
    return f"aws_{module}_{member}"
