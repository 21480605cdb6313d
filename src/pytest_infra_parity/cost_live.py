"""The cost room's bindings to the outside: SOURCEs with their declared properties, live price refresh.

:func:`open_priced` opens a SOURCE as :func:`pytest_infra_parity.sources.open_source` does, and for a design
or a template also keeps each resource's declared properties and references (what the inventory model
has no setting for: an instance class, a load balancer's subnets, the task definition a service runs),
which the pricing functions read. :func:`stack_priced` does the same for a deployed stack.

:func:`refresh_prices` refreshes the catalog's figures for one region from the AWS Price List API
(``pricing`` client, ``GetProducts``; the API answers in us-east-1 and ap-south-1 only, Price List
Service API Reference) through a client factory: each catalog price names its service code and usage
type; the on-demand dimension with the lowest begin range and a non-zero price wins (the first paid
tier, which is what the offline catalog holds). A price the API does not return keeps its offline
figure and is listed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pytest_infra_parity.cost.catalog import Catalog, Price, RegionPrice, Source
from pytest_infra_parity.cost.context import Declaration
from pytest_infra_parity.errors import DesignError, TargetError
from pytest_infra_parity.inventory.model import Inventory

REGION_PREFIXES = {
    "us-east-1": "USE1", "us-east-2": "USE2", "us-west-1": "USW1", "us-west-2": "USW2", "eu-west-1": "EU",
    "eu-west-2": "EUW2", "eu-west-3": "EUW3", "eu-central-1": "EUC1", "eu-north-1": "EUN1", "eu-south-1": "EUS1",
    "ap-south-1": "APS3", "ap-northeast-1": "APN1", "ap-northeast-2": "APN2", "ap-southeast-1": "APS1",
    "ap-southeast-2": "APS2", "ca-central-1": "CAN1", "sa-east-1": "SAE1",
}
"""Usage-type prefixes of the Price List per region (us-east-1 is often unprefixed)."""


@dataclass
class PricedSource:
    """An inventory with the declared properties of its resources (when the source declares them)."""

    inventory: Inventory
    declarations: dict[str, Declaration]
    design: Any = None
    """The :class:`~pytest_infra_parity.designs.Design` when the SOURCE is a design."""


def _design_of(spec: str, base: Path, design_paths: Sequence[Path]) -> Any:
    """The design a SOURCE names (a design folder or a design name), else None."""
    from pytest_infra_parity.designs import load_design, resolve_design

    path = Path(spec).expanduser()
    path = path if path.is_absolute() else base / path
    if path.is_dir() and (path / "design.yaml").is_file():
        return load_design(path)
    if path.exists() or "/" in spec or "\\" in spec or path.suffix or spec.startswith("live:"):
        return None
    try:
        return resolve_design(spec, list(design_paths), base=base)
    except DesignError:
        return None


def _template_of(spec: str, base: Path) -> Path | None:
    path = Path(spec).expanduser()
    path = path if path.is_absolute() else base / path
    if path.is_file() and path.suffix.lower() in (".yaml", ".yml", ".template"):
        return path
    if path.is_file() and path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return path if isinstance(data, dict) and isinstance(data.get("Resources"), dict) else None
    return None


def declared(template: Path, parameters: Mapping[str, Any], *, name: str, region: str,
             account: str) -> PricedSource:
    """The declared inventory of a template with each resource's properties and references."""
    from pytest_infra_parity.deploy.declared import declare
    from pytest_infra_parity.inventory.template import from_declared

    items = declare(template, dict(parameters), stack_name=name, region=region, account=account)
    inventory = from_declared(items, source="template", region=region, account=account,
                              description=f"template {template}")
    declarations = {item.logical_id: Declaration(dict(item.properties), dict(item.references)) for item in items}
    return PricedSource(inventory, declarations)


def open_priced(spec: str, *, base: Path, design_paths: Sequence[Path] = (), clients: Any = None,
                region: str | None = None, default_region: str = "us-east-1", account: str = "123456789012",
                variables: Mapping[str, Any] | None = None) -> PricedSource:
    """A SOURCE (as ``infra-parity inventory`` takes it) with declared properties where it has them.

    A design is declared in ``region``, else its ``cost.region``, else ``default_region`` (conditions on
    ``AWS::Region`` decide what exists); other sources in ``region`` or ``default_region``.
    """
    from pytest_infra_parity.cost.design import of_design
    from pytest_infra_parity.sources import open_source

    text = str(spec).strip()
    design = _design_of(text, base, design_paths) if text else None
    if design is not None:
        where = region or of_design(design).region or default_region
        priced = declared(design.template_path, design.parameters, name=design.name, region=where, account=account)
        priced.design = design
        return priced
    region = region or default_region
    template = _template_of(text, base) if text else None
    if template is not None:
        return declared(template, {}, name=template.parent.name, region=region, account=account)
    inventory = open_source(text, base=base, design_paths=design_paths, clients=clients, region=region,
                            account=account, variables=variables)
    return PricedSource(inventory, {})


def stack_priced(stack: Any, design_paths: Sequence[Path] = (), base: Path | None = None) -> PricedSource:
    """A deployed stack as deployed (its resolved properties, real ids), with its design when known."""
    from pytest_infra_parity.deploy.declared import from_stack
    from pytest_infra_parity.designs import resolve_design
    from pytest_infra_parity.inventory.template import from_declared

    items = from_stack(stack)
    inventory = from_declared(items, source="template", region=stack.region, account=stack.account_id,
                              description=f"stack {stack.name} ({stack.region})")
    declarations = {item.logical_id: Declaration(dict(item.properties), dict(item.references)) for item in items}
    design = None
    if stack.design:
        try:
            design = resolve_design(stack.design, list(design_paths), base=base or Path.cwd())
        except DesignError:
            design = None
    return PricedSource(inventory, declarations, design)


