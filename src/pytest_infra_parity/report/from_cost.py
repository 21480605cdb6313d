"""Report evidence of a cost estimate (:class:`~pytest_infra_parity.cost.model.Estimate`) and its budget.

The ``cost`` section shows a ``bars`` chart of the monthly cost by resource (the smallest ones grouped as
"other"), a table of the charge lines (resource, kind, quantity, unit, unit price, monthly) with what could
not be priced as warn rows (cost unknown, never zero) and what AWS does not charge for, the assumptions,
and the budget's verdict. Amounts are in the estimate's currency (the scenario's: the design's budget
currency, else USD). Figures: ``cost.monthly_usd``, ``cost.monthly_<currency>`` (when not USD),
``cost.budget`` (when there is one) and ``cost.unpriced`` (when something could not be priced).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from pytest_infra_parity.report.from_parity import short_source
from pytest_infra_parity.report.model import Bar, Cell, Chart, Figure, Section, Tone, table

if TYPE_CHECKING:
    from pytest_infra_parity.cost.budget import BudgetCheck
    from pytest_infra_parity.cost.currency import Rate
    from pytest_infra_parity.cost.model import Estimate

__all__ = ["LINE_COLUMNS", "MAX_BARS", "OTHER_SHARE", "cost_section"]

MAX_BARS = 12
"""Bars the chart keeps at most; the other resources share one "other" bar."""
OTHER_SHARE = 0.01
"""Resources under this share of the total go to the "other" bar too (when there are more than a few)."""
LINE_COLUMNS = ("resource", "kind", "quantity", "unit", "unit price", "monthly")


def number(value: float) -> str:
    """``1,234.5``, ``0.00001333``: a quantity or price without exponent (4 significant figures under 0.01),
    trailing zeros dropped."""
    if value == 0:
        return "0"
    decimals = 4 if abs(value) >= 0.01 else 3 - math.floor(math.log10(abs(value)))
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(amount: float, code: str) -> str:
    """``12.34 EUR``; amounts under a cent keep their first figures (``0.0042 USD``)."""
    shown = f"{amount:,.2f}" if amount == 0 or abs(amount) >= 0.01 else f"{amount:.2g}"
    return f"{shown} {code}"


def _bars(estimate: Estimate, rate: Rate) -> tuple[Bar, ...]:
    items = [(name, rate.from_usd(usd)) for name, usd in estimate.by_resource().items()]
    total = sum(amount for _, amount in items)
    if total <= 0:
        return ()
    kept = [(n, a) for index, (n, a) in enumerate(items) if index < MAX_BARS - 1 and (a >= OTHER_SHARE * total
                                                                                       or len(items) <= 4)]
    rest = items[len(kept):]
    if len(rest) == 1:
        kept, rest = items, []
    bars = [Bar(name, round(amount, 6)) for name, amount in kept]
    if rest:
        bars.append(Bar(f"other ({len(rest)} resources)", round(sum(a for _, a in rest), 6)))
    return tuple(bars)


def _line_rows(estimate: Estimate, rate: Rate) -> list[tuple[Cell, ...]]:
    code = rate.code
    order = {name: index for index, name in enumerate(estimate.by_resource())}
    rows: list[tuple[Cell, ...]] = []
    for line in sorted(estimate.lines, key=lambda x: (order.get(x.resource, len(order)), -x.usd, x.price_id)):
        free = f" ({number(line.free_quantity)} free)" if line.free_quantity else ""
        rows.append((Cell(line.resource), Cell(line.kind), Cell(number(line.quantity) + free), Cell(line.unit),
                     Cell(f"{number(rate.from_usd(line.unit_usd))} {code}"),
                     Cell(money(rate.from_usd(line.usd), code))))
    for item in estimate.unpriced:
        rows.append((Cell(item.resource), Cell(item.kind), Cell(item.what, "warn"), Cell(""), Cell(""),
                     Cell(f"not priced: {item.reason}", "warn")))
    for nothing in estimate.no_charge:
        rows.append((Cell(nothing.resource), Cell(nothing.kind), Cell(""), Cell(""), Cell(""),
                     Cell(f"no charge: {nothing.reason}")))
    return rows


def _verdict(estimate: Estimate, budget: BudgetCheck | None) -> Tone:
    if budget is None:
        return "neutral" if estimate.complete else "warn"
    if budget.status == "within":
        return "good"
    return "bad" if budget.status == "over" else "warn"


def _figures(estimate: Estimate, rate: Rate, budget: BudgetCheck | None) -> tuple[Figure, ...]:
    tone: Tone = "neutral" if budget is None else ("bad" if budget.status == "over" else "good")
    figures = [Figure(f"cost.monthly_{rate.code.lower()}", round(estimate.total(rate), 4), rate.code, "monthly cost",
                      tone)]
    if rate.code != "USD":
        figures.append(Figure("cost.monthly_usd", round(estimate.total_usd, 4), "USD", "monthly cost in USD"))
    if budget is not None:
        figures.append(Figure("cost.budget", budget.amount, budget.currency, "monthly budget"))
    if estimate.unpriced:
        figures.append(Figure("cost.unpriced", len(estimate.unpriced), label="items not priced", tone="warn"))
    return tuple(figures)


def cost_section(estimate: Estimate, *, budget: BudgetCheck | None = None, rate: Rate | None = None,
                 title: str = "") -> Section:
    """The ``cost`` section of ``estimate`` (in ``rate``'s currency, default the estimate's), with its budget."""
    rate = rate or estimate.rate
    code = rate.code
    summary = (f"{money(estimate.total(rate), code)} a month in {estimate.region}"
               + ("" if estimate.complete else f" + {len(estimate.unpriced)} item(s) not priced (cost unknown)")
               + f" (catalog {estimate.catalog_version}, {estimate.catalog_date}, {estimate.catalog_origin}"
               + (f"; {rate.describe()}" if code != "USD" else "") + ")")
    if budget is not None:
        summary += f"; {budget.describe()}"
    bars = _bars(estimate, rate)
    charts = (Chart("bars", f"Monthly cost by resource ({code})", x_label=code, bars=bars),) if bars else ()
    rows = _line_rows(estimate, rate)
    tables = (table("Charge lines", LINE_COLUMNS, rows, group_by=0,
                    note=f"amounts in {code}; usage: {estimate.usage_source or 'none given'}"),) if rows else ()
    text = "\n".join(f"assumption: {a}" for a in estimate.assumptions)
    return Section(kind="cost", title=title or f"Monthly cost of {short_source(estimate.source)}",
                   verdict=_verdict(estimate, budget), summary=summary, figures=_figures(estimate, rate, budget),
                   tables=tables, charts=charts, text=text)
