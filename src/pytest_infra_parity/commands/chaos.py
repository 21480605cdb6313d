"""``infra-parity`` subcommands of the chaos room: ``package``, ``build-race``, ``locks``, ``unlock``.

- ``package SRC_DIR [--requirements FILE] -o OUT.zip``: the reproducible, parallel-safe Lambda zip.
- ``build-race FUNCTIONS_DIR --command CMD``: build every sub-folder many times, many at once, and
  compare (``--schedule`` replays a reported schedule). Exit 1 when a check fails.
- ``locks``: the state locks on a target (Terraform/OpenTofu DynamoDB items and ``.tflock`` objects,
  SST's lock objects) with who holds them and since when; exit 1 when one is older than ``--older-than``.
- ``unlock ADDRESS...``: release locks (asks first; ``--yes`` without a terminal).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytest_infra_parity.errors import ConfigError

Handler = Callable[[argparse.Namespace], int]


def _target_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", default="localstack", choices=["localstack", "aws"])
    parser.add_argument("--region")
    parser.add_argument("--profile")
    parser.add_argument("--endpoint")
    parser.add_argument("--allowed-account", action="append", default=[])
    parser.add_argument("--table", action="append", help="Only this lock table (repeatable; default: every "
                                                          "table keyed by LockID)")
    parser.add_argument("--bucket", action="append", help="Only this bucket (repeatable; default: every bucket)")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> dict[str, Handler]:
    from pytest_infra_parity.cli import _duration

    package = sub.add_parser("package", help="Build a reproducible Lambda zip (safe to run in parallel)")
    package.add_argument("src", help="The function's source folder")
    package.add_argument("--requirements", help="pip requirements file installed into the zip")
    package.add_argument("-o", "--out", required=True, help="The zip to write")
    package.add_argument("--cache-dir", help="Shared requirements cache (default: $INFRA_PARITY_CACHE_DIR or "
                                             "~/.cache/infra-parity)")
    package.add_argument("--pip-option", action="append", default=[],
                         help="Extra pip option, e.g. --pip-option=--platform=manylinux2014_x86_64")
    race = sub.add_parser("build-race", help="Build functions many times in parallel and compare the artifacts")
    race.add_argument("functions_dir", help="Folder whose sub-folders are the functions")
    race.add_argument("--command", dest="build_command", required=True,
                      help="Build command with {function}, {src} and {out}")
    race.add_argument("--rounds", type=int, default=3)
    race.add_argument("--parallel", type=int, default=4)
    race.add_argument("--seed", type=int, default=0)
    race.add_argument("--schedule", help="Replay this schedule (as printed in a failure report)")
    race.add_argument("--repeat", type=int, default=1, help="Run the --schedule this many times")
    race.add_argument("--kill", type=int, default=0, help="Kill checks to run (SIGKILL a build, build again)")
    race.add_argument("--normalize-zip-times", action="store_true", help="Compare zips without timestamps")
    race.add_argument("--signature", action="append", help="Crash signature regex (repeatable; replaces defaults)")
    race.add_argument("--timeout", type=float, default=120.0, help="Seconds one build may take")
    locks = sub.add_parser("locks", help="List the state locks on a target (Terraform, OpenTofu, SST)")
    _target_options(locks)
    locks.add_argument("--older-than", type=_duration, default=None,
                       help="Exit 1 if a lock is older than this (e.g. 15m)")
    unlock = sub.add_parser("unlock", help="Release state locks (asks for confirmation)")
    _target_options(unlock)
    unlock.add_argument("locks", nargs="+", help="Lock address (as `locks` prints it), lock id or state path")
    unlock.add_argument("--yes", action="store_true", help="Do not ask for confirmation")
    return {"package": cmd_package, "build-race": cmd_build_race, "locks": cmd_locks, "unlock": cmd_unlock}


def cmd_package(args: argparse.Namespace) -> int:
    from pytest_infra_parity.deploy.package_build import package

    result = package(Path(args.src), Path(args.out), Path(args.requirements) if args.requirements else None,
                     cache_dir=Path(args.cache_dir) if args.cache_dir else None, pip_options=args.pip_option)
    print(f"{result.out}: {result.files} files, sha256 {result.sha256}")
    return 0


def _functions(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        raise ConfigError(f"{folder} is not a folder of functions")
    found = {p.name: p.resolve() for p in sorted(folder.iterdir())
             if p.is_dir() and not p.name.startswith((".", "__"))}
    if not found:
        raise ConfigError(f"{folder} has no sub-folder: each function is a sub-folder")
    return found


def cmd_build_race(args: argparse.Namespace) -> int:
    from pytest_infra_parity.chaos.builds import BuildRace, race_functions, replay
    from pytest_infra_parity.chaos.signatures import DEFAULT_SIGNATURES

    folder = Path(args.functions_dir)
    try:
        race = BuildRace(args.build_command, _functions(folder), Path.cwd(), parallel=args.parallel,
                         signatures=tuple(args.signature or DEFAULT_SIGNATURES), timeout=args.timeout,
                         normalize_zip_times=args.normalize_zip_times, functions_dir=folder)
        if args.schedule:
            report = replay(race, args.schedule, repeat=args.repeat)
        else:
            report = race_functions(race, rounds=args.rounds, seed=args.seed, kills=args.kill)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    print(report.describe())
    return 0 if report.ok else 1


def _target_clients(args: argparse.Namespace) -> tuple[Any, Callable[[str], Any]]:
    from pytest_infra_parity.settings import build_settings
    from pytest_infra_parity.targets import make_builtin_target

    values = {"infra_target": args.target, "infra_region": args.region, "infra_profile": args.profile,
              "infra_endpoint": args.endpoint, "infra_allowed_account": args.allowed_account}
    settings = build_settings(values.get, lambda name: None, Path.cwd())
    target = make_builtin_target(settings)
    assert target is not None
    target.start()
    return target, target.client


def cmd_locks(args: argparse.Namespace) -> int:
    from pytest_infra_parity.chaos.locks import find_locks, stale_locks

    target, clients = _target_clients(args)
    found = find_locks(clients, tables=args.table, buckets=args.bucket)
    print(f"{target.describe()}: {len(found)} state locks")
    for lock in found:
        print(f"  {lock.describe()}")
    if args.older_than is not None:
        stale = stale_locks(found, args.older_than)
        if stale:
            print(f"{len(stale)} held longer than {args.older_than:.0f}s: release them with "
                  "`infra-parity unlock ADDRESS` once you know their run is dead")
            return 1
    return 0


def cmd_unlock(args: argparse.Namespace) -> int:
    from pytest_infra_parity.chaos.locks import find_locks, release, select

    target, clients = _target_clients(args)
    chosen, unknown = select(find_locks(clients, tables=args.table, buckets=args.bucket), args.locks)
    for name in unknown:
        print(f"no state lock matches {name!r} on {target.describe()}", file=sys.stderr)
    if unknown:
        return 2
    for lock in chosen:
        print(f"  {lock.describe()}")
    if not args.yes:
        if not sys.stdin.isatty():
            print("refusing to release locks without confirmation: add --yes", file=sys.stderr)
            return 2
        if input(f"Release {len(chosen)} lock(s)? A running apply would lose its lock. [y/N] ").strip().lower() \
                not in ("y", "yes"):
            return 1
    for lock in chosen:
        release(clients, lock)
        print(f"released {lock.address}")
    return 0
