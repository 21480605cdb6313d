"""``GetResources`` on a LocalStack target: what LocalStack's tagging API leaves out, added back.

LocalStack's Resource Groups Tagging API (2026.3.0, offline) returns only log groups, and with a
moto fallback a part of the resources is on moto. AWS returns every taggable resource of the region
whose tags match (Resource Groups Tagging API reference, ``GetResources``: "Returns all the tagged or
previously tagged resources that are located in the specified Region for the account"; a
``TagFilters`` entry matches when the resource has the key and, if ``Values`` is given, one of the
values). On the last page of LocalStack's answer, this hook appends the matching resources of the
services LocalStack keeps (buckets, queues, topics, keys, alarms, rules, secrets: read with each
service's own tag call) and moto's answer for the services routed to moto, without duplicates.
IAM roles are not returned (AWS does not return them either); SSM parameters are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pytest_infra_parity.errors import TargetError

ClientOn = Callable[[str, str, str | None], Any]
Where = Callable[[str], str]
Tags = dict[str, str]


def _kv(items: list[dict[str, Any]] | None, key: str = "Key", value: str = "Value") -> Tags:
    return {str(t[key]): str(t.get(value, "")) for t in items or []}


def _code(exc: BaseException) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


def _buckets(client: Any) -> Iterator[tuple[str, Tags]]:
    for bucket in client.list_buckets().get("Buckets", []):
        try:
            tags = _kv(client.get_bucket_tagging(Bucket=bucket["Name"]).get("TagSet"))
        except Exception as exc:  # a bucket without tags answers NoSuchTagSet; others surface
            if _code(exc) not in ("NoSuchTagSet", "NoSuchBucket"):
                raise
            continue
        yield f"arn:aws:s3:::{bucket['Name']}", tags


def _queues(client: Any) -> Iterator[tuple[str, Tags]]:
    for url in client.list_queues().get("QueueUrls", []):
        arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        yield arn, {str(k): str(v) for k, v in client.list_queue_tags(QueueUrl=url).get("Tags", {}).items()}


def _topics(client: Any) -> Iterator[tuple[str, Tags]]:
    for page in client.get_paginator("list_topics").paginate():
        for topic in page.get("Topics", []):
            arn = topic["TopicArn"]
            yield arn, _kv(client.list_tags_for_resource(ResourceArn=arn).get("Tags"))


def _keys(client: Any) -> Iterator[tuple[str, Tags]]:
    for page in client.get_paginator("list_keys").paginate():
        for key in page.get("Keys", []):
            tags = _kv(client.list_resource_tags(KeyId=key["KeyId"]).get("Tags"), "TagKey", "TagValue")
            yield key["KeyArn"], tags


def _alarms(client: Any) -> Iterator[tuple[str, Tags]]:
    for page in client.get_paginator("describe_alarms").paginate():
        for alarm in [*page.get("MetricAlarms", []), *page.get("CompositeAlarms", [])]:
            arn = alarm["AlarmArn"]
            yield arn, _kv(client.list_tags_for_resource(ResourceARN=arn).get("Tags"))


def _rules(client: Any) -> Iterator[tuple[str, Tags]]:
    for page in client.get_paginator("list_rules").paginate():
        for rule in page.get("Rules", []):
            yield rule["Arn"], _kv(client.list_tags_for_resource(ResourceARN=rule["Arn"]).get("Tags"))


def _secrets(client: Any) -> Iterator[tuple[str, Tags]]:
    for page in client.get_paginator("list_secrets").paginate():
        for secret in page.get("SecretList", []):
            yield secret["ARN"], _kv(secret.get("Tags"))


SCANNERS: dict[str, Callable[[Any], Iterator[tuple[str, Tags]]]] = {
    "s3": _buckets, "sqs": _queues, "sns": _topics, "kms": _keys, "cloudwatch": _alarms, "events": _rules,
    "secretsmanager": _secrets,
}
"""Services whose tagged resources LocalStack's own tagging API does not return, read one by one."""

