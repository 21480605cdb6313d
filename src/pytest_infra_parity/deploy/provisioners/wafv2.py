"""AWS WAFv2 web ACLs and their associations with regional resources.

Emulated store: when the target answers that WAFv2 is not implemented (LocalStack's free plan answers
501), the declared resource is kept with :mod:`._emulated` instead; never on moto, which implements
every call used here.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

from pytest_infra_parity.deploy.provisioners import register
from pytest_infra_parity.deploy.provisioners._common import (
    emulate,
    emulated_differences,
    emulated_or_raise,
    settle_delete,
)
from pytest_infra_parity.deploy.provisioners._emulated import target_lacks
from pytest_infra_parity.deploy.provisioners._shapes import coerced, subset_differences
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionError,
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    default_name,
    differs,
    is_not_found,
    tag_differences,
    tag_list,
    tag_map,
)

_OPTIONAL = (
    "Description",
    "CustomResponseBodies",
    "TokenDomains",
    "CaptchaConfig",
    "ChallengeConfig",
    "AssociationConfig",
)


def _to_api(value: Any) -> Any:
    """CloudFormation's rule statements as the API takes them (``SearchStringBase64`` -> bytes)."""
    if isinstance(value, list):
        return [_to_api(v) for v in value]
    if not isinstance(value, Mapping):
        return value
    converted: dict[str, Any] = {}
    for key, item in value.items():
        if key == "SearchStringBase64":
            converted["SearchString"] = base64.b64decode(str(item))
        elif key == "SearchString" and isinstance(item, str):
            converted["SearchString"] = item.encode()
        else:
            converted[key] = _to_api(item)
    return converted


def _declared(request: ProvisionRequest, name: str, scope: str) -> dict[str, Any]:
    params: dict[str, Any] = {
        "Name": name,
        "Scope": scope,
        "DefaultAction": request.prop("DefaultAction"),
        "VisibilityConfig": request.prop("VisibilityConfig"),
        "Rules": list(request.prop("Rules", [])),
    }
    params.update({key: request.properties[key] for key in _OPTIONAL if key in request.properties})
    return coerced(request.client("wafv2"), "create_web_acl", _to_api(params))


def _split(physical_id: str) -> tuple[str, str, str]:
    name, acl_id, scope = physical_id.split("|")
    return name, acl_id, scope


def _get(request: ProvisionRequest, physical_id: str) -> dict[str, Any]:
    name, acl_id, scope = _split(physical_id)
    try:
        found: dict[str, Any] = request.client("wafv2").get_web_acl(Name=name, Scope=scope, Id=acl_id)
    except ClientError as exc:
        if is_not_found(exc):
            raise ResourceMissing(f"{request.logical_id}: web ACL {name} ({scope})") from exc
        raise
    return found


def _rule_differences(declared: list[Any], live: list[Any]) -> list[str]:
    by_name = {rule["Name"]: rule for rule in live}
    problems = differs("Rules (names)", sorted(r["Name"] for r in declared), sorted(by_name))
    for rule in declared:
        if rule["Name"] in by_name:
            problems += subset_differences(f"Rules[{rule['Name']}]", rule, by_name[rule["Name"]])
    return problems


@register
class WebACLProvisioner:
    """AWS::WAFv2::WebACL. Primary identifier: Name, Id, Scope.

    Ref returns ``name|id|scope``. Fn::GetAtt: Arn, Id, Capacity, LabelNamespace.
    A CLOUDFRONT web ACL is created in us-east-1, as AWS requires.
    """

    resource_type: ClassVar[str] = "AWS::WAFv2::WebACL"
    supported_properties: ClassVar[frozenset[str]] = frozenset(
        {"Name", "Scope", "DefaultAction", "Rules", "VisibilityConfig", "Tags", *_OPTIONAL}
    )

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        scope = str(request.prop("Scope", "REGIONAL"))
        if scope == "CLOUDFRONT" and request.region != "us-east-1":
            raise ProvisionError(f"{request.logical_id}: a CLOUDFRONT web ACL must be created in us-east-1, "
                                 f"not {request.region}")
        name = str(request.prop("Name") or default_name(request, 128))
        try:
            summary = request.client("wafv2").create_web_acl(
                **_declared(request, name, scope), Tags=tag_list(request)
            )["Summary"]
        except (ClientError, ResponseParserError) as exc:
            if target_lacks(exc):
                acl_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{request.stack_name}/{request.logical_id}"))
                kind = "global" if scope == "CLOUDFRONT" else request.region
                arn = f"arn:aws:wafv2:{request.region}:{request.account_id}:{kind}/webacl/{name}/{acl_id}"
                return emulate(request, f"{name}|{acl_id}|{scope}", {
                    "Arn": arn, "Id": acl_id, "Capacity": 0,
                    "LabelNamespace": f"awswaf:{request.account_id}:webacl:{name}:"}, exc)
            raise
        physical_id = f"{name}|{summary['Id']}|{scope}"
        acl = _get(request, physical_id)["WebACL"]
        return ProvisionResult(physical_id, {
            "Arn": acl["ARN"], "Id": acl["Id"], "Capacity": acl.get("Capacity", 0),
            "LabelNamespace": acl.get("LabelNamespace", ""),
        })

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        try:
            acl = _get(request, result.physical_id)["WebACL"]
        except (ClientError, ResponseParserError) as exc:
            return emulated_or_raise(request, result.physical_id, exc)
        name, _, scope = _split(result.physical_id)
        declared = _declared(request, name, scope)
        problems = _rule_differences(declared["Rules"], acl.get("Rules") or [])
        for key in ("DefaultAction", "VisibilityConfig"):
            problems += subset_differences(key, declared[key], acl.get(key))
        for key in _OPTIONAL:
            if key in declared:
                problems += subset_differences(key, declared[key], acl.get(key))
        tags = request.client("wafv2").list_tags_for_resource(ResourceARN=acl["ARN"])["TagInfoForResource"]
        live_tags = {t["Key"]: t["Value"] for t in tags.get("TagList", [])}
        return problems + tag_differences(tag_map(request), live_tags)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        name, acl_id, scope = _split(result.physical_id)
        try:
            token = _get(request, result.physical_id)["LockToken"]
            request.client("wafv2").delete_web_acl(Name=name, Scope=scope, Id=acl_id, LockToken=token)
        except ResourceMissing:
            return
        except (ClientError, ResponseParserError) as exc:
            settle_delete(request, exc)


