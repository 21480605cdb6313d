"""Selections by tags and by ARNs, turned into the targets the live readers read.

Tags: Resource Groups Tagging API ``GetResources`` with one ``TagFilters`` entry per ``Key=Value``
(every pair must match), all pages. The ARNs are then mapped onto CloudFormation types by their
service and resource type (Service Authorization Reference, "Resource types defined by <service>").

moto's tagging API does not return HTTP APIs (API Gateway v2) nor IAM roles; AWS's does not return
IAM roles either. For a service whose resources the tagging API returned none of, the selection
falls back to listing that service (``GetApis`` + ``GetStages``, ``ListRoles`` + ``ListRoleTags``)
and filtering on the tags itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from pytest_infra_parity.inventory.live_common import Context, Target

DELETED_TAG = "infra-parity:deleted"
"""The plugin's mark of a resource it deleted on a target without a delete call for it."""

_RESOURCE_TYPES: dict[str, list[tuple[str, str]]] = {
    # service -> [(resource-type prefix, CloudFormation type)], first match wins; "" = no prefix
    "s3": [("", "AWS::S3::Bucket")],
    "sqs": [("", "AWS::SQS::Queue")],
    "sns": [("", "AWS::SNS::Topic")],
    "dynamodb": [("table/", "AWS::DynamoDB::Table")],
    "lambda": [("function:", "AWS::Lambda::Function"), ("layer:", "AWS::Lambda::LayerVersion"),
               ("event-source-mapping:", "AWS::Lambda::EventSourceMapping")],
    "logs": [("log-group:", "AWS::Logs::LogGroup")],
    "cloudwatch": [("alarm:", "AWS::CloudWatch::Alarm")],
    "kms": [("key/", "AWS::KMS::Key"), ("alias/", "AWS::KMS::Alias")],
    "apigateway": [("/apis/", "AWS::ApiGatewayV2::Api")],
    "ecs": [("cluster/", "AWS::ECS::Cluster"), ("service/", "AWS::ECS::Service"),
            ("task-definition/", "AWS::ECS::TaskDefinition")],
    "elasticloadbalancing": [("loadbalancer/", "AWS::ElasticLoadBalancingV2::LoadBalancer"),
                             ("targetgroup/", "AWS::ElasticLoadBalancingV2::TargetGroup"),
                             ("listener/", "AWS::ElasticLoadBalancingV2::Listener"),
                             ("listener-rule/", "AWS::ElasticLoadBalancingV2::ListenerRule")],
    "iam": [("role/", "AWS::IAM::Role"), ("policy/", "AWS::IAM::ManagedPolicy")],
    "secretsmanager": [("secret:", "AWS::SecretsManager::Secret")],
    "ssm": [("parameter/", "AWS::SSM::Parameter")],
    "events": [("rule/", "AWS::Events::Rule")],
    "states": [("stateMachine:", "AWS::StepFunctions::StateMachine")],
    "cloudfront": [("distribution/", "AWS::CloudFront::Distribution")],
    "rds": [("db:", "AWS::RDS::DBInstance"), ("cluster:", "AWS::RDS::DBCluster"),
            ("subgrp:", "AWS::RDS::DBSubnetGroup")],
    "elasticache": [("replicationgroup:", "AWS::ElastiCache::ReplicationGroup"),
                    ("cluster:", "AWS::ElastiCache::CacheCluster"), ("subnetgroup:", "AWS::ElastiCache::SubnetGroup")],
    "es": [("domain/", "AWS::OpenSearchService::Domain")],
    "cognito-idp": [("userpool/", "AWS::Cognito::UserPool")],
    "appconfig": [("application/", "AWS::AppConfig::Application"),
                  ("deploymentstrategy/", "AWS::AppConfig::DeploymentStrategy")],
    "codedeploy": [("application:", "AWS::CodeDeploy::Application")],
    "ec2": [("vpc/", "AWS::EC2::VPC"), ("subnet/", "AWS::EC2::Subnet"), ("security-group/", "AWS::EC2::SecurityGroup"),
            ("internet-gateway/", "AWS::EC2::InternetGateway"), ("natgateway/", "AWS::EC2::NatGateway"),
            ("route-table/", "AWS::EC2::RouteTable"), ("vpc-endpoint/", "AWS::EC2::VPCEndpoint")],
}


