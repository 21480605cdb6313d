"""CloudFront distributions and origin access controls.

A template's ``DistributionConfig`` is CloudFormation-shaped (plain lists, ``IPV6Enabled``,
``OriginSSLProtocols``, ``AcmCertificateArn``...); it is converted to the API's shape (``{Quantity,
Items}`` lists, a ``CallerReference``) before ``CreateDistributionWithTags``. A key of
``DistributionConfig`` this module does not convert is refused, never dropped.

moto 5.2 accepts an origin's ``S3OriginConfig`` and ``OriginAccessControlId`` but returns neither:
when the read-back lacks them they are kept in the distribution's companion document (see
:mod:`._common`), and ``verify`` reads them from there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from pytest_infra_parity.deploy.provisioners import _emulated, register
from pytest_infra_parity.deploy.provisioners._common import (
    companion_values,
    ignore_missing,
    keep_companion,
    read_or_missing,
    wait_for,
)
from pytest_infra_parity.deploy.provisioners._shapes import api_call, coerce, sorted_lists, subset_differences
from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionError,
    ProvisionRequest,
    ProvisionResult,
    default_name,
    random_suffix,
    tag_differences,
    tag_list,
)

_SCALARS = (
    "Comment", "DefaultRootObject", "PriceClass", "HttpVersion", "WebACLId", "ContinuousDeploymentPolicyId",
    "Staging", "OriginGroups",
)
_CONVERTED = (
    "Enabled", "IPV6Enabled", "Origins", "DefaultCacheBehavior", "CacheBehaviors", "CustomErrorResponses",
    "Aliases", "Logging", "ViewerCertificate", "Restrictions",
)
_VIEWER_CERTIFICATE_KEYS = {"AcmCertificateArn": "ACMCertificateArn", "IamCertificateId": "IAMCertificateId",
                            "SslSupportMethod": "SSLSupportMethod"}
_BEHAVIOR_SCALARS = (
    "PathPattern", "TargetOriginId", "ViewerProtocolPolicy", "CachePolicyId", "OriginRequestPolicyId",
    "ResponseHeadersPolicyId", "Compress", "SmoothStreaming", "FieldLevelEncryptionId",
    "RealtimeLogConfigArn", "MinTTL", "DefaultTTL", "MaxTTL",
)
_ORIGIN_SCALARS = ("Id", "DomainName", "OriginPath", "ConnectionAttempts", "ConnectionTimeout",
                   "OriginAccessControlId", "OriginShield")
_DROPPED_ORIGIN_FIELDS = ("S3OriginConfig", "OriginAccessControlId")
_ITEM_KEYS = ("Id", "PathPattern", "ErrorCode", "EventType", "HeaderName")
_DEPLOY_TIMEOUT = 3600.0


def _quantity(items: Any) -> dict[str, Any]:
    items = list(items or [])
    return {"Quantity": len(items), "Items": items} if items else {"Quantity": 0}


def _pick(source: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: source[key] for key in keys if source.get(key) is not None}


def _origin(origin: Mapping[str, Any]) -> dict[str, Any]:
    out = _pick(origin, _ORIGIN_SCALARS)
    if "S3OriginConfig" in origin:
        identity = (origin["S3OriginConfig"] or {}).get("OriginAccessIdentity", "")
        out["S3OriginConfig"] = {"OriginAccessIdentity": identity}
    if "CustomOriginConfig" in origin:
        custom = {"HTTPPort": 80, "HTTPSPort": 443, **origin["CustomOriginConfig"]}
        if "OriginSSLProtocols" in custom:
            custom["OriginSslProtocols"] = _quantity(custom.pop("OriginSSLProtocols"))
        out["CustomOriginConfig"] = custom
    if "OriginCustomHeaders" in origin:
        out["CustomHeaders"] = _quantity(origin["OriginCustomHeaders"])
    return out


def _forwarded_values(declared: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(declared)
    cookies = dict(out.get("Cookies") or {"Forward": "none"})
    if "WhitelistedNames" in cookies:
        cookies["WhitelistedNames"] = _quantity(cookies["WhitelistedNames"])
    out["Cookies"] = cookies
    for key in ("Headers", "QueryStringCacheKeys"):
        if key in out:
            out[key] = _quantity(out[key])
    return out


def _behavior(behavior: Mapping[str, Any]) -> dict[str, Any]:
    out = _pick(behavior, _BEHAVIOR_SCALARS)
    if "AllowedMethods" in behavior:
        cached = behavior.get("CachedMethods") or ["GET", "HEAD"]
        out["AllowedMethods"] = {**_quantity(behavior["AllowedMethods"]), "CachedMethods": _quantity(cached)}
    if "ForwardedValues" in behavior:
        out["ForwardedValues"] = _forwarded_values(behavior["ForwardedValues"])
    for key in ("FunctionAssociations", "LambdaFunctionAssociations"):
        if key in behavior:
            out[key] = _quantity(behavior[key])
    for key in ("TrustedSigners", "TrustedKeyGroups"):
        if key in behavior:
            out[key] = {"Enabled": bool(behavior[key]), **_quantity(behavior[key])}
    return out


def _error_response(declared: Mapping[str, Any]) -> dict[str, Any]:
    out = _pick(declared, ("ErrorCode", "ResponsePagePath", "ResponseCode", "ErrorCachingMinTTL"))
    if "ResponseCode" in out:
        out["ResponseCode"] = str(out["ResponseCode"])  # an integer in CloudFormation, a string in the API
    return out


def _restrictions(declared: Mapping[str, Any]) -> dict[str, Any]:
    geo = declared["GeoRestriction"]
    return {"GeoRestriction": {"RestrictionType": geo["RestrictionType"], **_quantity(geo.get("Locations"))}}


def distribution_config(request: ProvisionRequest) -> dict[str, Any]:
    """The API ``DistributionConfig`` for the template's (CloudFormation-shaped) one."""
    declared: Mapping[str, Any] = request.prop("DistributionConfig") or {}
    unknown = sorted(set(declared) - {*_SCALARS, *_CONVERTED})
    if unknown:
        what = f"{request.logical_id}: DistributionConfig keys not supported"
        raise ProvisionError(f"{what}: {', '.join(unknown)}")
    reference = f"{request.stack_name}-{request.logical_id}-{random_suffix(request)}"
    config: dict[str, Any] = {"CallerReference": reference}
    config.update({"Comment": "", **_pick(declared, _SCALARS), "Enabled": declared.get("Enabled", True)})
    if "IPV6Enabled" in declared:
        config["IsIPV6Enabled"] = declared["IPV6Enabled"]
    config["Origins"] = _quantity(_origin(o) for o in declared.get("Origins") or [])
    config["DefaultCacheBehavior"] = _behavior(declared.get("DefaultCacheBehavior") or {})
    optional: dict[str, Callable[[Any], dict[str, Any]]] = {
        "CacheBehaviors": lambda v: _quantity(_behavior(b) for b in v),
        "CustomErrorResponses": lambda v: _quantity(_error_response(r) for r in v),
        "Aliases": _quantity,
        "Logging": lambda v: {"Enabled": True, "IncludeCookies": False, "Prefix": "", **v},
        "ViewerCertificate": lambda v: {_VIEWER_CERTIFICATE_KEYS.get(k, k): x for k, x in v.items()},
        "Restrictions": _restrictions,
    }
    for key, convert in optional.items():
        if declared.get(key) is not None:
            config[key] = convert(declared[key])
    return config