ARN_SERVICES = {"elasticloadbalancing": "elbv2", "states": "stepfunctions", "es": "opensearch"}
"""ARN service names that are not the boto3 service name."""


def boto_service(arn: str) -> str:
    """The boto3 service of an ARN (``apigateway`` ARNs name REST APIs and HTTP APIs alike)."""
    parts = arn.split(":", 5)
    service = parts[2] if len(parts) > 2 else ""
    if service == "apigateway":
        return "apigatewayv2" if "/apis/" in arn else "apigateway"
    return ARN_SERVICES.get(service, service)


def matches(tags: Mapping[str, str], filters: list[dict[str, Any]]) -> bool:
    """Every filter matches: the key is there and, when ``Values`` is given, its value is one of them."""
    for wanted in filters:
        key = str(wanted.get("Key", ""))
        if key not in tags:
            return False
        values = wanted.get("Values") or []
        if values and tags[key] not in values:
            return False
    return True


def type_matches(arn: str, type_filters: list[str]) -> bool:
    """``ResourceTypeFilters``: ``service`` or ``service:resourceType`` (``s3``, ``sqs``, ``ec2:instance``)."""
    if not type_filters:
        return True
    parts = arn.split(":", 5)
    service = parts[2] if len(parts) > 2 else ""
    resource = parts[5] if len(parts) > 5 else ""
    kind = resource.split("/", 1)[0].split(":", 1)[0]
    return any(f == service or f == f"{service}:{kind}" for f in type_filters)


class TaggingAugmenter:
    """The ``after-call`` hook of LocalStack's tagging client (see the module docstring)."""

    def __init__(self, where: Where, client_on: ClientOn, local: str, fallback: str | None) -> None:
        self.where = where
        self.client_on = client_on
        self.local = local
        self.fallback = fallback

    def attach(self, client: Any) -> None:
        service_id = client.meta.service_model.service_id.hyphenize()
        region = client.meta.region_name
        client.meta.events.register(f"before-parameter-build.{service_id}.GetResources",
                                    lambda params, context, **_: context.update(request=dict(params)))
        client.meta.events.register(f"after-call.{service_id}.GetResources",
                                    lambda parsed, context, **_: self.augment(parsed, context.get("request", {}),
                                                                              region))

    def augment(self, parsed: dict[str, Any], request: Mapping[str, Any], region: str | None) -> None:
        if parsed.get("PaginationToken") or "Error" in parsed:
            return  # only the last page gets the additions
        filters = list(request.get("TagFilters") or [])
        types = list(request.get("ResourceTypeFilters") or [])
        mappings = parsed.setdefault("ResourceTagMappingList", [])
        seen = {m["ResourceARN"] for m in mappings}
        for arn, tags in self._extra(filters, types, region):
            if arn not in seen and matches(tags, filters) and type_matches(arn, types):
                seen.add(arn)
                mappings.append({"ResourceARN": arn, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]})

    def _extra(self, filters: list[dict[str, Any]], types: list[str],
               region: str | None) -> Iterator[tuple[str, Tags]]:
        for service, scan in SCANNERS.items():
            if self._route(service) == self.local and type_matches(f"arn:aws:{service}:::", [t.split(":")[0]
                                                                                          for t in types]):
                yield from scan(self.client_on(self.local, service, region))
        if self.fallback is None:
            return
        kwargs: dict[str, Any] = {"TagFilters": filters} if filters else {}
        if types:
            kwargs["ResourceTypeFilters"] = types
        tagging = self.client_on(self.fallback, "resourcegroupstaggingapi", region)
        for page in tagging.get_paginator("get_resources").paginate(**kwargs):
            for entry in page.get("ResourceTagMappingList", []):
                if self._route(boto_service(entry["ResourceARN"])) == self.fallback:
                    yield entry["ResourceARN"], _kv(entry.get("Tags"))

    def _route(self, service: str) -> str:
        try:
            return self.where(service)
        except TargetError:  # an unserved service has no route: nothing of it to list
            return ""
