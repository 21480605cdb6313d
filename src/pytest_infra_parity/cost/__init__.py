"""Cost limits: the monthly cost of a design from its resources and usage, in USD or another currency.

Inner room: nothing here imports boto3 or the outer rooms. The catalog (``cost/prices``) is offline and
dated; :mod:`pytest_infra_parity.cost_live` refreshes it from the AWS Price List API through a client
factory and gives the pricing functions the declared properties of template sources.
"""

from __future__ import annotations

from pytest_infra_parity.cost.catalog import Catalog, CatalogError, load_catalog
from pytest_infra_parity.cost.context import Declaration
from pytest_infra_parity.cost.currency import USD, Rate, load_rates, resolve_rate
from pytest_infra_parity.cost.estimate import estimate
from pytest_infra_parity.cost.model import Estimate, Line, NoCharge, Unpriced
from pytest_infra_parity.cost.usage import ResourceUsage, UsageError, UsageProfile, parse_usage

__all__ = [
    "USD",
    "Catalog",
    "CatalogError",
    "Declaration",
    "Estimate",
    "Line",
    "NoCharge",
    "Rate",
    "ResourceUsage",
    "Unpriced",
    "UsageError",
    "UsageProfile",
    "estimate",
    "load_catalog",
    "load_rates",
    "parse_usage",
    "resolve_rate",
]