def _live_origins(config: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list((config.get("Origins") or {}).get("Items") or [])


@register
class DistributionProvisioner:
    """``AWS::CloudFront::Distribution``: primary identifier ``Id``; ``Ref`` returns the distribution id.

    ``Fn::GetAtt``: ``DomainName`` (``dxxxx.cloudfront.net``), ``Id``. Deleting disables the
    distribution, waits for it to be deployed, then deletes it with its current ``ETag``.
    """

    resource_type: ClassVar[str] = "AWS::CloudFront::Distribution"
    supported_properties: ClassVar[frozenset[str]] = frozenset({"DistributionConfig", "Tags"})

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        cf = request.client("cloudfront")
        config = distribution_config(request)
        with_tags = {"DistributionConfig": config, "Tags": {"Items": tag_list(request)}}
        created = api_call(cf, "create_distribution_with_tags", DistributionConfigWithTags=with_tags)
        created = created["Distribution"]
        dist_id = str(created["Id"])
        _wait_deployed(request, dist_id)
        live = cf.get_distribution_config(Id=dist_id)["DistributionConfig"]
        stored = {origin["Id"]: origin for origin in _live_origins(live)}
        dropped: dict[str, Any] = {}
        for origin in config["Origins"].get("Items", []):
            kept = stored.get(origin["Id"], {})
            lost = {k: origin[k] for k in _DROPPED_ORIGIN_FIELDS if k in origin and k not in kept}
            if lost:
                dropped[origin["Id"]] = lost
        # moto: S3OriginConfig and OriginAccessControlId are accepted but never returned.
        if dropped:
            keep_companion(request, dist_id, {"Origins": dropped})
        attributes = {"Id": dist_id, "DomainName": created["DomainName"]}
        return ProvisionResult(physical_id=dist_id, attributes=attributes)

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        cf = request.client("cloudfront")
        what = f"{request.logical_id}: distribution {result.physical_id}"
        distribution = read_or_missing(what, cf.get_distribution, Id=result.physical_id)["Distribution"]
        live = dict(distribution["DistributionConfig"])
        kept = companion_values(request).get("Origins") or {}
        for origin in _live_origins(live):
            for key, value in (kept.get(origin["Id"]) or {}).items():
                origin.setdefault(key, value)
        shape = cf.meta.service_model.shape_for("DistributionConfig")
        declared = coerce(shape, distribution_config(request))
        declared.pop("CallerReference")
        # Lists of structures are keyed by their identifier (origin Id, PathPattern...), others sorted.
        normalized = sorted_lists(declared, _ITEM_KEYS), sorted_lists(live, _ITEM_KEYS)
        problems = subset_differences("DistributionConfig", *normalized)
        live_tags = cf.list_tags_for_resource(Resource=distribution["ARN"])["Tags"].get("Items") or []
        return problems + tag_differences(
            {t["Key"]: t["Value"] for t in tag_list(request)}, {t["Key"]: t["Value"] for t in live_tags}
        )

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        cf = request.client("cloudfront")
        current = ignore_missing(cf.get_distribution_config, Id=result.physical_id)
        if current is not None:
            config, etag = current["DistributionConfig"], current["ETag"]
            if config.get("Enabled"):
                config["Enabled"] = False
                cf.update_distribution(Id=result.physical_id, IfMatch=etag, DistributionConfig=config)
                _wait_deployed(request, result.physical_id)
                etag = cf.get_distribution(Id=result.physical_id)["ETag"]
            ignore_missing(cf.delete_distribution, Id=result.physical_id, IfMatch=etag)
        _emulated.delete(request)


def _wait_deployed(request: ProvisionRequest, dist_id: str) -> None:
    cf = request.client("cloudfront")

    def deployed() -> bool:
        return bool(cf.get_distribution(Id=dist_id)["Distribution"]["Status"] == "Deployed")

    wait_for(f"{request.logical_id}: distribution {dist_id} to deploy", deployed, _DEPLOY_TIMEOUT, 20.0)


@register
class OriginAccessControlProvisioner:
    """``AWS::CloudFront::OriginAccessControl``: primary identifier ``Id``; ``Ref`` returns the OAC id.

    ``Fn::GetAtt``: ``Id``.
    """

    resource_type: ClassVar[str] = "AWS::CloudFront::OriginAccessControl"
    supported_properties: ClassVar[frozenset[str]] = frozenset({"OriginAccessControlConfig"})

    def _config(self, request: ProvisionRequest) -> dict[str, Any]:
        config = dict(request.prop("OriginAccessControlConfig") or {})
        config["Name"] = config.get("Name") or default_name(request, max_length=64)
        return config

    def create(self, request: ProvisionRequest) -> ProvisionResult:
        cf = request.client("cloudfront")
        config = self._config(request)
        created = api_call(cf, "create_origin_access_control", OriginAccessControlConfig=config)
        oac_id = str(created["OriginAccessControl"]["Id"])
        return ProvisionResult(physical_id=oac_id, attributes={"Id": oac_id})

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        cf = request.client("cloudfront")
        what = f"{request.logical_id}: origin access control {result.physical_id}"
        live = read_or_missing(what, cf.get_origin_access_control, Id=result.physical_id)
        declared = self._config(request)
        live_config = live["OriginAccessControl"]["OriginAccessControlConfig"]
        return subset_differences("OriginAccessControlConfig", declared, live_config)

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None:
        cf = request.client("cloudfront")
        # moto: deleting an unknown OAC answers 500 rather than NoSuchOriginAccessControl, so read first.
        current = ignore_missing(cf.get_origin_access_control, Id=result.physical_id)
        if current is not None:
            ignore_missing(cf.delete_origin_access_control, Id=result.physical_id, IfMatch=current["ETag"])
