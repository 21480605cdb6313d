"""What a pricing function works with: the resource, its declared properties, the catalog and the usage.

A pricing function reads the normalized inventory first (``Resource.settings``: memory, architectures,
retention...) and, where the inventory model has no setting for what a price depends on (an instance
class, a node type, the subnets of a load balancer), the resource's declared properties when the
source has them (a template or a deployed stack; :mod:`pytest_infra_parity.cost_live` passes them). A
value only known after apply is treated as not given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.cost.catalog import Catalog
from pytest_infra_parity.cost.model import Estimate, Line, NoCharge, Unpriced
from pytest_infra_parity.cost.usage import ResourceUsage, UsageProfile
from pytest_infra_parity.inventory.model import Inventory, Resource, is_unknown


@dataclass(frozen=True)
class Declaration:
    """A resource's declared properties and the names of the resources its unknown values refer to."""

    properties: Mapping[str, Any] = field(default_factory=dict)
    references: Mapping[str, str] = field(default_factory=dict)
    """Property path (``TaskDefinition``, ``Dimensions[0].Value``) -> resource name."""


def known(value: Any) -> Any:
    """``value``, or None when it is only known after apply."""
    return None if is_unknown(value) else value


def dig(data: Any, *path: str | int) -> Any:
    """``data[path[0]][path[1]]...``, None when a step is missing or unknown."""
    for step in path:
        data = known(data)
        if isinstance(step, int):
            data = data[step] if isinstance(data, list) and -len(data) <= step < len(data) else None
        else:
            data = data.get(step) if isinstance(data, Mapping) else None
    return known(data)


def number(value: Any) -> float | None:
    """A number from a number or a numeric text (``"1024"``), else None."""
    value = known(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


class PricingContext:
    """Adds lines, unpriced items, no-charge items and assumptions to one :class:`Estimate`."""

    def __init__(self, *, catalog: Catalog, region: str, usage: UsageProfile, inventory: Inventory,
                 estimate: Estimate, declarations: Mapping[str, Declaration] | None = None) -> None:
        self.catalog = catalog
        self.region = region
        self.usage = usage
        self.inventory = inventory
        self.estimate = estimate
        self.declarations = dict(declarations or {})
        self.hours = catalog.hours_per_month

    # --- reading ---------------------------------------------------------------------------------------

    def props(self, resource: Resource) -> Mapping[str, Any]:
        return self.declarations.get(resource.name, Declaration()).properties

    def prop(self, resource: Resource, *path: str | int) -> Any:
        return dig(self.props(resource), *path)

    def setting(self, resource: Resource, name: str) -> Any:
        return known(resource.settings.get(name))

    def use(self, resource: Resource) -> ResourceUsage:
        return self.usage.of(resource.name)

    def linked(self, resource: Resource, path: str) -> Resource | None:
        """The resource a property of ``resource`` refers to (by the source's references), if any."""
        name = self.declarations.get(resource.name, Declaration()).references.get(path)
        return next((r for r in self.inventory.resources if r.name == name), None) if name else None

    def only(self, kind: str) -> Resource | None:
        """The single resource of ``kind`` of the inventory, or None when there are none or several."""
        found = self.inventory.of_kind(kind)
        return found[0] if len(found) == 1 else None

    def of_kind(self, kind: str) -> list[Resource]:
        return self.inventory.of_kind(kind)

    # --- writing ---------------------------------------------------------------------------------------

    def charge(self, resource: Resource, price_id: str, quantity: float, detail: str = "") -> None:
        """A line of ``quantity`` at the catalog's price in the region, or an unpriced entry saying why not."""
        price = self.catalog.price(price_id)
        found = price.in_region(self.region)
        if found is None:
            if quantity > 0:
                self.unpriced(resource, price.description, price.why_missing(self.region), service=price.service)
            return
        self.estimate.lines.append(Line(
            resource=resource.name, kind=resource.kind, service=price.service, price_id=price_id,
            description=price.description, quantity=quantity, unit=price.unit, unit_usd=found.usd, detail=detail,
        ))

    def unpriced(self, resource: Resource, what: str, reason: str, service: str = "") -> None:
        self.estimate.unpriced.append(Unpriced(resource.name, resource.kind, what, reason, service))

    def no_charge(self, resource: Resource, reason: str) -> None:
        self.estimate.no_charge.append(NoCharge(resource.name, resource.kind, reason))

    def assume(self, text: str) -> None:
        self.estimate.assume(text)


Pricer = Callable[[PricingContext, Resource], None]
"""Prices one resource: adds its lines (or unpriced / no-charge entries) to the context's estimate."""
