"""S3 buckets and bucket policies.

Each bucket sub-configuration (lifecycle, notifications, CORS...) is translated from CloudFormation's
shape into the S3 API's by :mod:`.s3_shapes`, written with its ``PutBucket*`` call, read back with its
``GetBucket*`` call and compared with that translation.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._shapes import json_text, policy_differences
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    default_name,
    error_code,
    is_not_found,
    tag_differences,
    tag_list,
    tag_map,
)
from pytest_infra_parity.deploy.provisioners.s3_shapes import (
    cors_rules,
    encryption_differences,
    encryption_rules,
    lifecycle_differences,
    lifecycle_rules,
    logging_config,
    notification_config,
    notification_differences,
    public_access_block,
    value_differences,
    website_config,
)

# The group a canned ACL grants access to (owner-only ACLs grant none).
_GROUPS = "http://acs.amazonaws.com/groups/"
_ACL_GROUPS = {
    "PublicRead": _GROUPS + "global/AllUsers",
    "PublicReadWrite": _GROUPS + "global/AllUsers",
    "AuthenticatedRead": _GROUPS + "global/AuthenticatedUsers",
    "LogDeliveryWrite": _GROUPS + "s3/LogDelivery",
}
# Regions whose website endpoint is ``s3-website-<region>`` (the others use ``s3-website.<region>``).
_WEBSITE_DASH_REGIONS = frozenset(
    {"us-east-1", "us-west-1", "us-west-2", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "eu-west-1"}
    | {"sa-east-1", "us-gov-west-1"}
)


def _partition(region: str) -> tuple[str, str]:
    """The ARN partition and DNS suffix of a region."""
    if region.startswith("cn-"):
        return "aws-cn", "amazonaws.com.cn"
    return ("aws-us-gov" if region.startswith("us-gov-") else "aws"), "amazonaws.com"


def _canned_acl(access_control: str) -> str:
    """CloudFormation's ``AccessControl`` (``LogDeliveryWrite``) as a canned ACL (``log-delivery-write``)."""
    return re.sub(r"(?<!^)([A-Z])", r"-\1", access_control).lower()


def _absent(exc: BaseException) -> bool:
    """True for the codes S3 answers when a bucket has no such sub-configuration (``NoSuchCORSConfiguration``,
    ``ServerSideEncryptionConfigurationNotFoundError``...)."""
    code = error_code(exc)
    return (code.startswith("NoSuch") and code != "NoSuchBucket") or code.endswith("NotFoundError")


def _get(call: Any, bucket: str, *path: str) -> Any:
    """Dig ``path`` out of an S3 ``Get*`` answer; ``None`` when the bucket has no such configuration."""
    try:
        value: Any = call(Bucket=bucket)
    except Exception as exc:
        if _absent(exc):
            return None
        if is_not_found(exc) or error_code(exc) in ("404", "NoSuchBucket"):
            raise ResourceMissing(f"bucket {bucket} does not exist") from exc
        raise
    for key in path:
        value = None if value is None else value.get(key)
    return value


@dataclass(frozen=True)
class _Part:
    """One bucket sub-configuration: CloudFormation -> API translation, write, read back, compare."""

    to_api: Callable[[str, Any], Any]
    put: Callable[[Any, str, Any], Any]
    get: Callable[[Any, str], Any]
    compare: Callable[[ProvisionRequest, str, Any, Any], list[str]] = value_differences


_PARTS: dict[str, _Part] = {
    "PublicAccessBlockConfiguration": _Part(
        public_access_block,
        lambda s3, b, v: s3.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration=v),
        lambda s3, b: _get(s3.get_public_access_block, b, "PublicAccessBlockConfiguration"),
    ),
    "BucketEncryption": _Part(
        encryption_rules,
        lambda s3, b, v: s3.put_bucket_encryption(Bucket=b, ServerSideEncryptionConfiguration={"Rules": v}),
        lambda s3, b: _get(s3.get_bucket_encryption, b, "ServerSideEncryptionConfiguration", "Rules"),
        encryption_differences,
    ),
    "VersioningConfiguration": _Part(
        lambda _b, c: {"Status": c["Status"]},
        lambda s3, b, v: s3.put_bucket_versioning(Bucket=b, VersioningConfiguration=v),
        lambda s3, b: {"Status": _get(s3.get_bucket_versioning, b, "Status")},
    ),
    "LifecycleConfiguration": _Part(
        lifecycle_rules,
        lambda s3, b, v: s3.put_bucket_lifecycle_configuration(Bucket=b, LifecycleConfiguration={"Rules": v}),
        lambda s3, b: _get(s3.get_bucket_lifecycle_configuration, b, "Rules") or [],
        lambda _r, _p, declared, live: lifecycle_differences(declared, live),
    ),
    "CorsConfiguration": _Part(
        cors_rules,
        lambda s3, b, v: s3.put_bucket_cors(Bucket=b, CORSConfiguration={"CORSRules": v}),
        lambda s3, b: _get(s3.get_bucket_cors, b, "CORSRules"),
    ),
    "WebsiteConfiguration": _Part(
        website_config,
        lambda s3, b, v: s3.put_bucket_website(Bucket=b, WebsiteConfiguration=v),
        lambda s3, b: _get(s3.get_bucket_website, b),
    ),
    "LoggingConfiguration": _Part(
        logging_config,
        lambda s3, b, v: s3.put_bucket_logging(Bucket=b, BucketLoggingStatus={"LoggingEnabled": v}),
        lambda s3, b: _get(s3.get_bucket_logging, b, "LoggingEnabled"),
    ),
    "NotificationConfiguration": _Part(
        notification_config,
        lambda s3, b, v: s3.put_bucket_notification_configuration(Bucket=b, NotificationConfiguration=v),
        lambda s3, b: _get(s3.get_bucket_notification_configuration, b),
        notification_differences,
    ),
    "OwnershipControls": _Part(
        lambda _b, c: [{"ObjectOwnership": r["ObjectOwnership"]} for r in c.get("Rules") or []],
        lambda s3, b, v: s3.put_bucket_ownership_controls(Bucket=b, OwnershipControls={"Rules": v}),
        lambda s3, b: _get(s3.get_bucket_ownership_controls, b, "OwnershipControls", "Rules"),
    ),
}


