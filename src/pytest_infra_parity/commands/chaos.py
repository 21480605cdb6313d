"""``infra-parity`` subcommands of the chaos room: ``package``, ``build-race``, ``locks``, ``unlock``.

- ``package SRC_DIR [--requirements FILE] -o OUT.zip``: the reproducible, parallel-safe Lambda zip.
- ``build-race FUNCTIONS_DIR --command CMD``: build every sub-folder many times, many at once, and
  compare (``--schedule`` replays a reported schedule). Exit 1 when a check fails; every setting is
  checked before the first build (exit 2). A failed race's artifacts are removed unless ``--keep-failed``.
- ``locks``: the state locks on a target (Terraform/OpenTofu DynamoDB items and ``.tflock`` objects,
  SST's lock objects) with who holds them and since when; exit 1 when one is older than ``--older-than``.
- ``unlock ADDRESS...``: release locks (asks first; ``--yes`` without a terminal).

``locks`` and ``unlock`` read an existing target: LocalStack by default (``--endpoint``, else
``$LOCALSTACK_ENDPOINT``, else http://localhost:4566), or ``--target aws``: the account of ``--profile``,
or with ``--endpoint URL`` any AWS-compatible endpoint (a moto server, MinIO for S3 locks...), which
boto3 then uses for every service (``AWS_ENDPOINT_URL``, set for the command only). There is no ``moto``
target here: the embedded moto server the plugin starts is empty, so it holds no lock to list.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pytest_infra_parity.errors import ConfigError, TargetError

Handler = Callable[[argparse.Namespace], int]


def _target_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", default="localstack", choices=["localstack", "aws"],
                        help="Where the locks are (default: localstack, at --endpoint). aws: the account of "
                             "--profile; use --target aws --endpoint URL for any AWS-compatible endpoint (e.g. "
                             "a moto server)")
    parser.add_argument("--region")
    parser.add_argument("--profile")
    parser.add_argument("--endpoint", metavar="URL",
                        help="localstack: its URL (default $LOCALSTACK_ENDPOINT or http://localhost:4566); aws: "
                             "an AWS-compatible endpoint used for every service instead of AWS's")
    parser.add_argument("--allowed-account", action="append", default=[],
                        help="With --target aws: the account id the command may touch (repeatable; required)")
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
    race.add_argument("--kill", type=int, default=0,
                      help="Kill checks to run (SIGKILL a build, build again): the first on the build's first "
                           "file, the others spread over the reference build's duration")
    race.add_argument("--normalize-zip-times", action="store_true", help="Compare zips without timestamps")
    race.add_argument("--signature", action="append", help="Crash signature regex (repeatable; replaces defaults)")
    race.add_argument("--timeout", type=float, default=120.0, help="Seconds one build may take")
    race.add_argument("--keep-failed", action="store_true",
                      help="Keep the artifacts and build outputs of a failed race (default: removed)")
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


def _check_race_options(args: argparse.Namespace) -> None:
    """Nonsense counts are refused before anything is built."""
    minimum = {"--rounds": (args.rounds, 1), "--parallel": (args.parallel, 1), "--repeat": (args.repeat, 1),
               "--kill": (args.kill, 0)}
    for option, (value, least) in minimum.items():
        if value < least:
            wanted = "0 or more" if least == 0 else f"at least {least}"
            raise ConfigError(f"{option} must be {wanted}, got {value}")
    if not (args.timeout > 0 and math.isfinite(args.timeout)):
        raise ConfigError(f"--timeout must be above 0 seconds, got {args.timeout:g}")


def cmd_build_race(args: argparse.Namespace) -> int:
    from pytest_infra_parity.chaos.builds import BuildRace, race_functions, replay
    from pytest_infra_parity.chaos.signatures import DEFAULT_SIGNATURES

    _check_race_options(args)
    folder = Path(args.functions_dir)
    try:
        race = BuildRace(args.build_command, _functions(folder), Path.cwd(), parallel=args.parallel,
                         signatures=tuple(args.signature or DEFAULT_SIGNATURES), timeout=args.timeout,
                         normalize_zip_times=args.normalize_zip_times, functions_dir=folder,
                         keep_failed=args.keep_failed)
        if args.schedule:
            report = replay(race, args.schedule, repeat=args.repeat)
        else:
            report = race_functions(race, rounds=args.rounds, seed=args.seed, kills=args.kill)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    print(report.describe())
    return 0 if report.ok else 1


@contextlib.contextmanager
def _target_clients(args: argparse.Namespace) -> Iterator[tuple[Any, Callable[[str], Any]]]:
    """The started target and its client factory; with ``--target aws --endpoint URL``, boto3 talks to URL
    (``AWS_ENDPOINT_URL``, restored afterwards)."""
    from pytest_infra_parity.commands import settings_from_args, start_target

    settings = settings_from_args(args)
    if args.target == "localstack":
        _check_localstack(settings.endpoint)
    previous = os.environ.get("AWS_ENDPOINT_URL")
    if args.target == "aws" and args.endpoint:
        os.environ["AWS_ENDPOINT_URL"] = settings.endpoint
    try:
        target = start_target(settings)
        yield target, target.client
    finally:
        if previous is None:
            os.environ.pop("AWS_ENDPOINT_URL", None)
        else:
            os.environ["AWS_ENDPOINT_URL"] = previous


def _check_localstack(endpoint: str) -> None:
    from pytest_infra_parity.targets.localstack_ready import answers

    if not answers(endpoint, timeout=3.0):
        raise TargetError(f"no LocalStack answers at {endpoint} (GET /_localstack/health): start it "
                          "(`infra-parity localstack start`) or pass --endpoint URL; for a moto server or another "
                          "AWS-compatible endpoint use --target aws --endpoint URL --allowed-account ID")


def cmd_locks(args: argparse.Namespace) -> int:
    from pytest_infra_parity.chaos.locks import find_locks, stale_locks

    with _target_clients(args) as (target, clients):
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
    with _target_clients(args) as (target, clients):
        return _unlock(args, target, clients)


def _unlock(args: argparse.Namespace, target: Any, clients: Callable[[str], Any]) -> int:
    from pytest_infra_parity.chaos.locks import find_locks, release, select

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
