"""What a LocalStack really serves: its health document, then one cheap call per service.

``GET /_localstack/health`` lists the services LocalStack loaded and their state, but not whether
they work: offline, DynamoDB answers only after a Java download that fails (a 500, or no answer for
seconds), Lambda accepts a function and then marks it ``Failed`` (its runtime download fails), and the
services outside the free plan answer HTTP 501 without being listed. A service counts as not served
when the health document says ``error`` (or ``disabled``), when its probe answers 501 or 5xx, when a
Lambda probe function fails, or when the probe gets no answer within a short timeout. Any 4xx error
means the service parsed the request, so it is served. Probes run in parallel, once per run (the
target keeps the result).
"""

from __future__ import annotations

import io
import logging
import secrets
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.targets.localstack_services import NAMESPACES

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 10.0
"""Seconds a probe may wait for an answer. LocalStack's services answer in well under a second once
loaded (the first call loads the service: up to a few seconds on a busy machine); an offline download
fails after about 9 s (then the answer is a 500). Set ``INFRA_PARITY_PROBE_TIMEOUT`` to change it."""

BAD_STATES = frozenset({"error", "disabled", "stopped", "stopping"})

PROBES: dict[str, tuple[str, dict[str, Any]]] = {
    "sts": ("get_caller_identity", {}),
    "s3": ("list_buckets", {}),
    "sqs": ("list_queues", {}),
    "sns": ("list_topics", {}),
    "kms": ("list_keys", {"Limit": 1}),
    "iam": ("list_roles", {"MaxItems": 1}),
    "logs": ("describe_log_groups", {"limit": 1}),
    "cloudwatch": ("describe_alarms", {"MaxRecords": 1}),
    "events": ("list_rules", {"Limit": 1}),
    "scheduler": ("list_schedules", {"MaxResults": 1}),
    "ssm": ("describe_parameters", {"MaxResults": 1}),
    "secretsmanager": ("list_secrets", {"MaxResults": 1}),
    "dynamodb": ("list_tables", {"Limit": 1}),
    "lambda": ("list_functions", {"MaxItems": 1}),
    "ec2": ("describe_availability_zones", {}),
    "ecs": ("list_clusters", {"maxResults": 1}),
    "elbv2": ("describe_load_balancers", {"PageSize": 1}),
    "application-autoscaling": ("describe_scalable_targets", {"ServiceNamespace": "ecs"}),
    "apigateway": ("get_rest_apis", {"limit": 1}),
    "apigatewayv2": ("get_apis", {}),
    "appconfig": ("list_applications", {}),
    "codedeploy": ("list_applications", {}),
    "cognito-idp": ("list_user_pools", {"MaxResults": 1}),
    "elasticache": ("describe_cache_clusters", {"MaxRecords": 20}),
    "rds": ("describe_db_instances", {"MaxRecords": 20}),
    "route53": ("list_hosted_zones", {"MaxItems": "1"}),
    "wafv2": ("list_web_acls", {"Scope": "REGIONAL", "Limit": 1}),
    "cloudfront": ("list_distributions", {"MaxItems": "1"}),
    "opensearch": ("list_domain_names", {}),
    "kinesis": ("list_streams", {"Limit": 1}),
    "stepfunctions": ("list_state_machines", {"maxResults": 1}),
    "xray": ("get_sampling_rules", {}),
    "pricing": ("describe_services", {"MaxResults": 1}),
    "resourcegroupstaggingapi": ("get_resources", {"ResourcesPerPage": 1}),
    "cloudformation": ("list_stacks", {}),
}
"""One read-only call per service: the cheapest that reaches the service's own code."""

SLOW = ("dynamodb", "lambda", "kinesis", "opensearch", "dynamodbstreams", "es")
"""Probed first: their first call installs software (Java, a Lambda runtime...) and, offline, retries
the download for about 9 s before failing; the other probes run meanwhile."""

DEFAULT_SERVICES = tuple(sorted({*NAMESPACES.values(), "sts", "resourcegroupstaggingapi"}))
"""Detected at start: every service the plugin's provisioners and steps use."""