def _acl_differences(request: ProvisionRequest, name: str) -> list[str]:
    acl = request.prop("AccessControl")
    if acl not in _ACL_GROUPS:
        return []
    grants = request.client("s3").get_bucket_acl(Bucket=name).get("Grants", [])
    # moto: GetBucketAcl lists a grant that holds several permissions with its first permission only
    # (log-delivery-write shows READ_ACP, not WRITE), so the grantee group is compared, not permissions.
    if _ACL_GROUPS[acl] in {g["Grantee"].get("URI") for g in grants}:
        return []
    return [f"AccessControl {acl}: no grant to {_ACL_GROUPS[acl]}"]


@register
class BucketProvisioner:
    """``AWS::S3::Bucket``: primary identifier ``BucketName``; ``Ref`` returns the bucket name.

    ``Fn::GetAtt``: ``Arn``, ``DomainName``, ``RegionalDomainName``, ``DualStackDomainName``,
    ``WebsiteURL``. Deleting empties the bucket (every object version and delete marker) first.
    """

    resource_type: ClassVar[str] = "AWS::S3::Bucket"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"BucketName", "AccessControl", "Tags", *_PARTS}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        s3 = request.client("s3")
        name = request.prop("BucketName") or default_name(
            request, max_length=63, lowercase=True, allowed=string.ascii_letters + string.digits + "-"
        )
        params: dict[str, Any] = {"Bucket": name}
        if request.region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": request.region}
        ownership = (request.prop("OwnershipControls") or {}).get("Rules") or []
        if ownership:
            params["ObjectOwnership"] = ownership[0]["ObjectOwnership"]
        if request.prop("AccessControl") is not None:
            params["ACL"] = _canned_acl(request.prop("AccessControl"))
        s3.create_bucket(**params)
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_list(request)})
        for prop, part in _PARTS.items():
            if request.prop(prop) is not None and prop != "OwnershipControls":
                part.put(s3, name, part.to_api(name, request.prop(prop)))
        partition, suffix = _partition(request.region)
        separator = "-" if request.region in _WEBSITE_DASH_REGIONS else "."
        attributes = {
            "Arn": f"arn:{partition}:s3:::{name}",
            "DomainName": f"{name}.s3.{suffix}",
            "RegionalDomainName": f"{name}.s3.{request.region}.{suffix}",
            "DualStackDomainName": f"{name}.s3.dualstack.{request.region}.{suffix}",
            "WebsiteURL": f"http://{name}.s3-website{separator}{request.region}.{suffix}",
        }
        return ProvisionResult(physical_id=name, attributes=attributes)

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        s3 = request.client("s3")
        name = result.physical_id
        try:
            s3.head_bucket(Bucket=name)
        except Exception as exc:
            if is_not_found(exc) or error_code(exc) in ("404", "NoSuchBucket"):
                raise ResourceMissing(f"bucket {name} ({request.logical_id}) does not exist") from exc
            raise
        live_tags = _get(s3.get_bucket_tagging, name, "TagSet") or []
        problems = tag_differences(tag_map(request), {t["Key"]: t["Value"] for t in live_tags})
        for prop, part in _PARTS.items():
            if request.prop(prop) is not None:
                declared = part.to_api(name, request.prop(prop))
                problems += part.compare(request, prop, declared, part.get(s3, name))
        return problems + _acl_differences(request, name)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        s3 = request.client("s3")
        name = result.physical_id
        try:
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
                entries = [
                    {"Key": v["Key"], "VersionId": v["VersionId"]}
                    for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
                ]
                for start in range(0, len(entries), 1000):
                    chunk = entries[start : start + 1000]
                    s3.delete_objects(Bucket=name, Delete={"Objects": chunk, "Quiet": True})
            s3.delete_bucket(Bucket=name)
        except Exception as exc:
            if not (is_not_found(exc) or error_code(exc) == "NoSuchBucket"):
                raise


@register
class BucketPolicyProvisioner:
    """``AWS::S3::BucketPolicy``: primary identifier ``Bucket``; ``Ref`` returns the bucket name.
    No ``Fn::GetAtt`` attributes.
    """

    resource_type: ClassVar[str] = "AWS::S3::BucketPolicy"
    supported_properties: ClassVar[frozenset[str]] = frozenset({"Bucket", "PolicyDocument"})

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        bucket = str(request.prop("Bucket"))
        request.client("s3").put_bucket_policy(
            Bucket=bucket, Policy=json_text(request.prop("PolicyDocument"))
        )
        return ProvisionResult(physical_id=bucket)

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        live = _get(request.client("s3").get_bucket_policy, result.physical_id, "Policy")
        if live is None:
            raise ResourceMissing(f"bucket {result.physical_id} has no policy ({request.logical_id})")
        return policy_differences("PolicyDocument", request.prop("PolicyDocument"), live)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        try:
            request.client("s3").delete_bucket_policy(Bucket=result.physical_id)
        except Exception as exc:
            if not (is_not_found(exc) or error_code(exc) in ("NoSuchBucket", "NoSuchBucketPolicy")):
                raise
