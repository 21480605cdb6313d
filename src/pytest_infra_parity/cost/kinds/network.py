"""Load balancers, NAT gateways, public IPv4 addresses, CloudFront, WAF and Route 53.

Application Load Balancer (Elastic Load Balancing pricing): every hour or partial hour, plus LCU-hours,
the highest of the dimensions an LCU holds (25 new connections a second, 3,000 active connections a
minute, 1 GB an hour processed for EC2/IP/container targets, 1,000 rule evaluations a second, the first
10 rules free). An internet-facing load balancer holds one public IPv4 address per subnet (Elastic
Load Balancing User Guide, "Internet-facing load balancers"), each billed $0.005/h since 2024-02-01,
unless its IpAddressType is ``dualstack-without-public-ipv4``.

NAT gateway (Amazon VPC pricing): every hour plus each GB processed; its Elastic IP is a separate
``AWS::EC2::EIP`` resource, billed as a public IPv4 address. CloudFront (pricing page): GB out and HTTPS
requests at the rate of the design's region's edge locations. WAF: web ACLs, rules, requests. Route 53:
hosted zones and standard queries.
"""

from __future__ import annotations

from pytest_infra_parity.cost.context import PricingContext
from pytest_infra_parity.cost.kinds import pricer
from pytest_infra_parity.cost.usage import DAYS_PER_MONTH
from pytest_infra_parity.inventory.model import Resource

DEFAULT_RESPONSE_KB = 20.0


def requests_per_day(ctx: PricingContext, resource: Resource) -> float | None:
    """Requests a day of a resource: its own figure (per day or per month), else the design's."""
    use = ctx.use(resource)
    if use.requests_per_day is not None:
        return use.requests_per_day
    if use.requests_per_month is not None:
        return use.requests_per_month / DAYS_PER_MONTH
    return ctx.usage.requests_per_day


def _lcu_hours(ctx: PricingContext, resource: Resource) -> tuple[float, str]:
    use = ctx.use(resource)
    if use.lcu_hours_per_month is not None:
        return use.lcu_hours_per_month, "LCU-hours given in the usage profile"
    per_day = requests_per_day(ctx, resource)
    if not per_day:
        ctx.assume(f"{resource.name}: no requests in the usage profile, so no LCU-hours")
        return 0.0, "no requests"
    hours_a_day = ctx.usage.active_hours_per_day or 24.0
    response_kb = ctx.usage.average_response_kb or DEFAULT_RESPONSE_KB
    if ctx.usage.average_response_kb is None:
        ctx.assume(f"{resource.name}: {DEFAULT_RESPONSE_KB:g} KB processed per request (usage.average_response_kb)")
    per_hour = per_day / hours_a_day
    connections = per_hour / 3600.0 / 25.0
    processed = per_hour * response_kb / 1024.0 / 1024.0
    lcu = max(connections, processed)
    ctx.assume(f"{resource.name}: one new connection per request; traffic over {hours_a_day:g} h a day")
    hours = hours_a_day * DAYS_PER_MONTH
    return lcu * hours, (f"max({per_hour:,.1f} req/h / 3600 / 25 new conn, {per_hour:,.1f} x {response_kb:g} KB "
                         f"= {processed:.4f} GB/h) = {lcu:.5f} LCU x {hours:.1f} h")


def _public_addresses(ctx: PricingContext, resource: Resource) -> tuple[int, str] | None:
    if ctx.setting(resource, "scheme") == "internal":
        return None
    if ctx.prop(resource, "IpAddressType") == "dualstack-without-public-ipv4":
        return None
    subnets = ctx.prop(resource, "Subnets") or ctx.prop(resource, "SubnetMappings")
    if isinstance(subnets, list) and subnets:
        return len(subnets), f"{len(subnets)} subnets"
    ctx.assume(f"{resource.name}: 2 subnets assumed (an ALB needs at least two availability zones)")
    return 2, "2 subnets (assumed)"


@pricer("load balancer")
def load_balancer(ctx: PricingContext, resource: Resource) -> None:
    kind = str(ctx.setting(resource, "type") or "application")
    if kind != "application":
        ctx.unpriced(resource, f"{kind} load balancer", "only Application Load Balancers are in the catalog")
        return
    hours = ctx.use(resource).hours_per_month or ctx.usage.alb_hours_per_month or ctx.hours
    ctx.charge(resource, "alb-hour", hours, f"{hours:g} h")
    lcu_hours, how = _lcu_hours(ctx, resource)
    ctx.charge(resource, "alb-lcu-hour", lcu_hours, how)
    addresses = _public_addresses(ctx, resource)
    if addresses is not None:
        count, how = addresses
        ctx.charge(resource, "public-ipv4-hour", count * hours,
                   f"internet-facing: one public IPv4 per subnet, {how} x {hours:g} h")