def target_of_arn(arn: str, tags: Mapping[str, str] | None = None) -> Target:
    """The target an ARN names: its CloudFormation type (``""`` when unknown), identifier and name."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return Target("", arn, arn, arn=arn, tags=dict(tags) if tags is not None else None)
    service, resource = parts[2], parts[5]
    cfn_type = next((t for prefix, t in _RESOURCE_TYPES.get(service, []) if resource.startswith(prefix)), "")
    ident, name = _ident(cfn_type, resource, arn)
    if cfn_type == "AWS::SNS::Topic" and ":" in resource:
        cfn_type = "AWS::SNS::Subscription"
    elif cfn_type == "AWS::Lambda::Function" and resource.count(":") >= 2:
        qualifier = resource.rsplit(":", 1)[1]
        cfn_type = "AWS::Lambda::Version" if qualifier.isdigit() or qualifier == "$LATEST" else "AWS::Lambda::Alias"
        ident, name = arn, resource.split(":", 1)[1]
    elif cfn_type == "AWS::ApiGatewayV2::Api" and "/stages/" in resource:
        cfn_type, ident = "AWS::ApiGatewayV2::Stage", resource.rsplit("/", 1)[1]
        name = ident
    return Target(cfn_type, ident, name, arn=arn, tags=dict(tags) if tags is not None else None)


def _ident(cfn_type: str, resource: str, arn: str) -> tuple[str, str]:
    """``(identifier as Ref gives it, physical name)`` of a resource part of an ARN."""
    tail = resource.split("/")[-1]
    if cfn_type in ("AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::ECS::Cluster", "AWS::IAM::Role") or \
            cfn_type.startswith("AWS::EC2::"):
        return tail, tail
    if cfn_type in ("AWS::Lambda::Function", "AWS::CloudWatch::Alarm") or cfn_type.startswith(
            ("AWS::RDS::", "AWS::ElastiCache::")):
        name = resource.split(":", 1)[1]
        return name, name
    if cfn_type == "AWS::Logs::LogGroup":
        name = resource.split(":", 1)[1].removesuffix(":*")
        return name, name
    if cfn_type in ("AWS::KMS::Key", "AWS::OpenSearchService::Domain", "AWS::Cognito::UserPool"):
        return tail, tail
    if cfn_type == "AWS::ApiGatewayV2::Api":
        ident = resource.split("/apis/", 1)[1].split("/", 1)[0]
        return ident, ident
    if cfn_type == "AWS::SQS::Queue":
        return arn, resource
    return arn, tail or resource


def _matches(tags: Mapping[str, str], wanted: Mapping[str, str]) -> bool:
    return all(tags.get(k) == v for k, v in wanted.items())


def by_tags(ctx: Context, wanted: Mapping[str, str]) -> list[Target]:
    """Every resource of the region carrying all ``wanted`` tags."""
    filters = [{"Key": k, "Values": [v]} for k, v in wanted.items()]
    paginator = ctx.clients("resourcegroupstaggingapi").get_paginator("get_resources")
    targets: list[Target] = []
    for page in paginator.paginate(TagFilters=filters, ResourcesPerPage=100):
        for entry in page.get("ResourceTagMappingList", []):
            tags = {t["Key"]: t.get("Value", "") for t in entry.get("Tags", [])}
            if tags.get(DELETED_TAG) != "true":  # deleted, where the target has no delete call (moto)
                targets.append(target_of_arn(entry["ResourceARN"], tags))
    services = {t.arn.split(":")[2] for t in targets if t.arn and t.arn.count(":") >= 5}
    for service, scan in _FALLBACKS.items():
        if service not in services:
            targets.extend(scan(ctx, wanted))
    return targets


def _scan_http_apis(ctx: Context, wanted: Mapping[str, str]) -> list[Target]:
    # moto: GetResources does not return API Gateway v2 APIs or stages.
    client = ctx.clients("apigatewayv2")
    found: list[Target] = []
    for page in client.get_paginator("get_apis").paginate():
        for api in page.get("Items", []):
            arn = f"arn:aws:apigateway:{ctx.region}::/apis/{api['ApiId']}"
            if _matches(api.get("Tags") or {}, wanted):
                found.append(Target("AWS::ApiGatewayV2::Api", api["ApiId"], api["Name"], arn=arn,
                                    tags=dict(api.get("Tags") or {})))
            for stage in client.get_stages(ApiId=api["ApiId"]).get("Items", []):
                if _matches(stage.get("Tags") or {}, wanted):
                    found.append(Target("AWS::ApiGatewayV2::Stage", stage["StageName"], stage["StageName"],
                                        arn=f"{arn}/stages/{stage['StageName']}", tags=dict(stage["Tags"]),
                                        extra={"ApiId": api["ApiId"]}))
    return found


def _scan_roles(ctx: Context, wanted: Mapping[str, str]) -> list[Target]:
    # moto (and AWS): GetResources does not return IAM roles.
    iam = ctx.clients("iam")
    found: list[Target] = []
    for page in iam.get_paginator("list_roles").paginate():
        for role in page.get("Roles", []):
            tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role["RoleName"]).get("Tags", [])}
            if _matches(tags, wanted):
                found.append(Target("AWS::IAM::Role", role["RoleName"], role["RoleName"], arn=role["Arn"], tags=tags))
    return found


_FALLBACKS: dict[str, Callable[[Context, Mapping[str, str]], list[Target]]] = {
    "apigateway": _scan_http_apis,
    "iam": _scan_roles,
}


def by_arns(arns: Iterable[str]) -> list[Target]:
    """One target per ARN (tags read by each reader)."""
    return [target_of_arn(arn) for arn in arns]


def dedupe(targets: Iterable[Target]) -> list[Target]:
    """Targets without repeats (same type and identifier), first one kept."""
    seen: set[tuple[str, str]] = set()
    unique: list[Target] = []
    for target in targets:
        key = (target.cfn_type, target.ident)
        if key not in seen:
            seen.add(key)
            unique.append(target)
    return unique


def parse_tags(text: str) -> dict[str, str]:
    """``{"Project": "photoeditor", "Env": "dev"}`` of ``"Project=photoeditor,Env=dev"``; ValueError if malformed."""
    tags: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",")):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{part!r} is not Key=Value (expected e.g. Project=photoeditor,Env=dev)")
        tags[key.strip()] = value.strip()
    return tags
