"""The breakdown of an estimate as a table (what a failing step and the CLI print) and as JSON."""

from __future__ import annotations

from typing import Any

from pytest_infra_parity.cost.currency import Rate
from pytest_infra_parity.cost.model import Estimate


def _money(amount: float, code: str) -> str:
    return f"{amount:,.2f} {code}"


def table(estimate: Estimate, rate: Rate | None = None, *, details: bool = True) -> str:
    """A readable breakdown: per resource line, per service, total, unpriced, assumptions."""
    rate = rate or estimate.rate
    code = rate.code
    out = [f"Monthly cost of {estimate.source} in {estimate.region} (catalog {estimate.catalog_version}, "
           f"{estimate.catalog_date}, {estimate.catalog_origin}; {estimate.hours_per_month:g} h/month)",
           f"usage: {estimate.usage_source}"]
    if code != "USD":
        out.append(f"currency: {rate.describe()}")
    out.append("")
    out.append(f"  {'resource':<34} {'service':<26} {'quantity':>16} {'unit':<18} {code:>12}")
    for line in sorted(estimate.lines, key=lambda item: (-item.usd, item.resource, item.price_id)):
        free = f" (free {line.free_quantity:,.2f})" if line.free_quantity else ""
        out.append(f"  {line.resource[:34]:<34} {line.service[:26]:<26} {line.quantity:>16,.3f} "
                   f"{line.unit[:18]:<18} {rate.from_usd(line.usd):>12,.2f}{free}")
        if details and line.detail:
            out.append(f"      {line.description}: {line.detail} @ {line.unit_usd:g} USD/{line.unit}")
    out.append("")
    out.append("  per service:")
    for service, usd in estimate.by_service().items():
        out.append(f"    {service:<40} {_money(rate.from_usd(usd), code):>16}")
    out.append(f"  TOTAL {_money(estimate.total(rate), code)} a month"
               + ("" if estimate.complete else f" + {len(estimate.unpriced)} unpriced item(s)"))
    if estimate.unpriced:
        out.append("  not priced (cost unknown, not zero):")
        out.extend(f"    {u.resource} ({u.kind}): {u.what}: {u.reason}" for u in estimate.unpriced)
    if estimate.assumptions:
        out.append("  assumptions:")
        out.extend(f"    - {text}" for text in estimate.assumptions)
    return "\n".join(out)


def as_json(estimate: Estimate, rate: Rate | None = None) -> dict[str, Any]:
    """The estimate as plain data (amounts in USD and in the rate's currency)."""
    rate = rate or estimate.rate
    return {
        "source": estimate.source,
        "region": estimate.region,
        "catalog": {"version": estimate.catalog_version, "date": estimate.catalog_date,
                    "origin": estimate.catalog_origin},
        "hours_per_month": estimate.hours_per_month,
        "usage": estimate.usage_source,
        "currency": {"code": rate.code, "usd_per_unit": rate.usd_per_unit, "date": rate.date,
                     "source": rate.source},
        "total_usd": round(estimate.total_usd, 6),
        "total": round(estimate.total(rate), 6),
        "complete": estimate.complete,
        "free_tier": estimate.free_tier,
        "by_service": {k: round(rate.from_usd(v), 6) for k, v in estimate.by_service().items()},
        "by_resource": {k: round(rate.from_usd(v), 6) for k, v in estimate.by_resource().items()},
        "lines": [{"resource": line.resource, "kind": line.kind, "service": line.service, "price": line.price_id,
                   "description": line.description, "quantity": line.quantity, "unit": line.unit,
                   "unit_usd": line.unit_usd, "free_quantity": line.free_quantity, "usd": line.usd,
                   "detail": line.detail} for line in estimate.lines],
        "unpriced": [vars(u) for u in estimate.unpriced],
        "no_charge": [vars(n) for n in estimate.no_charge],
        "assumptions": list(estimate.assumptions),
    }
