"""DynamoDB tables, S3 buckets, SQS queues, SNS topics, KMS keys and Secrets Manager secrets.

DynamoDB on-demand (pricing page): read and write request units plus table storage; provisioned
capacity is not in the catalog. S3 Standard: GB-month, Tier 1 (PUT/COPY/POST/LIST) and Tier 2 (GET)
requests. SQS standard queues and SNS topics: requests (64 KB chunks). KMS: $1 a month per customer
managed key plus requests; each of the first two automatic rotations adds $1 a month (KMS pricing page),
which a first-year estimate leaves out. Secrets Manager: secrets a month plus API calls. SSM standard
parameters have no charge.
"""

from __future__ import annotations

from pytest_infra_parity.cost.context import PricingContext
from pytest_infra_parity.cost.kinds import pricer
from pytest_infra_parity.cost.usage import DAYS_PER_MONTH, ResourceUsage
from pytest_infra_parity.inventory.model import Resource


def _per_request(ctx: PricingContext, given: float | None, factor: float | None) -> tuple[float, str]:
    if given is not None:
        return given, f"{given:,.0f} a month"
    if factor is not None and ctx.usage.requests_per_day is not None:
        count = factor * ctx.usage.requests_per_day * DAYS_PER_MONTH
        return count, f"{factor:g} per request x {ctx.usage.requests_per_day:g}/day x {DAYS_PER_MONTH:.4f} days"
    return 0.0, "none given"


def _storage(ctx: PricingContext, resource: Resource, use: ResourceUsage) -> float:
    if use.storage_gb is None:
        ctx.assume(f"{resource.name}: no stored GB given (cost.resources.{resource.name}.storage_gb): 0 GB")
        return 0.0
    return use.storage_gb


@pricer("table")
def table(ctx: PricingContext, resource: Resource) -> None:
    if str(ctx.setting(resource, "billing_mode") or "PROVISIONED") != "PAY_PER_REQUEST":
        ctx.unpriced(resource, "DynamoDB provisioned capacity", "provisioned read/write capacity is not in the catalog")
        return
    use = ctx.use(resource)
    reads, how_reads = _per_request(ctx, use.reads_per_month, use.reads_per_request)
    writes, how_writes = _per_request(ctx, use.writes_per_month, use.writes_per_request)
    ctx.charge(resource, "ddb-read-request", reads, f"read request units: {how_reads}")
    ctx.charge(resource, "ddb-write-request", writes, f"write request units: {how_writes}")
    stored = _storage(ctx, resource, use)
    ctx.charge(resource, "ddb-storage-gb-month", stored, f"{stored:g} GB")
    if ctx.setting(resource, "pitr") is True and stored > 0:
        ctx.unpriced(resource, "point-in-time recovery backup storage", "continuous backups are not in the catalog")


@pricer("bucket")
def bucket(ctx: PricingContext, resource: Resource) -> None:
    use = ctx.use(resource)
    stored = _storage(ctx, resource, use)
    ctx.charge(resource, "s3-standard-gb-month", stored, f"{stored:g} GB in S3 Standard")
    ctx.charge(resource, "s3-put-request", use.puts_per_month or 0.0, f"{use.puts_per_month or 0:,.0f} PUT/LIST")
    ctx.charge(resource, "s3-get-request", use.gets_per_month or 0.0, f"{use.gets_per_month or 0:,.0f} GET")


@pricer("queue")
def queue(ctx: PricingContext, resource: Resource) -> None:
    use = ctx.use(resource)
    requests, how = _per_request(ctx, use.requests_per_month, use.per_request)
    if ctx.setting(resource, "fifo") is True:
        if requests:
            ctx.unpriced(resource, "SQS FIFO requests", "FIFO queue requests are not in the catalog")
        return
    ctx.charge(resource, "sqs-request", requests, f"requests (send, receive, delete): {how}")


@pricer("topic")
def topic(ctx: PricingContext, resource: Resource) -> None:
    use = ctx.use(resource)
    publishes, how = _per_request(ctx, use.publishes_per_month, use.per_request)
    ctx.charge(resource, "sns-publish", publishes, f"publishes: {how}")
    ctx.assume("SNS: deliveries to SQS and Lambda are free; other protocols (email, HTTP, SMS) are not priced")


@pricer("key")
def key(ctx: PricingContext, resource: Resource) -> None:
    if ctx.setting(resource, "key_manager") == "AWS":
        ctx.no_charge(resource, "AWS managed keys have no monthly fee (KMS pricing)")
        return
    ctx.charge(resource, "kms-key-month", 1.0, "1 customer managed key")
    requests = ctx.use(resource).requests_per_month or 0.0
    ctx.charge(resource, "kms-request", requests, f"{requests:,.0f} requests")
    if ctx.setting(resource, "rotation") is True:
        ctx.assume(f"{resource.name}: key rotation adds $1/month after each of the first two rotations "
                   "(not in a first-year estimate)")


@pricer("secret")
def secret(ctx: PricingContext, resource: Resource) -> None:
    ctx.charge(resource, "secret-month", 1.0, "1 secret")
    calls = ctx.use(resource).api_calls_per_month or 0.0
    ctx.charge(resource, "secret-api-call", calls, f"{calls:,.0f} API calls")


@pricer("parameter")
def parameter(ctx: PricingContext, resource: Resource) -> None:
    ctx.no_charge(resource, "standard SSM parameters have no charge (AWS Systems Manager pricing, Parameter Store)")
