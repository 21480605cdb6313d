"""Lambda invocations driven by the requests of the HTTP APIs that integrate a function.

A route of an HTTP API whose integration is a Lambda proxy integration (``IntegrationType: AWS_PROXY``,
``IntegrationUri`` the function's ARN or its ``.../functions/<arn>/invocations`` URI) invokes the
function once per request (Amazon API Gateway Developer Guide, "Create AWS Lambda proxy integrations for
HTTP APIs"; a route's ``Target`` is ``integrations/<IntegrationId>``, AWS::ApiGatewayV2::Route). So the
requests an API receives (``cost.resources.<api>.requests_per_day`` or ``requests_per_month``, else
``usage.requests_per_day``: the same figure the API's own requests are billed for) are the invocations
of its functions. They are shared by the API's Lambda routes when the routes' targets are known (a
deployed stack), else evenly by its Lambda integrations; the share is stated as an assumption. Not
counted here: Lambda authorizers (invoked per uncached request), REST API methods, WebSocket APIs.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from pytest_infra_parity.cost.context import PricingContext, known
from pytest_infra_parity.cost.kinds.network import requests_per_day
from pytest_infra_parity.cost.usage import DAYS_PER_MONTH
from pytest_infra_parity.inventory.model import Resource

_FUNCTION_NAME = re.compile(r":function:([^:/]+)")


@dataclass(frozen=True)
class _Integration:
    resource: Resource
    api: Resource
    function: Resource


def _identifiers(resource: Resource) -> set[str]:
    found = {resource.name}
    for value in (known(resource.physical_id), known(resource.arn)):
        if isinstance(value, str):
            found.add(value)
            match = _FUNCTION_NAME.search(value)
            if match:
                found.add(match[1])
    return found


def _function_of(ctx: PricingContext, integration: Resource) -> Resource | None:
    linked = ctx.linked(integration, "IntegrationUri")
    if linked is not None:
        return linked if linked.kind == "function" else None
    uri = ctx.prop(integration, "IntegrationUri")
    kind = str(ctx.prop(integration, "IntegrationType") or "AWS_PROXY").upper()
    match = _FUNCTION_NAME.search(uri) if isinstance(uri, str) else None
    if match is None or kind not in ("AWS_PROXY", "AWS"):
        return None
    return next((f for f in ctx.of_kind("function") if match[1] in _identifiers(f)), None)


def _api_of(ctx: PricingContext, integration: Resource) -> Resource | None:
    apis = [api for api in ctx.of_kind("http api") if str(ctx.setting(api, "protocol") or "HTTP") == "HTTP"]
    linked = ctx.linked(integration, "ApiId")
    if linked is not None:
        return linked if any(linked is api for api in apis) else None
    api_id = ctx.prop(integration, "ApiId")
    named = [api for api in apis if isinstance(api_id, str) and api_id in _identifiers(api)]
    return named[0] if named else (apis[0] if len(apis) == 1 else None)


def _lambda_integrations(ctx: PricingContext) -> list[_Integration]:
    found: list[_Integration] = []
    for integration in ctx.of_kind("api integration"):
        function, api = _function_of(ctx, integration), _api_of(ctx, integration)
        if function is not None and api is not None:
            found.append(_Integration(integration, api, function))
    return found


def _route_counts(ctx: PricingContext, integrations: list[_Integration]) -> Counter[str]:
    """Routes per integration name, for the routes whose target is known."""
    counts: Counter[str] = Counter()
    for route in ctx.of_kind("api route"):
        linked = ctx.linked(route, "Target")
        target = ctx.prop(route, "Target")
        ident = target.removeprefix("integrations/") if isinstance(target, str) else None
        for item in integrations:
            if item.resource is linked or (ident is not None and ident in _identifiers(item.resource)):
                counts[item.resource.name] += 1
    return counts


def _share(ctx: PricingContext, function: Resource, api: Resource, items: list[_Integration]) -> tuple[float, str]:
    """The share of ``api``'s requests that invoke ``function``, and why."""
    routes = _route_counts(ctx, items)
    mine = [item for item in items if item.function is function]
    override = f"cost.resources.{function.name}.invocations_per_day overrides it"
    if routes:
        total, own = sum(routes.values()), sum(routes[item.resource.name] for item in mine)
        return own / total, (f"{function.name}: {own} of the {total} Lambda routes of {api.name} lead to it, so "
                             f"{own / total:.0%} of the API's requests, spread evenly over its routes ({override})")
    share = len(mine) / len(items)
    if share == 1:
        return share, f"{function.name}: every request of {api.name} invokes it (its only Lambda integration)"
    return share, (f"{function.name}: the route targets of {api.name} are not known, so its requests are split "
                   f"evenly over its {len(items)} Lambda integrations: {share:.0%} ({override})")


def api_invocations(ctx: PricingContext, function: Resource) -> tuple[float, str] | None:
    """Invocations a month of ``function`` from the requests of the HTTP APIs integrating it, with how."""
    integrations = _lambda_integrations(ctx)
    apis = {id(item.api): item.api for item in integrations if item.function is function}
    count, how = 0.0, []
    for api in apis.values():
        per_day = requests_per_day(ctx, api)
        if not per_day:
            continue
        share, why = _share(ctx, function, api, [item for item in integrations if item.api is api])
        ctx.assume(why)
        count += share * per_day * DAYS_PER_MONTH
        how.append(f"{share:.4g} x {per_day:g} {api.name} requests/day x {DAYS_PER_MONTH:.4f} days")
    return (count, " + ".join(how)) if how else None
