"""A listing of the target's resources, to find what a killed deployment left without a tag.

The sweeper finds what the plugin tagged (``infra-parity:run``) or ledgered. A resource that got no
tag (its create call carries none, or the process died between creating and tagging it) is invisible
to both: comparing a listing taken before the deployment with one taken after the cleanup finds it.
Each lister reads one List/Describe API; a service the target does not implement is skipped and named.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.deploy.ledger import PREFIX as LEDGER_PREFIX
from pytest_infra_parity.deploy.provisioners.base import error_code

ClientFactory = Callable[[str], Any]


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    found: list[Any] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        found.extend(page.get(key, []))
    return found


def _s3(c: ClientFactory) -> list[str]:
    return [f"s3 bucket {b['Name']}" for b in c("s3").list_buckets().get("Buckets", [])]


def _sqs(c: ClientFactory) -> list[str]:
    return [f"sqs queue {url}" for url in c("sqs").list_queues().get("QueueUrls", [])]


def _sns(c: ClientFactory) -> list[str]:
    return [f"sns topic {t['TopicArn']}" for t in _pages(c("sns"), "list_topics", "Topics")]


def _dynamodb(c: ClientFactory) -> list[str]:
    return [f"dynamodb table {name}" for name in _pages(c("dynamodb"), "list_tables", "TableNames")]


def _lambda(c: ClientFactory) -> list[str]:
    return [f"lambda function {f['FunctionName']}" for f in _pages(c("lambda"), "list_functions", "Functions")]


def _iam(c: ClientFactory) -> list[str]:
    roles = [f"iam role {r['RoleName']}" for r in _pages(c("iam"), "list_roles", "Roles")]
    policies = [f"iam policy {p['Arn']}" for p in _pages(c("iam"), "list_policies", "Policies", Scope="Local")]
    return roles + policies


def _logs(c: ClientFactory) -> list[str]:
    return [f"log group {g['logGroupName']}" for g in _pages(c("logs"), "describe_log_groups", "logGroups")]


def _ssm(c: ClientFactory) -> list[str]:
    names = [p["Name"] for p in _pages(c("ssm"), "describe_parameters", "Parameters")]
    return [f"ssm parameter {n}" for n in names if not str(n).startswith(LEDGER_PREFIX)]


def _secrets(c: ClientFactory) -> list[str]:
    return [f"secret {s['Name']}" for s in _pages(c("secretsmanager"), "list_secrets", "SecretList")]


def _events(c: ClientFactory) -> list[str]:
    return [f"events rule {r['Name']}" for r in c("events").list_rules().get("Rules", [])]


def _apigatewayv2(c: ClientFactory) -> list[str]:
    return [f"http api {a['ApiId']} {a.get('Name', '')}" for a in c("apigatewayv2").get_apis().get("Items", [])]


def _cloudfront(c: ClientFactory) -> list[str]:
    client = c("cloudfront")
    items = client.list_distributions().get("DistributionList", {}).get("Items", []) or []
    controls = client.list_origin_access_controls().get("OriginAccessControlList", {}).get("Items", []) or []
    return [f"cloudfront distribution {d['Id']}" for d in items] + \
        [f"cloudfront origin access control {o['Id']} {o.get('Name', '')}" for o in controls]


LISTERS: dict[str, Callable[[ClientFactory], list[str]]] = {
    "s3": _s3, "sqs": _sqs, "sns": _sns, "dynamodb": _dynamodb, "lambda": _lambda, "iam": _iam, "logs": _logs,
    "ssm": _ssm, "secretsmanager": _secrets, "events": _events, "apigatewayv2": _apigatewayv2,
    "cloudfront": _cloudfront,
}


def services_for(resource_types: Iterable[str]) -> tuple[str, ...]:
    """The listable services of these CloudFormation types (``AWS::SQS::Queue`` -> ``sqs``)."""
    found = {t.split("::")[1].lower() for t in resource_types if t.count("::") == 2}
    return tuple(sorted(found & set(LISTERS)))


@dataclass
class Listing:
    resources: set[str] = field(default_factory=set)
    services: tuple[str, ...] = ()
    """The services listed (the same are listed again after the cleanup)."""
    skipped: dict[str, str] = field(default_factory=dict)
    """Service -> why it could not be listed."""


def list_resources(clients: ClientFactory, services: tuple[str, ...] = tuple(LISTERS)) -> Listing:
    """Every resource of these services on the target, as ``"<kind> <id>"`` lines."""
    listing = Listing(services=tuple(services))
    for service in services:
        try:
            listing.resources.update(LISTERS[service](clients))
        except Exception as exc:
            code = error_code(exc)
            if not code:  # not an AWS error answer: a bug or a broken connection, not a gap
                raise
            listing.skipped[service] = code
    return listing


def new_resources(before: Listing, after: Listing) -> list[str]:
    """What ``after`` has that ``before`` had not (only services both listings could read)."""
    unreadable = set(before.skipped) | set(after.skipped)
    return sorted(r for r in after.resources - before.resources
                  if not any(r.startswith(_kind_prefix(s)) for s in unreadable))


def _kind_prefix(service: str) -> str:
    return {"s3": "s3 ", "sqs": "sqs ", "sns": "sns ", "dynamodb": "dynamodb ", "lambda": "lambda ",
            "iam": "iam ", "logs": "log group", "ssm": "ssm ", "secretsmanager": "secret ",
            "events": "events ", "apigatewayv2": "http api", "cloudfront": "cloudfront"}[service]