# ---- live prices -------------------------------------------------------------------------------------


def _usage_matches(usagetype: str, wanted: str) -> bool:
    head, sep, rest = usagetype.partition("-")
    if usagetype == wanted:
        return True
    return bool(sep) and head.isupper() and len(head) <= 6 and rest == wanted


def _first_paid(item: Mapping[str, Any]) -> float | None:
    """The price of the on-demand dimension with the lowest begin range and a price above 0."""
    dimensions = [dim for term in (item.get("terms", {}).get("OnDemand") or {}).values()
                  for dim in (term.get("priceDimensions") or {}).values()]
    paid = []
    for dim in dimensions:
        value = float(dim.get("pricePerUnit", {}).get("USD", "0") or 0)
        if value > 0:
            paid.append((float(dim.get("beginRange", "0") or 0), value))
    return min(paid)[1] if paid else None


def _query(client: Any, price: Price, region: str) -> float | None:
    filters = [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}]
    if "operation" in price.live:
        filters.append({"Type": "TERM_MATCH", "Field": "operation", "Value": price.live["operation"]})
    prefix = REGION_PREFIXES.get(region)
    candidates = [f"{prefix}-{price.live['usagetype']}"] if prefix else []
    for usagetype in (*candidates, price.live["usagetype"]):
        query = [*filters, {"Type": "TERM_MATCH", "Field": "usagetype", "Value": usagetype}]
        token: str | None = None
        while True:
            extra = {"NextToken": token} if token else {}
            answer = client.get_products(ServiceCode=price.live["service_code"], Filters=query,
                                         FormatVersion="aws_v1", MaxResults=100, **extra)
            for raw in answer.get("PriceList", []):
                item = json.loads(raw) if isinstance(raw, str) else raw
                found = item.get("product", {}).get("attributes", {}).get("usagetype", "")
                if _usage_matches(found, price.live["usagetype"]) and (value := _first_paid(item)) is not None:
                    return value
            token = answer.get("NextToken")
            if not token:
                break
    return None


def refresh_prices(catalog: Catalog, region: str, clients: Callable[[str], Any], *,
                   today: str | None = None) -> tuple[Catalog, list[str]]:
    """The catalog with ``region``'s figures from the Price List API; the ids it could not refresh."""
    client = clients("pricing")
    when = today or date.today().isoformat()
    source = Source("price-list-api", "https://api.pricing.us-east-1.amazonaws.com", when,
                    f"AWS Price List API GetProducts, {region}, {when}")
    updates: dict[str, dict[str, RegionPrice]] = {}
    kept: list[str] = []
    for price in catalog.prices.values():
        try:
            value = _query(client, price, region)
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if not code:
                raise
            raise TargetError(f"Price List API refused GetProducts for {price.live['service_code']}: {code}") from None
        if value is None:
            kept.append(price.id)
        else:
            updates[price.id] = {region: RegionPrice(value, source)}
    return catalog.with_prices(updates, origin=f"live Price List API {when} ({len(updates)} refreshed)"), kept


# ---- scale-to-zero hours from the scaling emulation ---------------------------------------------------

DAY = 86_400.0
SETTLE = 1_800.0
"""Idle seconds before the measured day, so that it starts with the service scaled to zero."""


def emulated_day(config: Any, usage: Mapping[str, Any], *, seed: int = 0) -> tuple[float, str]:
    """Task-hours a month of an ECS service, from one emulated day of the design's usage.

    The service idles for half an hour (it scales to zero), then receives ``requests_per_active_minute``
    (else ``requests_per_day`` spread over the active hours) for ``active_hours_per_day``, then nothing;
    the day after the idle half hour is measured. Fargate bills a task from its image download to its
    stop, so pending and running tasks count.
    """
    from pytest_infra_parity.cost.usage import DAYS_PER_MONTH, monthly_task_hours, task_seconds
    from pytest_infra_parity.sim.scaling_model import ScalingModel

    active = float(usage.get("active_hours_per_day") or 0.0)
    if active <= 0 or active > 24:
        raise DesignError("usage.active_hours_per_day (between 0 and 24) is needed to emulate a day of usage")
    if usage.get("requests_per_active_minute"):
        rate = float(usage["requests_per_active_minute"]) / 60.0
    elif usage.get("requests_per_day"):
        rate = float(usage["requests_per_day"]) / (active * 3600.0)
    else:
        raise DesignError("usage.requests_per_active_minute or usage.requests_per_day is needed to emulate a day")
    model = ScalingModel(config, seed=seed)
    model.set_rate(SETTLE, rate)
    model.set_rate(SETTLE + active * 3600.0, 0.0)
    model.run_until(SETTLE + DAY)
    points = [(sample.at, sample.running + sample.pending) for sample in model.samples]
    if not points or points[0][0] > 0:
        points.insert(0, (0.0, config.initial_desired))
    seconds = task_seconds(points, SETTLE, SETTLE + DAY)
    hours = monthly_task_hours(seconds, DAY)
    how = (f"scaling emulation of one day ({active:g} h at {rate * 60:g} requests a minute, then idle; seed {seed}): "
           f"{seconds / 3600.0:.3f} task-hours a day x {DAYS_PER_MONTH:.4f} days")
    return hours, how
