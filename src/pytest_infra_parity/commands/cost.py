"""``infra-parity cost SOURCE``: the monthly cost of a design, template, Terraform/Pulumi state or live stack.

SOURCE is what ``infra-parity inventory`` takes. Usage: the design's ``usage`` and ``cost`` sections, or
``--usage FILE`` (a design.yaml, a file with ``usage:``/``cost:`` sections, or a mapping of usage figures).
Prices: the offline catalog, or ``--prices live`` (AWS Price List API; needs ``--target aws``).
With ``--budget AMOUNT`` (in ``--currency``, above 0), the last line says why: ``over budget``, with the
total, the budget and the currency, ``cannot check the budget`` naming what could not be priced (or the
region missing from the catalog), or ``within budget``; ``--json`` gets a ``budget`` block (and the line
goes to stderr). Exit codes: 0 priced (and within the budget), 1 over ``--budget`` or not checkable
against it, 2 on errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_infra_parity.cost.catalog import Catalog
    from pytest_infra_parity.cost.currency import Rate
    from pytest_infra_parity.cost.usage import UsageProfile
    from pytest_infra_parity.cost_live import PricedSource

Handler = Callable[[argparse.Namespace], int]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> dict[str, Handler]:
    cost = sub.add_parser("cost", help="Monthly cost of a SOURCE with a usage profile, with a breakdown")
    cost.add_argument("source", help="Design, template, Terraform folder/plan/state, Pulumi state, snapshot or "
                                     "live:...")
    cost.add_argument("--usage", metavar="FILE", help="Usage profile file (default: the design's usage section)")
    cost.add_argument("--currency", default=None, help="Currency of the totals (default: the design's budget "
                                                       "currency, else USD)")
    cost.add_argument("--rate", type=float, metavar="USD", help="USD for one unit of --currency (default: the "
                                                                "catalog's dated rate)")
    cost.add_argument("--region", help="Region to price in (default: the design's cost.region, else us-east-1)")
    cost.add_argument("--free-tier", action="store_true", help="Apply the AWS free tier (default: not applied)")
    cost.add_argument("--budget", type=float, metavar="AMOUNT",
                      help="Monthly budget in --currency (above 0): exit 1, saying why, when the total is over it "
                           "or something could not be priced")
    cost.add_argument("--prices", choices=["offline", "live"], default="offline",
                      help="offline catalog (default) or the AWS Price List API (needs --target aws)")
    cost.add_argument("--design-path", action="append", default=[], help="Folder holding user designs")
    cost.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                      help="Terraform variable for Terraform folders (repeatable)")
    cost.add_argument("--target", default="moto", choices=["moto", "localstack", "aws"],
                      help="Target for live:... sources and --prices live (default moto)")
    cost.add_argument("--profile")
    cost.add_argument("--endpoint")
    cost.add_argument("--allowed-account", action="append", default=[])
    cost.add_argument("--json", action="store_true", help="Print JSON")
    return {"cost": cmd_cost}


def _target(args: argparse.Namespace) -> Any:
    from pytest_infra_parity.commands import settings_from_args, start_target

    return start_target(settings_from_args(args))


def _open(args: argparse.Namespace) -> tuple[PricedSource, Any]:
    from pytest_infra_parity.commands.inventory import _variables
    from pytest_infra_parity.cost_live import open_priced
    from pytest_infra_parity.errors import ConfigError

    if args.prices == "live" and args.target != "aws":
        raise ConfigError("--prices live reads the AWS Price List API: use it with --target aws")
    target = _target(args) if args.source.startswith("live:") or args.prices == "live" else None
    clients = target.client if target is not None else None
    account = target.identity().account_id if target is not None else "123456789012"
    priced = open_priced(args.source, base=Path.cwd(), design_paths=[Path(p).resolve() for p in args.design_path],
                         clients=clients, region=args.region, account=account,
                         variables=_variables(args))
    return priced, target


def _catalog(args: argparse.Namespace, region: str, target: Any) -> Catalog:
    from pytest_infra_parity.cost.catalog import load_catalog
    from pytest_infra_parity.errors import ConfigError

    catalog = load_catalog()
    if args.prices == "offline":
        return catalog
    if target is None or target.name != "aws":
        raise ConfigError("--prices live reads the AWS Price List API: use it with --target aws")
    from pytest_infra_parity.cost_live import refresh_prices

    refreshed, kept = refresh_prices(catalog, region, lambda service: target.client(service, region="us-east-1"))
    if kept:
        print(f"prices kept from the offline catalog (not found live): {', '.join(kept)}", file=sys.stderr)
    return refreshed


def cmd_cost(args: argparse.Namespace) -> int:
    from pytest_infra_parity.cost.budget import check_amount, check_budget
    from pytest_infra_parity.cost.estimate import estimate
    from pytest_infra_parity.cost.render import as_json, table
    from pytest_infra_parity.errors import ConfigError

    problem = check_amount(args.budget, "--budget") if args.budget is not None else None
    if problem:
        raise ConfigError(problem)
    priced, target = _open(args)
    profile, region, rate, free = _settings(args, priced)
    catalog = _catalog(args, region, target)
    result = estimate(priced.inventory, profile, catalog, region=region, declarations=priced.declarations,
                      free_tier=free, rate=rate)
    budget = check_budget(result, args.budget, rate, catalog.regions()) if args.budget is not None else None
    if args.json:
        print(json.dumps({**as_json(result, rate), "budget": budget.as_json() if budget else None}, indent=2))
    else:
        print(table(result, rate))
    if budget is None:
        return 0
    print(budget.describe(), file=sys.stderr if args.json else sys.stdout)
    return 0 if budget.ok else 1


def _settings(args: argparse.Namespace, priced: PricedSource) -> tuple[UsageProfile, str, Rate, bool]:
    """Usage profile, region, currency rate and free tier: the options, else the design's, else defaults."""
    from pytest_infra_parity.cost.currency import parse_rate_overrides, resolve_rate
    from pytest_infra_parity.cost.design import design_cost, of_design, read_usage_file
    from pytest_infra_parity.cost.usage import UsageProfile
    from pytest_infra_parity.errors import ConfigError

    settings = of_design(priced.design) if priced.design is not None else None
    profile = settings.usage if settings is not None else UsageProfile()
    if args.usage:
        path = Path(args.usage).resolve()
        usage, cost = read_usage_file(path)
        profile = design_cost(path.name, usage, {"cost": cost}, None, path=path).usage
    region = args.region or (settings.region if settings is not None else None) or "us-east-1"
    code = args.currency or (settings.currency if settings is not None else "USD")
    try:
        overrides = parse_rate_overrides({code: args.rate}, "--rate") if args.rate is not None else {}
        rate = resolve_rate(code, overrides=overrides)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    free = args.free_tier or (settings.free_tier if settings is not None else False)
    return profile, region, rate, free
