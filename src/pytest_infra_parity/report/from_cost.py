"""Report evidence of a cost estimate (:class:`~pytest_infra_parity.cost.model.Estimate`) and its budget.

The ``cost`` section, titled with the region the estimate was priced in, shows a ``bars`` chart of the monthly
cost by resource (the smallest ones grouped as "other") with the budget as a threshold, a table of the charge
lines (resource, kind, quantity, unit, unit price, monthly), most expensive first, after what could not be
priced (warn rows: cost unknown, never zero) and before one row for every resource AWS does not charge for
(each listed with its reason in the section's text, with the assumptions and the exchange rate's source).
Amounts are in the estimate's currency (the scenario's: the design's budget currency, else USD), to the cent.
Figures: ``cost.monthly_usd``, ``cost.monthly_<currency>`` (when not USD), ``cost.budget`` (when there is one)
and ``cost.unpriced`` (when something could not be priced).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import TYPE_CHECKING

from pytest_infra_parity.report.from_parity import short_source
from pytest_infra_parity.report.model import Bar, Cell, Chart, Figure, Section, Threshold, Tone, table

if TYPE_CHECKING:
    from pytest_infra_parity.cost.budget import BudgetCheck
    from pytest_infra_parity.cost.currency import Rate
    from pytest_infra_parity.cost.model import Estimate

__all__ = ["LINE_COLUMNS", "MAX_BARS", "OTHER_SHARE", "cost_section", "money", "number"]

MAX_BARS = 12
"""Bars the chart keeps at most; the other resources share one "other" bar."""
OTHER_SHARE = 0.01
"""Resources under this share of the total go to the "other" bar too (when there are more than a few)."""
LINE_COLUMNS = ("resource", "kind", "quantity", "unit", "unit price", "monthly")
NO_CHARGE_KINDS = 3
"""Kinds the row of the resources with no charge names (every resource is in the section's text)."""
_REGION_SUFFIX = re.compile(r"\s*\((?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)\)$")
"""``stack x (us-east-1)``: a source naming where it was read or deployed, not where it is priced."""


def number(value: float) -> str:
    """``1,234.5``, ``0.00001333``: a quantity or price without exponent (4 significant figures under 0.01),
    trailing zeros dropped."""
    if value == 0:
        return "0"
    decimals = 4 if abs(value) >= 0.01 else 3 - math.floor(math.log10(abs(value)))
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(amount: float, code: str) -> str:
    """``12.34 EUR``, to the cent; a charge under half a cent is ``< 0.01 EUR`` (never a zero it is not)."""
    if amount != 0 and abs(amount) < 0.005:
        return f"< 0.01 {code}"
    return f"{amount:,.2f} {code}"


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
    bars = [Bar(name, round(amount, 2)) for name, amount in kept]
    if rest:
        bars.append(Bar(f"other ({len(rest)} resources)", round(sum(a for _, a in rest), 2)))
    return tuple(bars)


def _plural(count: int, word: str) -> str:
    if count == 1:
        return word
    return word[:-1] + "ies" if word.endswith("y") and word[-2:-1] not in "aeiou" else word + "s"


def _no_charge_row(estimate: Estimate) -> tuple[Cell, ...]:
    """One row for every resource AWS does not charge for: how many, of which kinds (the most common)."""
    count = len(estimate.no_charge)
    kinds = Counter(nothing.kind for nothing in estimate.no_charge)
    shown = [f"{n} {_plural(n, kind)}" if n > 1 else kind for kind, n in kinds.most_common(NO_CHARGE_KINDS)]
    listed = ", ".join(shown) + (", …" if len(kinds) > NO_CHARGE_KINDS else "")
    return (Cell(f"{count} {_plural(count, 'resource')} with no charge"), Cell(listed), Cell(""), Cell(""), Cell(""),
            Cell("no charge"))


def _line_rows(estimate: Estimate, rate: Rate) -> list[tuple[Cell, ...]]:
    code = rate.code
    rows: list[tuple[Cell, ...]] = [
        (Cell(item.resource), Cell(item.kind), Cell(item.what, "warn"), Cell(""), Cell(""),
         Cell(f"not priced: {item.reason}", "warn")) for item in estimate.unpriced]
    for line in sorted(estimate.lines, key=lambda x: (-x.usd, x.resource, x.price_id)):
        free = f" ({number(line.free_quantity)} free)" if line.free_quantity else ""
        rows.append((Cell(line.resource), Cell(line.kind), Cell(number(line.quantity) + free), Cell(line.unit),
                     Cell(f"{number(rate.from_usd(line.unit_usd))} {code}"),
                     Cell(money(rate.from_usd(line.usd), code))))
    if len(estimate.no_charge) == 1:
        nothing = estimate.no_charge[0]
        rows.append((Cell(nothing.resource), Cell(nothing.kind), Cell(""), Cell(""), Cell(""),
                     Cell(f"no charge: {nothing.reason}")))
    elif estimate.no_charge:
        rows.append(_no_charge_row(estimate))
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


def _threshold(budget: BudgetCheck | None, rate: Rate) -> tuple[Threshold, ...]:
    """The budget as a line of the chart, in the chart's currency (a budget in another one is left out)."""
    from pytest_infra_parity.cost.budget import amount_text

    if budget is None or budget.currency not in (rate.code, "USD"):
        return ()
    value = budget.amount if budget.currency == rate.code else rate.from_usd(budget.amount)
    return (Threshold(round(value, 2), f"budget {amount_text(budget.amount)} {budget.currency}"),)


def _subject(estimate: Estimate) -> tuple[str, str]:
    """What was priced, short, without the region it was read in; and that region when it is not the priced one."""
    name = short_source(estimate.source)
    found = _REGION_SUFFIX.search(name)
    if found is None:
        return name, ""
    read_in = found["region"]
    return name[: found.start()], read_in if read_in != estimate.region else ""


def _text(estimate: Estimate, rate: Rate, subject: str, read_in: str) -> str:
    lines = [f"{subject} was read in {read_in}; it is priced at the prices of {estimate.region}"] if read_in else []
    if rate.code != "USD":
        lines.append(f"exchange rate: {rate.describe()}")
    lines += [f"assumption: {a}" for a in estimate.assumptions]
    lines += [f"no charge: {n.resource} ({n.kind}): {n.reason}" for n in estimate.no_charge]
    return "\n".join(lines)


def cost_section(estimate: Estimate, *, budget: BudgetCheck | None = None, rate: Rate | None = None,
                 title: str = "") -> Section:
    """The ``cost`` section of ``estimate`` (in ``rate``'s currency, default the estimate's), with its budget."""
    rate = rate or estimate.rate
    code, region = rate.code, estimate.region
    rated = f"; 1 {code} = {rate.usd_per_unit:g} USD on {rate.date}" if code != "USD" else ""
    summary = (f"{money(estimate.total(rate), code)} a month in {region}"
               + ("" if estimate.complete else f" + {len(estimate.unpriced)} item(s) not priced (cost unknown)")
               + f" (catalog {estimate.catalog_version}, {estimate.catalog_date}, {estimate.catalog_origin}{rated})")
    if budget is not None:
        summary += f"; {budget.describe()}"
    bars = _bars(estimate, rate)
    charts = (Chart("bars", f"Monthly cost by resource in {region} ({code})", x_label=code, bars=bars,
                    thresholds=_threshold(budget, rate)),) if bars else ()
    rows = _line_rows(estimate, rate)
    tables = (table("Charge lines", LINE_COLUMNS, rows,
                    note=f"amounts in {code} a month, most expensive first; usage: "
                         f"{estimate.usage_source or 'none given'}"),) if rows else ()
    subject, read_in = _subject(estimate)
    return Section(kind="cost", title=title or f"Monthly cost of {subject} in {region}",
                   verdict=_verdict(estimate, budget), summary=summary, figures=_figures(estimate, rate, budget),
                   tables=tables, charts=charts, text=_text(estimate, rate, subject, read_in))
