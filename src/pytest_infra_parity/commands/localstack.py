"""``infra-parity localstack start|stop|status``: a LocalStack for ``pytest --infra-target=localstack``.

``start`` uses a LocalStack already answering at the endpoint, else starts one in a container where a
Docker engine answers, else ``localstack-core`` on this machine (its virtualenv is created in the
cache folder on first use, then reused). It prints the endpoint, how it was started, the time to
ready and the log's path, and records the instance so ``stop`` and ``status`` find it.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_infra_parity.targets.localstack_paths import InstanceRecord

Handler = Callable[[argparse.Namespace], int]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> dict[str, Handler]:
    parser = sub.add_parser("localstack", help="Start, stop or inspect a LocalStack for --infra-target=localstack")
    actions = parser.add_subparsers(dest="localstack_action", required=True)
    start = actions.add_parser("start", help="Start LocalStack (existing endpoint, else Docker, else this host)")
    start.add_argument("--port", type=int, default=4566, help="Port on 127.0.0.1 (default 4566)")
    start.add_argument("--via", choices=("auto", "host", "docker"), default=None,
                       help="How to start it (default: INFRA_PARITY_LOCALSTACK_VIA or auto)")
    start.add_argument("--timeout", type=float, default=90.0, help="Seconds to wait until it is ready (default 90)")
    start.add_argument("--init-dir", type=Path, help="Folder with ready.d/ (and boot.d/...) hooks to run (host)")
    start.add_argument("--python", help="Python >= 3.13 for LocalStack's virtualenv (default: found on this host)")
    stop = actions.add_parser("stop", help="Stop the LocalStack(s) started with `localstack start`")
    stop.add_argument("--port", type=int, help="Only the one on this port (default: every recorded one)")
    status = actions.add_parser("status", help="Show recorded LocalStacks (exit 1 when none is running)")
    status.add_argument("--port", type=int, help="Only the one on this port")
    status.add_argument("--services", action="store_true", help="Also detect which services it really serves")
    for each in (start, stop, status):
        each.add_argument("--cache-dir", type=Path, help="Cache folder (default: INFRA_PARITY_CACHE_DIR, "
                                                         "else $XDG_CACHE_HOME/pytest-infra-parity)")
    return {"localstack": run}


def run(args: argparse.Namespace) -> int:
    handlers: dict[str, Handler] = {"start": cmd_start, "stop": cmd_stop, "status": cmd_status}
    return handlers[args.localstack_action](args)


def _cache(args: argparse.Namespace) -> Path:
    from pytest_infra_parity.targets.localstack_paths import cache_dir

    return Path(args.cache_dir).resolve() if args.cache_dir else cache_dir()


def cmd_start(args: argparse.Namespace) -> int:
    from pytest_infra_parity.targets.localstack_paths import read_records
    from pytest_infra_parity.targets.localstack_starter import StartRequest, start_localstack, via_from_env

    cache = _cache(args)
    request = StartRequest(endpoint=f"http://127.0.0.1:{args.port}", via=args.via or via_from_env(), cache=cache,
                           timeout=args.timeout, init_dir=args.init_dir.resolve() if args.init_dir else None,
                           python=args.python)
    began = time.monotonic()
    started = start_localstack(request)
    if started.via == "existing":
        known = [r for r in read_records(cache) if r.port == args.port]
        owner = f"started with {known[0].via}, log {known[0].log}" if known else "not started by infra-parity"
        print(f"localstack: already running at {started.endpoint} ({owner})")
        return 0
    record = started.record
    assert record is not None
    if started.installed_seconds:
        print(f"localstack: installed localstack-core {record.version} in {started.installed_seconds:.1f} s")
    print(f"localstack: ready at {started.endpoint} via {started.via} "
          f"(start-to-ready {record.ready_seconds:.2f} s, {time.monotonic() - began:.1f} s in all)")
    if record.log:
        print(f"localstack: log {record.log}")
    print(f"localstack: stop it with: infra-parity localstack stop --port {record.port}")
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    from pytest_infra_parity.targets.localstack_paths import read_records
    from pytest_infra_parity.targets.localstack_starter import stop_recorded

    cache = _cache(args)
    records = [r for r in read_records(cache) if args.port is None or r.port == args.port]
    if not records:
        print("localstack: nothing recorded to stop" + (f" on port {args.port}" if args.port else ""))
        return 0
    for record in records:
        began = time.monotonic()
        killed = stop_recorded(record, cache)
        forced = f", {len(killed)} process(es) killed after the grace period" if killed else ""
        print(f"localstack: stopped {record.endpoint} ({record.via}) in {time.monotonic() - began:.1f} s{forced}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from pytest_infra_parity.targets.localstack_paths import read_records

    records = [r for r in read_records(_cache(args)) if args.port is None or r.port == args.port]
    running = 0
    for record in records:
        alive = _alive(record)
        running += alive
        state = "running" if alive else "NOT running (stale record: `infra-parity localstack stop` removes it)"
        print(f"localstack: {record.endpoint} via {record.via} ({record.owner}): {state}; "
              f"ready in {record.ready_seconds:.2f} s; log {record.log or '-'}")
        if alive and args.services:
            _print_services(record.endpoint)
    if not records:
        print("localstack: none recorded")
    return 0 if running else 1


def _alive(record: InstanceRecord) -> bool:
    from pytest_infra_parity.targets.localstack_ready import answers

    if record.via == "host":
        from pytest_infra_parity.targets.localstack_host import is_alive

        return is_alive(record) and answers(record.endpoint)
    return answers(record.endpoint)


def _print_services(endpoint: str) -> None:
    from pytest_infra_parity.targets.localstack_capabilities import Health, detect, probe_clients
    from pytest_infra_parity.targets.localstack_ready import fetch_health

    found = detect(Health.parse(fetch_health(endpoint)), probe_clients(endpoint, "us-east-1", 4.0))
    for service, status in sorted(found.services.items()):
        print(f"  {service:<26} {'served' if status.served else 'NOT served'}: {status.reason}")
