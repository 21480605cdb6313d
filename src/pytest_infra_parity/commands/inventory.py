"""``infra-parity inventory|parity|check``: inventories, parity and policies from the command line.

A SOURCE is a design name, a design folder or template file, a Terraform folder, plan JSON or state
file, a Pulumi/SST state export, an inventory snapshot, or a live selector (``live:stack=NAME``,
``live:tags=Project=x,Env=dev``, ``live:arns=ARN,ARN``) read from the target the ``--target`` options
describe. Exit codes: 0 at parity / compliant, 1 on differences or violations, 2 on errors.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_infra_parity.inventory.model import Inventory

Handler = Callable[[argparse.Namespace], int]


def _source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--design-path", action="append", default=[], help="Folder holding user designs")
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                        help="Terraform variable for Terraform folders (repeatable)")
    parser.add_argument("--target", default="moto", choices=["moto", "localstack", "aws"],
                        help="Target for live:... sources (default moto)")
    parser.add_argument("--region")
    parser.add_argument("--profile")
    parser.add_argument("--endpoint")
    parser.add_argument("--allowed-account", action="append", default=[])
    parser.add_argument("--json", action="store_true", help="Print JSON")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> dict[str, Handler]:
    inventory = sub.add_parser("inventory", help="List the normalized resources of a SOURCE")
    inventory.add_argument("source", help="Design, template, Terraform folder/plan/state, Pulumi state, "
                                          "snapshot or live:...")
    inventory.add_argument("--save", metavar="FILE", help="Also save the inventory as a snapshot")
    _source_options(inventory)
    parity = sub.add_parser("parity", help="Compare two SOURCEs on types, tags, encryption, observability")
    parity.add_argument("source_a")
    parity.add_argument("source_b")
    parity.add_argument("--aspects", default="types,tags,encryption,observability",
                        help="Comma-separated subset of types,tags,encryption,observability,settings")
    parity.add_argument("--mapping", help="YAML file pairing names normalization cannot match")
    parity.add_argument("--ignore-tag", action="append", default=[], help="Tag key not compared (repeatable)")
    parity.add_argument("--kinds", help="Comma-separated kinds to compare (default: all)")
    parity.add_argument("--project", help="Project prefix stripped from names (default: inferred)")
    _source_options(parity)
    check = sub.add_parser("check", help="Evaluate the compliance policies on a SOURCE")
    check.add_argument("source")
    check.add_argument("--policy", action="append", default=[], help="Only this policy id (repeatable)")
    check.add_argument("--mandatory-tags", help="Comma-separated tag keys (default Project,Env,Owner,CostCenter)")
    _source_options(check)
    return {"inventory": cmd_inventory, "parity": cmd_parity, "check": cmd_check}


def _variables(args: argparse.Namespace) -> dict[str, str] | None:
    from pytest_infra_parity.errors import ConfigError

    values: dict[str, str] = {}
    for item in args.var:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ConfigError(f"--var {item!r}: write NAME=VALUE")
        values[name] = value
    return values or None


def _open(spec: str, args: argparse.Namespace) -> Inventory:
    from pytest_infra_parity.sources import open_source

    clients: Any = None
    region, account = args.region or "us-east-1", "123456789012"
    if spec.startswith("live:"):
        from pytest_infra_parity.commands import settings_from_args, start_target

        settings = settings_from_args(args)
        target = start_target(settings)
        clients, region, account = target.client, settings.region, target.identity().account_id
    return open_source(spec, base=Path.cwd(), design_paths=[Path(p).resolve() for p in args.design_path],
                       clients=clients, region=region, account=account, variables=_variables(args))


def cmd_inventory(args: argparse.Namespace) -> int:
    from pytest_infra_parity.inventory.snapshot import dump, save

    inventory = _open(args.source, args)
    if args.save:
        save(inventory, Path(args.save))
    if args.json:
        print(json.dumps(dump(inventory), indent=2, default=str))
        return 0
    print(f"{inventory.source}: {len(inventory)} resources")
    for resource in sorted(inventory.resources, key=lambda r: (r.kind, r.name)):
        encryption = resource.encryption.mode if resource.encryption else "-"
        tags = "(known after apply)" if not isinstance(resource.tags, dict) else len(resource.tags)
        print(f"  {resource.kind:<22} {resource.name:<50} encryption={encryption} tags={tags}")
    for warning in inventory.warnings:
        print(f"warning: {warning}")
    return 0


def _warn(*inventories: Inventory) -> None:
    import sys

    for inventory in inventories:
        for warning in inventory.warnings:
            print(f"warning: {inventory.source}: {warning}", file=sys.stderr)


def cmd_parity(args: argparse.Namespace) -> int:
    from pytest_infra_parity.parity.diff import compare
    from pytest_infra_parity.parity.mapping import load_mapping

    a, b = _open(args.source_a, args), _open(args.source_b, args)
    _warn(a, b)
    aspects = tuple(x.strip() for x in args.aspects.split(",") if x.strip())
    mapping = load_mapping(Path(args.mapping)) if args.mapping else None
    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip()) if args.kinds else None
    report = compare(a, b, aspects=aspects, mapping=mapping, ignore_tags=tuple(args.ignore_tag), kinds=kinds,
                     project=args.project)
    print(json.dumps(report.as_json(), indent=2, default=str) if args.json else report.format_table())
    return 0 if report.ok else 1


def cmd_check(args: argparse.Namespace) -> int:
    from pytest_infra_parity.policies import evaluate
    from pytest_infra_parity.policies.base import PolicyOptions

    inventory = _open(args.source, args)
    _warn(inventory)
    options = PolicyOptions()
    if args.mandatory_tags:
        import dataclasses

        keys = tuple(k.strip() for k in args.mandatory_tags.split(",") if k.strip())
        options = dataclasses.replace(options, mandatory_tags=keys)
    report = evaluate(inventory, policies=args.policy or None, options=options)
    print(json.dumps(report.as_dict(), indent=2, default=str) if args.json else report.format_table())
    return 0 if not report.failures else 1
