"""The ``infra-parity`` command, for work outside pytest.

Subcommands: ``designs`` (built-in and discovered designs with their resources), ``validate``
(offline check of a design: cfn-lint, SAM transform, applier support), ``sweep`` (remove what killed
runs left on a persistent target). Errors are one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytest_infra_parity.errors import ConfigError, InfraParityError


def _duration(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        if text[-1] in units:
            return float(text[:-1]) * units[text[-1]]
        return float(text)
    except (ValueError, IndexError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 90s, 30m, 2h or 1d") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="infra-parity", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    designs = sub.add_parser("designs", help="List built-in and discovered designs with their resources")
    designs.add_argument("--design-path", action="append", default=[], help="Folder holding user designs")
    designs.add_argument("--json", action="store_true", help="Print JSON")
    validate = sub.add_parser("validate", help="Check a design offline (cfn-lint, SAM, applier support)")
    validate.add_argument("design", help="Design name, folder or template file")
    validate.add_argument("--design-path", action="append", default=[])
    sweep = sub.add_parser("sweep", help="Delete what killed runs left on a persistent target")
    sweep.add_argument("--target", default="localstack", choices=["localstack", "aws"])
    sweep.add_argument("--region")
    sweep.add_argument("--profile")
    sweep.add_argument("--endpoint")
    sweep.add_argument("--allowed-account", action="append", default=[])
    sweep.add_argument("--run", help="Only this run id (as printed in the pytest header)")
    sweep.add_argument("--older-than", type=_duration, help="Only what was created longer ago (e.g. 2h)")
    sweep.add_argument("--dry-run", action="store_true", help="Print what would be deleted")
    sweep.add_argument("--yes", action="store_true", help="Do not ask for confirmation")
    return parser


def _room_commands(parser: argparse.ArgumentParser) -> dict[str, Any]:
    """Add the sub-parsers of :mod:`pytest_infra_parity.commands` modules; their handlers by name."""
    import importlib

    from pytest_infra_parity.commands import MODULES

    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    handlers: dict[str, Any] = {}
    for module in MODULES:
        handlers.update(importlib.import_module(module).register(sub))
    return handlers


def _resource_summary(design: Any) -> dict[str, Any]:
    from pytest_infra_parity.deploy.template import load_template

    template = load_template(design.template_path)
    types = Counter(decl.resource_type for decl in template.resources.values())
    return {
        "name": design.name,
        "builtin": design.builtin,
        "title": design.title,
        "folder": str(design.folder),
        "template": str(design.template_path),
        "resources": len(template.resources),
        "types": dict(sorted(types.items())),
    }


def cmd_designs(args: argparse.Namespace) -> int:
    from pytest_infra_parity.designs import all_designs

    designs = all_designs([Path(p).resolve() for p in args.design_path])
    rows: list[dict[str, Any]] = []
    failed = 0
    for design in designs.values():
        try:
            rows.append(_resource_summary(design))
        except InfraParityError as exc:
            failed += 1
            rows.append({"name": design.name, "error": exc.describe()})
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            if "error" in row:
                print(f"{row['name']}: ERROR {row['error']}")
                continue
            origin = "built-in" if row["builtin"] else row["folder"]
            print(f"{row['name']} ({origin}): {row['title'] or row['template']}")
            print(f"  {row['resources']} resources: " + ", ".join(f"{t} x{n}" for t, n in row["types"].items()))
    return 1 if failed else 0


def cmd_validate(args: argparse.Namespace) -> int:
    from pytest_infra_parity.deploy.applier import Applier
    from pytest_infra_parity.deploy.template import load_template
    from pytest_infra_parity.deploy.validate import check
    from pytest_infra_parity.designs import resolve_design

    design = resolve_design(args.design, [Path(p).resolve() for p in args.design_path], base=Path.cwd())
    warnings = check(design.template_path)
    template = load_template(design.template_path)
    Applier(lambda service: None, "us-east-1", "123456789012", "validate").check_supported(
        template, set(template.resources))
    for finding in warnings:
        print(f"warning: {finding}")
    print(f"{design.name}: valid ({len(template.resources)} resources, {len(warnings)} warnings)")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from pytest_infra_parity.commands import settings_from_args, start_target
    from pytest_infra_parity.deploy.sweep import plan, plan_stacks, sweep

    target = start_target(settings_from_args(args))
    account = target.identity().account_id
    pending = plan(target.client, run_id=args.run, older_than=args.older_than)
    stacks = plan_stacks(target.client, run_id=args.run, older_than=args.older_than)
    count = sum(len(entries) for entries in pending.values()) + len(stacks)
    print(f"{target.describe()}: {count} resources in {len(pending) + len(stacks)} stacks to delete")
    for stack, entries in pending.items():
        print(f"  {stack}: " + ", ".join(e.logical_id for e in entries))
    for stack_name in stacks:
        print(f"  {stack_name}: the CloudFormation stack")
    if count and not (args.yes or args.dry_run):
        if not sys.stdin.isatty():
            print("refusing to delete without confirmation: add --yes", file=sys.stderr)
            return 2
        if input("Delete them? [y/N] ").strip().lower() not in ("y", "yes"):
            return 1
    report = sweep(target.client, account, run_id=args.run, older_than=args.older_than, dry_run=args.dry_run)
    for line in report.deleted:
        print(("would delete " if args.dry_run else "deleted ") + line)
    for line in report.failed:
        print(f"FAILED {line}", file=sys.stderr)
    for arn in report.stray:
        print(f"still tagged by infra-parity (not in any ledger): {arn}")
    for arn in report.undeletable:
        print(f"cannot be deleted on this target (marked infra-parity:deleted): {arn}")
    return 1 if report.failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    handlers = {"designs": cmd_designs, "validate": cmd_validate, "sweep": cmd_sweep, **_room_commands(parser)}
    args = parser.parse_args(argv)
    try:
        return int(handlers[args.command](args))
    except (InfraParityError, ConfigError) as exc:
        print(f"infra-parity: error: {exc.describe()}", file=sys.stderr)
        return 2
    except Exception as exc:
        from botocore.exceptions import BotoCoreError, ClientError
        from botocore.parsers import ResponseParserError

        if isinstance(exc, ResponseParserError):  # not a BotoCoreError: an HTML error page, a proxy's answer
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            print(f"infra-parity: error: the endpoint did not answer as AWS does: {first}", file=sys.stderr)
            return 2
        if not isinstance(exc, BotoCoreError | ClientError):
            raise
        print(f"infra-parity: error: {exc}", file=sys.stderr)  # credentials, access denied, throttling...
        return 2
    except KeyboardInterrupt:
        print("infra-parity: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
