"""CloudFormation's S3 bucket sub-configurations in the S3 API's shapes, and their comparison.

CloudFormation's bucket properties use their own shapes (``LifecycleConfiguration.Rules[].ExpirationInDays``,
``CorsConfiguration.CorsRules[].MaxAge``, ``WebsiteConfiguration.IndexDocument`` as a string...): each
translation here takes ``(bucket name, declared value)`` and answers the S3 API's value, and the
``*_differences`` functions compare the API's answers with that translation.
"""

from __future__ import annotations

import json
from typing import Any

from pytest_infra_parity.deploy.provisioners._common import key_differences
from pytest_infra_parity.deploy.provisioners._shapes import as_bool, as_int, canonical_policy
from pytest_infra_parity.deploy.provisioners.base import ProvisionRequest, differs

_NOTIFICATION_KINDS = (
    ("QueueConfigurations", "Queue", "QueueConfigurations", "QueueArn"),
    ("TopicConfigurations", "Topic", "TopicConfigurations", "TopicArn"),
    ("LambdaConfigurations", "Function", "LambdaFunctionConfigurations", "LambdaFunctionArn"),
)


def notification_config(_bucket: str, config: dict[str, Any]) -> dict[str, Any]:
    api: dict[str, Any] = {}
    for cfn_key, target, api_key, arn_key in _NOTIFICATION_KINDS:
        entries = []
        for item in config.get(cfn_key) or []:
            entry: dict[str, Any] = {arn_key: item[target], "Events": [item["Event"]]}
            rules = ((item.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []
            if rules:
                entry["Filter"] = {
                    "Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}
                }
            entries.append(entry)
        if entries:
            api[api_key] = entries
    if as_bool((config.get("EventBridgeConfiguration") or {}).get("EventBridgeEnabled", False)):
        api["EventBridgeConfiguration"] = {}
    return api


def _notification_key(entry: dict[str, Any], arn_key: str) -> str:
    rules = ((entry.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []
    # S3 answers the filter rule names capitalized (``Prefix``) whatever case they were given in.
    filters = sorted((r["Name"].lower(), r["Value"]) for r in rules)
    return json.dumps([entry.get(arn_key), sorted(entry.get("Events", [])), filters])


def notification_differences(request: ProvisionRequest, prop: str, declared: Any, live: Any) -> list[str]:
    live = live or {}
    problems: list[str] = []
    for _cfn, _target, api_key, arn_key in _NOTIFICATION_KINDS:
        wanted = sorted(_notification_key(e, arn_key) for e in declared.get(api_key, []))
        found = sorted(_notification_key(e, arn_key) for e in live.get(api_key, []))
        if wanted != found:
            problems.append(f"{prop}.{api_key} is {found}, declared {wanted}")
    # moto: EventBridgeConfiguration is stored but never returned (it is an empty element), so only an
    # EventBridge notification that was not declared counts.
    if "EventBridgeConfiguration" in live and "EventBridgeConfiguration" not in declared:
        problems.append(f"{prop}.EventBridgeConfiguration is enabled, declared disabled")
    return problems


def _lifecycle_filter(rule: dict[str, Any]) -> dict[str, Any]:
    conditions: dict[str, Any] = {}
    if rule.get("Prefix") is not None:
        conditions["Prefix"] = rule["Prefix"]
    tags = [{"Key": t["Key"], "Value": t["Value"]} for t in rule.get("TagFilters") or []]
    for prop in ("ObjectSizeGreaterThan", "ObjectSizeLessThan"):
        if rule.get(prop) is not None:
            conditions[prop] = as_int(rule[prop])
    if len(conditions) + len(tags) > 1:
        return {"And": {**conditions, **({"Tags": tags} if tags else {})}}
    if tags:
        return {"Tag": tags[0]}
    return conditions or {"Prefix": ""}


def _day(value: Any) -> str:
    """A lifecycle date as ``YYYY-MM-DD`` (S3 takes midnight UTC dates only)."""
    return str(value.isoformat() if hasattr(value, "isoformat") else value)[:10]


def _transition(transition: dict[str, Any], days_key: str) -> dict[str, Any]:
    api: dict[str, Any] = {"StorageClass": transition["StorageClass"]}
    if transition.get("TransitionInDays") is not None:
        api[days_key] = as_int(transition["TransitionInDays"])
    if transition.get("TransitionDate") is not None:
        api["Date"] = _day(transition["TransitionDate"])
    if transition.get("NewerNoncurrentVersions") is not None:
        api["NewerNoncurrentVersions"] = as_int(transition["NewerNoncurrentVersions"])
    return api


_EXPIRATION = (
    ("ExpirationInDays", "Days", as_int),
    ("ExpirationDate", "Date", _day),
    ("ExpiredObjectDeleteMarker", "ExpiredObjectDeleteMarker", as_bool),
)


def lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """One CloudFormation lifecycle rule as the S3 API's ``LifecycleRule``."""
    api: dict[str, Any] = {"Status": rule["Status"], "Filter": _lifecycle_filter(rule)}
    if rule.get("Id") is not None:
        api["ID"] = rule["Id"]
    expiration = {key: convert(rule[cfn]) for cfn, key, convert in _EXPIRATION if rule.get(cfn) is not None}
    if expiration:
        api["Expiration"] = expiration
    transitions = [
        *(rule.get("Transitions") or []),
        *([rule["Transition"]] if rule.get("Transition") else []),
    ]
    if transitions:
        api["Transitions"] = [_transition(t, "Days") for t in transitions]
    single = rule.get("NoncurrentVersionTransition")
    noncurrent = [*(rule.get("NoncurrentVersionTransitions") or []), *([single] if single else [])]
    if noncurrent:
        api["NoncurrentVersionTransitions"] = [_transition(t, "NoncurrentDays") for t in noncurrent]
    expiry = {k: as_int(v) for k, v in (rule.get("NoncurrentVersionExpiration") or {}).items()}
    if rule.get("NoncurrentVersionExpirationInDays") is not None:
        expiry["NoncurrentDays"] = as_int(rule["NoncurrentVersionExpirationInDays"])
    if expiry:
        api["NoncurrentVersionExpiration"] = expiry
    abort = rule.get("AbortIncompleteMultipartUpload")
    if abort:
        api["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": as_int(abort["DaysAfterInitiation"])}
    return api


def _canonical_rule(rule: dict[str, Any], with_id: bool) -> str:
    """A comparable form of an API lifecycle rule: filter flattened, dates as days, transitions sorted."""
    filt = rule.get("Filter") or ({"Prefix": rule["Prefix"]} if "Prefix" in rule else {})
    conditions = dict(filt.get("And") or filt)
    tags = list(conditions.pop("Tags", []))
    if "Tag" in conditions:
        tags.append(conditions.pop("Tag"))
    conditions.setdefault("Prefix", "")
    body = {k: v for k, v in rule.items() if k not in ("ID", "Filter", "Prefix")}
    body["Filter"] = {**conditions, "Tags": sorted((t["Key"], t["Value"]) for t in tags)}
    if with_id:
        body["ID"] = rule.get("ID")
    for key in ("Transitions", "NoncurrentVersionTransitions"):
        if key in body:
            body[key] = sorted(body[key], key=lambda t: json.dumps(t, sort_keys=True, default=_day))
    return json.dumps(body, sort_keys=True, default=_day)


def lifecycle_differences(declared: list[dict[str, Any]], live: list[dict[str, Any]]) -> list[str]:
    """Compare API-shaped rules; a declared rule without ``Id`` matches a live rule whatever its ID."""
    problems = []
    live_forms = {_canonical_rule(r, True) for r in live} | {_canonical_rule(r, False) for r in live}
    for index, rule in enumerate(declared):
        if _canonical_rule(rule, "ID" in rule) not in live_forms:
            problems.append(
                f"LifecycleConfiguration rule {rule.get('ID', index)!r} is not on the bucket as declared "
                f"(declared {json.dumps(rule, default=str)}, live rules {json.dumps(live, default=str)})"
            )
    if len(live) != len(declared):
        problems.append(f"LifecycleConfiguration has {len(live)} rules, declared {len(declared)}")
    return problems


def cors_rules(_bucket: str, config: dict[str, Any]) -> list[dict[str, Any]]:
    renames = {"Id": "ID", "ExposedHeaders": "ExposeHeaders", "MaxAge": "MaxAgeSeconds"}
    rules = []
    for rule in config.get("CorsRules") or []:
        api = {renames.get(k, k): v for k, v in rule.items()}
        if "MaxAgeSeconds" in api:
            api["MaxAgeSeconds"] = as_int(api["MaxAgeSeconds"])
        rules.append(api)
    return rules


def website_config(_bucket: str, config: dict[str, Any]) -> dict[str, Any]:
    api: dict[str, Any] = {}
    if config.get("IndexDocument"):
        api["IndexDocument"] = {"Suffix": config["IndexDocument"]}
    if config.get("ErrorDocument"):
        api["ErrorDocument"] = {"Key": config["ErrorDocument"]}
    if config.get("RedirectAllRequestsTo"):
        api["RedirectAllRequestsTo"] = dict(config["RedirectAllRequestsTo"])
    rules = []
    for rule in config.get("RoutingRules") or []:
        condition = rule.get("RoutingRuleCondition")
        rules.append(
            {"Redirect": dict(rule["RedirectRule"]), **({"Condition": dict(condition)} if condition else {})}
        )
    if rules:
        api["RoutingRules"] = rules
    return api


def logging_config(bucket: str, config: dict[str, Any]) -> dict[str, Any]:
    enabled = {"TargetBucket": config.get("DestinationBucketName") or bucket, "TargetPrefix": ""}
    if config.get("LogFilePrefix") is not None:
        enabled["TargetPrefix"] = config["LogFilePrefix"]
    return enabled


def encryption_rules(_bucket: str, config: dict[str, Any]) -> list[dict[str, Any]]:
    rules = []
    for rule in config.get("ServerSideEncryptionConfiguration") or []:
        api: dict[str, Any] = {
            "ApplyServerSideEncryptionByDefault": dict(rule["ServerSideEncryptionByDefault"])
        }
        if rule.get("BucketKeyEnabled") is not None:
            api["BucketKeyEnabled"] = as_bool(rule["BucketKeyEnabled"])
        rules.append(api)
    return rules


def public_access_block(_bucket: str, config: dict[str, Any]) -> dict[str, bool]:
    flags = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
    return {flag: as_bool(config.get(flag, False)) for flag in flags}


def value_differences(request: ProvisionRequest, prop: str, declared: Any, live: Any) -> list[str]:
    """Compare an API value: only the keys declared count; list order of plain strings does not."""
    if isinstance(declared, dict) and isinstance(live, dict):
        live = {k: v for k, v in live.items() if k in declared}
    if canonical_policy(declared) == canonical_policy(live):
        return []
    return [f"{prop} is {json.dumps(live, default=str)}, declared {json.dumps(declared, default=str)}"]


def encryption_differences(request: ProvisionRequest, prop: str, declared: Any, live: Any) -> list[str]:
    problems: list[str] = []
    live_rules = live or []
    for index, rule in enumerate(declared):
        live_rule = live_rules[index] if index < len(live_rules) else {}
        wanted = rule["ApplyServerSideEncryptionByDefault"]
        found = live_rule.get("ApplyServerSideEncryptionByDefault", {})
        problems += differs(f"{prop}.SSEAlgorithm", wanted.get("SSEAlgorithm"), found.get("SSEAlgorithm"))
        problems += key_differences(
            request, f"{prop}.KMSMasterKeyID", wanted.get("KMSMasterKeyID"), found.get("KMSMasterKeyID")
        )
        if "BucketKeyEnabled" in rule:
            live_flag = live_rule.get("BucketKeyEnabled", False)
            problems += differs(f"{prop}.BucketKeyEnabled", rule["BucketKeyEnabled"], live_flag)
    return problems


def lifecycle_rules(_bucket: str, config: dict[str, Any]) -> list[dict[str, Any]]:
    return [lifecycle_rule(rule) for rule in config.get("Rules") or []]
