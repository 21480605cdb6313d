"""Helpers for the cost room's tests: small inventories priced against the shipped catalog."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from pytest_infra_parity.cost.catalog import Catalog, load_catalog
from pytest_infra_parity.cost.context import Declaration
from pytest_infra_parity.cost.estimate import estimate
from pytest_infra_parity.cost.model import Estimate, Line
from pytest_infra_parity.cost.usage import UsageProfile, parse_usage
from pytest_infra_parity.inventory.model import Inventory, Resource, kind_of


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


def resource(name: str, cfn_type: str, **settings: Any) -> Resource:
    """A resource of the kind of ``cfn_type`` with ``settings`` (what a source would map)."""
    return Resource(kind=kind_of(cfn_type), cfn_type=cfn_type, name=name, source="test", settings=dict(settings))


Price = Callable[..., Estimate]


@pytest.fixture
def price(catalog: Catalog) -> Price:
    """``price(resources, usage=None, cost=None, region="us-east-1", props=None, **kw)`` -> Estimate."""

    def run(resources: list[Resource], usage: Mapping[str, Any] | None = None,
            cost: Mapping[str, Any] | None = None, *, region: str = "us-east-1",
            props: Mapping[str, Mapping[str, Any]] | None = None,
            refs: Mapping[str, Mapping[str, str]] | None = None, **kwargs: Any) -> Estimate:
        profile = parse_usage(usage, cost) if usage is not None or cost is not None else UsageProfile()
        declarations = {name: Declaration(dict(p), dict((refs or {}).get(name, {})))
                        for name, p in (props or {}).items()}
        for name, r in (refs or {}).items():
            declarations.setdefault(name, Declaration({}, dict(r)))
        return estimate(Inventory("test", list(resources)), profile, catalog, region=region,
                        declarations=declarations, **kwargs)

    return run


def line(result: Estimate, price_id: str, resource: str | None = None) -> Line:
    """The one line of ``price_id`` (for ``resource``)."""
    found = [x for x in result.lines if x.price_id == price_id and (resource is None or x.resource == resource)]
    assert len(found) == 1, f"{price_id}: {[(x.resource, x.price_id) for x in result.lines]}"
    return found[0]


def usd(result: Estimate, price_id: str, resource: str | None = None) -> float:
    return line(result, price_id, resource).usd
