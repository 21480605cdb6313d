"""What an estimate is made of: charge lines, what could not be priced, what costs nothing, assumptions.

Every amount is in USD, a month being 730 hours; :class:`Estimate` converts totals with a
:class:`~pytest_infra_parity.cost.currency.Rate`. A resource nobody could price is an :class:`Unpriced`
entry with the reason, never a zero line; a resource AWS does not charge for is a :class:`NoCharge`
entry with the reason (VPCs, IAM roles...).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from pytest_infra_parity.cost.currency import USD, Rate


@dataclass(frozen=True)
class Line:
    """One charge: ``quantity`` of ``unit`` at ``unit_usd``, for one resource and one billing dimension."""

    resource: str
    kind: str
    service: str
    price_id: str
    description: str
    quantity: float
    unit: str
    unit_usd: float
    detail: str = ""
    """How the quantity was computed (the arithmetic, shown in the breakdown)."""
    free_quantity: float = 0.0
    """Part of the quantity covered by the free tier (only when the free tier is applied)."""

    @property
    def billed_quantity(self) -> float:
        return max(0.0, self.quantity - self.free_quantity)

    @property
    def usd(self) -> float:
        return self.billed_quantity * self.unit_usd


@dataclass(frozen=True)
class Unpriced:
    """Something that costs money but could not be priced, and why."""

    resource: str
    kind: str
    what: str
    reason: str
    service: str = ""
    """The catalog service the missing price belongs to ("" when the pricing function could not say)."""


@dataclass(frozen=True)
class NoCharge:
    """A resource AWS does not charge for by itself, and why."""

    resource: str
    kind: str
    reason: str


@dataclass
class Estimate:
    """A monthly estimate of one inventory under one usage profile."""

    source: str
    region: str
    catalog_version: str
    catalog_date: str
    catalog_origin: str = "offline"
    hours_per_month: float = 730.0
    usage_source: str = ""
    lines: list[Line] = field(default_factory=list)
    unpriced: list[Unpriced] = field(default_factory=list)
    no_charge: list[NoCharge] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    free_tier: bool = False
    rate: Rate = USD

    @property
    def total_usd(self) -> float:
        return sum(line.usd for line in self.lines)

    @property
    def currency(self) -> str:
        return self.rate.code

    def total(self, rate: Rate | None = None) -> float:
        return (rate or self.rate).from_usd(self.total_usd)

    def by_service(self) -> dict[str, float]:
        """USD per service, most expensive first."""
        found: dict[str, float] = defaultdict(float)
        for line in self.lines:
            found[line.service] += line.usd
        return dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))

    def by_resource(self) -> dict[str, float]:
        """USD per resource, most expensive first."""
        found: dict[str, float] = defaultdict(float)
        for line in self.lines:
            found[line.resource] += line.usd
        return dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))

    def service_total(self, service: str) -> float:
        return sum(line.usd for line in self.lines if line.service == service)

    @property
    def complete(self) -> bool:
        """True when everything that costs money was priced."""
        return not self.unpriced

    def assume(self, text: str) -> None:
        if text not in self.assumptions:
            self.assumptions.append(text)

    def converted(self, rate: Rate) -> Estimate:
        """The same estimate, shown in another currency."""
        return replace(self, rate=rate)