@pricer("nat gateway")
def nat_gateway(ctx: PricingContext, resource: Resource) -> None:
    ctx.charge(resource, "nat-gateway-hour", ctx.hours, f"{ctx.hours:g} h")
    processed = ctx.use(resource).gb_processed_per_month
    if processed is None:
        processed = ctx.usage.nat_gb_per_month
    if processed is None:
        ctx.assume(f"{resource.name}: no data processed given (usage.nat_gb_per_month): 0 GB")
        processed = 0.0
    ctx.charge(resource, "nat-gateway-gb", processed, f"{processed:g} GB processed")


@pricer("elastic ip")
def elastic_ip(ctx: PricingContext, resource: Resource) -> None:
    ctx.charge(resource, "public-ipv4-hour", ctx.hours, f"1 address x {ctx.hours:g} h (in use or idle)")


@pricer("vpc endpoint")
def vpc_endpoint(ctx: PricingContext, resource: Resource) -> None:
    if str(ctx.prop(resource, "VpcEndpointType") or "Gateway") == "Gateway":
        ctx.no_charge(resource, "gateway endpoints (S3, DynamoDB) have no charge (Amazon VPC pricing)")
        return
    ctx.unpriced(resource, "interface endpoint hours and data", "interface endpoints are not in the catalog")


@pricer("distribution")
def distribution(ctx: PricingContext, resource: Resource) -> None:
    use = ctx.use(resource)
    gb = use.gb_out_per_month if use.gb_out_per_month is not None else ctx.usage.frontend_gb_per_month
    requests = use.requests_per_month
    if requests is None and ctx.usage.requests_per_day is not None:
        requests = ctx.usage.requests_per_day * DAYS_PER_MONTH
    ctx.assume("CloudFront: viewers priced at the edge rate of the design's region")
    ctx.charge(resource, "cloudfront-data-out-gb", gb or 0.0, f"{gb or 0:g} GB out")
    ctx.charge(resource, "cloudfront-https-request", requests or 0.0, f"{requests or 0:,.0f} HTTPS requests")


@pricer("web acl")
def web_acl(ctx: PricingContext, resource: Resource) -> None:
    rules = ctx.prop(resource, "Rules")
    count = len(rules) if isinstance(rules, list) else 0
    ctx.charge(resource, "waf-web-acl-month", 1.0, "1 web ACL")
    ctx.charge(resource, "waf-rule-month", float(count), f"{count} rules")
    requests = ctx.use(resource).requests_per_month
    if requests is None:
        ctx.assume(f"{resource.name}: no requests inspected given: 0")
    ctx.charge(resource, "waf-request", requests or 0.0, f"{requests or 0:,.0f} requests")


@pricer("hosted zone")
def hosted_zone(ctx: PricingContext, resource: Resource) -> None:
    ctx.charge(resource, "route53-hosted-zone-month", 1.0, "1 hosted zone")
    queries = ctx.use(resource).queries_per_month or 0.0
    ctx.charge(resource, "route53-query", queries, f"{queries:,.0f} standard queries")


@pricer("http api")
def http_api(ctx: PricingContext, resource: Resource) -> None:
    if str(ctx.setting(resource, "protocol") or "HTTP") != "HTTP":
        ctx.unpriced(resource, "WebSocket API messages and minutes", "WebSocket APIs are not in the catalog")
        return
    per_day = requests_per_day(ctx, resource) or 0.0
    ctx.charge(resource, "api-http-request", per_day * DAYS_PER_MONTH,
               f"{per_day:g} requests/day x {DAYS_PER_MONTH:.4f} days")


@pricer("AWS::ApiGateway::RestApi")
def rest_api(ctx: PricingContext, resource: Resource) -> None:
    per_day = requests_per_day(ctx, resource) or 0.0
    ctx.charge(resource, "api-rest-request", per_day * DAYS_PER_MONTH,
               f"{per_day:g} requests/day x {DAYS_PER_MONTH:.4f} days")
