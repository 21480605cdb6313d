"""An estimate against a monthly budget: within, over (by how much), or not checkable (what is unpriced).

The total only counts what was priced, so a total above the budget is over it whatever is unpriced; a
total under it proves nothing while something could not be priced (its cost is unknown, not zero).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pytest_infra_parity.cost.currency import Rate
from pytest_infra_parity.cost.model import Estimate, Unpriced

SHOWN_UNPRICED = 3


def amount_text(amount: float) -> str:
    """``25``, ``25.5``, ``1,234.56``: a budget as the user wrote it, at most two decimals."""
    return f"{amount:,.2f}".rstrip("0").rstrip(".")


def check_amount(amount: float, what: str) -> str | None:
    """Why ``amount`` is not a usable budget (``what`` names the option), None when it is."""
    if not (amount > 0 and math.isfinite(amount)):
        return f"{what} must be an amount above 0, got {amount:g}"
    return None


@dataclass(frozen=True)
class BudgetCheck:
    """The estimate's total against a monthly budget, in the budget's currency."""

    amount: float
    currency: str
    total: float
    unpriced: tuple[Unpriced, ...] = ()
    missing_region: str | None = None
    """Why most items are unpriced when the region is not in the catalog."""

    @property
    def status(self) -> str:
        """``over``, ``unpriced`` (under the budget, but something could not be priced) or ``within``."""
        if self.total > self.amount:
            return "over"
        return "unpriced" if self.unpriced else "within"

    @property
    def ok(self) -> bool:
        return self.status == "within"

    def _unpriced_reason(self) -> str:
        if self.missing_region:
            return self.missing_region
        shown = [f"{u.resource}: {u.what} ({u.reason})" for u in self.unpriced[:SHOWN_UNPRICED]]
        more = len(self.unpriced) - len(shown)
        return "; ".join(shown) + (f"; and {more} more (see 'not priced' above)" if more > 0 else "")

    def describe(self) -> str:
        """One line: the verdict, the total, the budget with its currency, and the reason."""
        code, budget = self.currency, f"the budget of {amount_text(self.amount)} {self.currency}"
        total = f"{self.total:,.2f} {code} a month"
        count = f"{len(self.unpriced)} item(s) could not be priced"
        if self.status == "over":
            line = f"over budget: {total}, {self.total - self.amount:,.2f} {code} above {budget}"
            return line + (f", and {count}: the real cost is higher ({self._unpriced_reason()})"
                           if self.unpriced else "")
        if self.status == "unpriced":
            return (f"cannot check {budget}: {self.total:,.2f} {code} a month priced, but {count} (cost unknown, "
                    f"not zero): {self._unpriced_reason()}")
        return f"within budget: {total}, {self.amount - self.total:,.2f} {code} under {budget}"

    def as_json(self) -> dict[str, Any]:
        return {"amount": self.amount, "currency": self.currency, "total": round(self.total, 6),
                "status": self.status, "over_by": round(self.total - self.amount, 6),
                "unpriced": len(self.unpriced), "reason": self.describe()}


def check_budget(estimate: Estimate, amount: float, rate: Rate, regions: Sequence[str] = ()) -> BudgetCheck:
    """``estimate`` against ``amount`` a month in ``rate``'s currency (``regions``: the catalog's)."""
    missing = None
    if regions and estimate.region not in regions and estimate.unpriced:
        missing = f"region {estimate.region} is not in the price catalog ({', '.join(regions)})"
    return BudgetCheck(amount, rate.code, estimate.total(rate), tuple(estimate.unpriced), missing)