# --- AWS::WAFv2::WebACLAssociation ---

_HTTP_API = re.compile(r"^arn:aws[\w-]*:apigateway:[\w-]+::/apis/")


def _check_association(request: ProvisionRequest, resource_arn: str, acl_arn: str) -> None:
    """Refuse what AWS WAF cannot protect through a web ACL association."""
    if _HTTP_API.match(resource_arn):
        raise ProvisionError(
            f"{request.logical_id}: AWS WAF cannot be associated with an API Gateway HTTP API "
            f"({resource_arn}); a web ACL protects REST API stages "
            "(arn:...:apigateway:<region>::/restapis/<id>/stages/<stage>), Application Load Balancers, "
            "AppSync APIs, Cognito user pools, App Runner services and Verified Access instances. "
            "Put a REST API, an ALB or a CloudFront distribution (WebACLId) in front of it."
        )
    if ":cloudfront::" in resource_arn or ":global/webacl/" in acl_arn:
        raise ProvisionError(
            f"{request.logical_id}: CloudFront distributions take their web ACL in the distribution's "
            "DistributionConfig.WebACLId, not through AWS::WAFv2::WebACLAssociation"
        )


@register
class WebACLAssociationProvisioner:
    """AWS::WAFv2::WebACLAssociation. Primary identifier: ResourceArn, WebACLArn.

    Ref returns ``<ResourceArn>|<WebACLArn>``. No Fn::GetAtt attributes. An API Gateway HTTP API ARN
    is refused: AWS WAF does not protect HTTP APIs.
    """

    resource_type: ClassVar[str] = "AWS::WAFv2::WebACLAssociation"
    supported_properties: ClassVar[frozenset[str]] = frozenset({"ResourceArn", "WebACLArn"})

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        resource_arn, acl_arn = str(request.prop("ResourceArn")), str(request.prop("WebACLArn"))
        _check_association(request, resource_arn, acl_arn)
        physical_id = f"{resource_arn}|{acl_arn}"
        try:
            request.client("wafv2").associate_web_acl(WebACLArn=acl_arn, ResourceArn=resource_arn)
        except (ClientError, ResponseParserError) as exc:
            if target_lacks(exc):
                return emulate(request, physical_id, {}, exc)
            raise
        return ProvisionResult(physical_id)

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        resource_arn, acl_arn = result.physical_id.rsplit("|", 1)
        try:
            acl = request.client("wafv2").get_web_acl_for_resource(ResourceArn=resource_arn).get("WebACL")
        except (ClientError, ResponseParserError) as exc:
            if target_lacks(exc):
                return emulated_differences(request, result.physical_id)
            if is_not_found(exc):
                raise ResourceMissing(f"{request.logical_id}: {resource_arn} has no web ACL") from exc
            raise
        if not acl:
            raise ResourceMissing(f"{request.logical_id}: {resource_arn} has no web ACL")
        return differs("WebACLArn", acl_arn, acl["ARN"])

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        resource_arn, acl_arn = result.physical_id.rsplit("|", 1)
        waf = request.client("wafv2")
        try:
            acl = waf.get_web_acl_for_resource(ResourceArn=resource_arn).get("WebACL")
            if acl and acl["ARN"] == acl_arn:
                waf.disassociate_web_acl(ResourceArn=resource_arn)
        except (ClientError, ResponseParserError) as exc:
            settle_delete(request, exc)