@dataclass(frozen=True)
class Health:
    """LocalStack's ``/_localstack/health`` document, parsed."""

    version: str
    edition: str
    states: dict[str, str]

    @classmethod
    def parse(cls, document: Mapping[str, Any]) -> Health:
        services = document.get("services") or {}
        return cls(version=str(document.get("version", "?")), edition=str(document.get("edition", "?")),
                   states={str(k): str(v) for k, v in dict(services).items()})


@dataclass(frozen=True)
class ServiceStatus:
    """Whether one service is served, and the evidence."""

    service: str
    served: bool
    reason: str
    seconds: float = 0.0


@dataclass
class Capabilities:
    """The services a LocalStack serves, detected once per run."""

    version: str
    services: dict[str, ServiceStatus] = field(default_factory=dict)
    seconds: float = 0.0

    def status(self, service: str) -> ServiceStatus | None:
        return self.services.get(service)

    def served(self) -> list[str]:
        return sorted(s for s, status in self.services.items() if status.served)

    def unserved(self) -> dict[str, str]:
        return {s: st.reason for s, st in sorted(self.services.items()) if not st.served}


def _error_parts(exc: BaseException) -> tuple[int | None, str, str]:
    response = getattr(exc, "response", None) or {}
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    error = response.get("Error", {})
    return status, str(error.get("Code", "")), str(error.get("Message", ""))


def judge_error(exc: BaseException) -> ServiceStatus | str:
    """A probe's exception: the verdict's reason (not served), or ``"served"`` for a 4xx answer."""
    status, code, message = _error_parts(exc)
    short = " ".join(message.split())[:140]
    if status == 501:
        return "HTTP 501: not in this LocalStack's plan"
    if status is not None and status >= 500:
        return f"HTTP {status} {code}: {short[:100]}" if short else f"HTTP {status} {code}"
    if status is not None:
        return "served"
    name = type(exc).__name__
    if "Timeout" in name:
        return f"no answer within the probe timeout ({name}): a download that cannot finish offline?"
    return f"probe failed: {name}: {str(exc)[:140]}"


ClientFactory = Callable[[str], Any]


def probe(service: str, clients: ClientFactory, timeout: float = PROBE_TIMEOUT) -> ServiceStatus:
    """Call the service's probe; Lambda also creates a throw-away function and waits for its state."""
    method, params = PROBES[service]
    try:
        client = clients(service)
        getattr(client, method)(**params)
        if service == "lambda":
            return _probe_lambda_runtime(client, clients, timeout)
        if service in ("opensearch", "es"):
            return _probe_search_domain(service, client, timeout)
    except Exception as exc:  # every botocore error type is judged: the verdict is the result
        verdict = judge_error(exc)
        if verdict != "served":
            return ServiceStatus(service, False, str(verdict))
    return ServiceStatus(service, True, "answers")


def _probe_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("probe.py", "def handler(event, context):\n    return 'ok'\n")
    return buffer.getvalue()


def _probe_lambda_runtime(client: Any, clients: ClientFactory, timeout: float) -> ServiceStatus:
    """Lambda stores a function, then installs its runtime: offline that download fails (``Failed``).

    AWS: a new function is ``Pending`` until its resources are ready, then ``Active`` or ``Failed``
    with a ``StateReason`` (Lambda developer guide, "Lambda function states").
    """
    name = f"infra-parity-probe-{secrets.token_hex(4)}"
    account = str(clients("sts").get_caller_identity()["Account"])
    role = f"arn:aws:iam::{account}:role/infra-parity-probe"
    try:
        client.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="probe.handler",
                               Code={"ZipFile": _probe_zip()})
    except Exception as exc:  # judged like any probe call: 501/5xx is "not served", 4xx is served
        verdict = judge_error(exc)
        return ServiceStatus("lambda", verdict == "served", "stores functions" if verdict == "served"
                             else f"create_function {verdict}")
    try:
        deadline = time.monotonic() + timeout
        state, reason = "Pending", ""
        while state == "Pending" and time.monotonic() < deadline:
            config = client.get_function(FunctionName=name)["Configuration"]
            state, reason = str(config.get("State", "Active")), str(config.get("StateReason", ""))
            if state == "Pending":
                time.sleep(0.2)
    finally:
        try:
            client.delete_function(FunctionName=name)
        except Exception as exc:  # a probe function left behind is harmless: the verdict stands
            log.info("LocalStack probe function %s was not deleted: %s", name, exc)
    if state == "Failed":
        return ServiceStatus("lambda", False, f"functions fail to start: {reason[:140]}")
    if state == "Pending":
        return ServiceStatus("lambda", False, f"functions stay Pending beyond {timeout:g} s")
    return ServiceStatus("lambda", True, f"functions become {state}")


