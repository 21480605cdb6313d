"""Price an inventory: every resource through its kind's pricing function, then design-wide charges.

``estimate(inventory, usage, catalog, region=...)`` returns an :class:`~.model.Estimate`: lines per
resource and per service, the monthly total (730 hours), the assumptions made, what costs nothing and
what could not be priced. The free tier is off by default (``free_tier=True`` applies the catalog's
monthly free quantities, account-wide, once per price or shared group).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace

from pytest_infra_parity.cost.catalog import Catalog, load_catalog
from pytest_infra_parity.cost.context import Declaration, PricingContext
from pytest_infra_parity.cost.currency import USD, Rate
from pytest_infra_parity.cost.kinds import pricer_for
from pytest_infra_parity.cost.model import Estimate
from pytest_infra_parity.cost.usage import UsageProfile
from pytest_infra_parity.inventory.model import Inventory, Resource

DESIGN_WIDE = Resource(kind="data transfer", cfn_type="-", name="(data transfer out)", source="usage")


def estimate(inventory: Inventory, usage: UsageProfile | None = None, catalog: Catalog | None = None, *,
             region: str, declarations: Mapping[str, Declaration] | None = None, free_tier: bool = False,
             rate: Rate = USD) -> Estimate:
    """The monthly estimate of ``inventory`` under ``usage`` at the catalog's prices in ``region``."""
    catalog = catalog or load_catalog()
    usage = usage or UsageProfile()
    result = Estimate(source=inventory.source, region=region, catalog_version=catalog.version,
                      catalog_date=catalog.date, catalog_origin=catalog.origin, hours_per_month=catalog.hours_per_month,
                      usage_source=usage.source, free_tier=free_tier, rate=rate)
    ctx = PricingContext(catalog=catalog, region=region, usage=usage, inventory=inventory, estimate=result,
                         declarations=declarations)
    if region not in catalog.regions():
        result.assume(f"region {region} is not in the catalog ({', '.join(catalog.regions())}): its prices are "
                      "missing, so most resources are unpriced")
    for resource in inventory.resources:
        price = pricer_for(resource.kind, resource.cfn_type)
        if price is None:
            ctx.unpriced(resource, f"{resource.cfn_type or resource.kind}",
                         f"no pricing function for kind {resource.kind!r} ({resource.cfn_type})")
            continue
        price(ctx, resource)
    _design_wide(ctx)
    _unknown_names(ctx)
    if usage.unused:
        result.assume(f"usage keys not read by the cost model: {', '.join(usage.unused)}")
    if free_tier:
        _apply_free_tier(result, catalog)
    else:
        result.assume("free tier not applied (pass free_tier=True / --free-tier to apply it)")
    result.assume(f"a month is {catalog.hours_per_month:g} hours; on-demand prices, before taxes")
    return result


def _design_wide(ctx: PricingContext) -> None:
    gb = ctx.usage.gb_out_per_month
    if gb:
        ctx.charge(DESIGN_WIDE, "data-transfer-out-gb", gb, f"{gb:g} GB out to the internet (usage.gb_out_per_month)")
    else:
        ctx.assume("no data transfer out to the internet given (usage.gb_out_per_month)")


def _unknown_names(ctx: PricingContext) -> None:
    names = {resource.name for resource in ctx.inventory.resources}
    for name in ctx.usage.resources:
        if name not in names:
            ctx.assume(f"cost.resources.{name}: no resource of that name in {ctx.inventory.source}; ignored")


def _apply_free_tier(result: Estimate, catalog: Catalog) -> None:
    """Spread each monthly free quantity over the lines of its price (or group), in order."""
    left: dict[str, float] = {}
    for price in catalog.prices.values():
        if price.free is not None:
            left.setdefault(price.free.group, price.free.quantity)
    used: dict[str, float] = defaultdict(float)
    lines = []
    for line in result.lines:
        free = catalog.prices[line.price_id].free
        if free is None or left.get(free.group, 0.0) <= 0:
            lines.append(line)
            continue
        covered = min(line.quantity, left[free.group])
        left[free.group] -= covered
        used[free.group] += covered
        lines.append(replace(line, free_quantity=covered))
    result.lines = lines
    for group, quantity in used.items():
        result.assume(f"free tier: {quantity:,.0f} of {group} covered (monthly, account-wide)")