def _probe_search_domain(service: str, client: Any, timeout: float) -> ServiceStatus:
    """OpenSearch: a new domain is ``Processing`` until its cluster runs; offline, LocalStack's download of
    OpenSearch fails and the domain stays ``Processing`` for ever.

    AWS: ``DomainStatus.Processing`` is true while the domain's configuration is being applied
    (OpenSearch Service API reference, ``DomainStatus``).
    """
    name = f"ipp-probe-{secrets.token_hex(3)}"
    status = client.create_domain(DomainName=name)["DomainStatus"]
    try:
        deadline = time.monotonic() + timeout
        while status.get("Processing") and time.monotonic() < deadline:
            time.sleep(0.5)
            status = client.describe_domain(DomainName=name)["DomainStatus"]
    finally:
        try:
            client.delete_domain(DomainName=name)
        except Exception as exc:  # a probe domain left behind is harmless: the verdict stands
            log.info("LocalStack probe domain %s was not deleted: %s", name, exc)
    if status.get("Processing"):
        return ServiceStatus(service, False, f"domains stay Processing beyond {timeout:g} s (the OpenSearch "
                                             "download cannot finish offline?)")
    return ServiceStatus(service, True, "domains become ready")


def judge(service: str, health: Health, clients: ClientFactory, timeout: float) -> ServiceStatus:
    """Health state first (``error`` is final), then the probe; with the seconds it took."""
    started = time.monotonic()
    status = _judge(service, health, clients, timeout)
    return ServiceStatus(status.service, status.served, status.reason, time.monotonic() - started)


def _judge(service: str, health: Health, clients: ClientFactory, timeout: float) -> ServiceStatus:
    state = health.states.get(service)
    if state in BAD_STATES:
        return ServiceStatus(service, False, f"/_localstack/health reports it {state!r}")
    if service not in PROBES:
        if state is None:
            return ServiceStatus(service, False, "not listed by /_localstack/health and no probe known")
        return ServiceStatus(service, True, f"/_localstack/health reports it {state!r}")
    return probe(service, clients, timeout)


def detect(health: Health, clients: ClientFactory, services: Iterable[str] = DEFAULT_SERVICES,
           timeout: float = PROBE_TIMEOUT, workers: int = 4) -> Capabilities:
    """Judge every service in parallel; the slowest probe bounds the time (about ``timeout``)."""
    started = time.monotonic()
    wanted = sorted(set(services))
    for service in wanted:  # botocore builds clients slowly and under a lock: not inside the timed probes
        if service in PROBES:
            clients(service)
    ordered = [s for s in SLOW if s in wanted] + [s for s in wanted if s not in SLOW]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="infra-parity-probe") as pool:
        results = list(pool.map(lambda s: judge(s, health, clients, timeout), ordered))
    return Capabilities(health.version, {r.service: r for r in results}, time.monotonic() - started)


def probe_clients(endpoint: str, region: str, timeout: float) -> ClientFactory:
    """boto3 clients for probing: one attempt, short timeouts, LocalStack's test credentials."""
    import threading

    import boto3
    from botocore.config import Config

    config = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=min(timeout, 3.0),
                    read_timeout=timeout, s3={"addressing_style": "path"})
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=region)
    lock = threading.Lock()
    made: dict[str, Any] = {}

    def client(service: str) -> Any:
        with lock:  # boto3 sessions are not thread-safe; clients are
            if service not in made:
                made[service] = session.client(service, endpoint_url=endpoint, config=config,
                                               region_name="us-east-1" if service == "pricing" else region)
            return made[service]

    return client
