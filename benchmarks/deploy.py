"""Time to deploy and tear down each built-in design on the embedded moto target.

Prints one line per design (load+transform, deploy, verify, teardown, in seconds) and the ratio of
each total to the 2 s target. Run: ``python benchmarks/deploy.py [design ...]``.
"""

from __future__ import annotations

import sys
import time

from pytest_infra_parity.deploy.session import Deployments
from pytest_infra_parity.designs import builtin_designs
from pytest_infra_parity.errors import InfraParityError
from pytest_infra_parity.targets.moto import MotoTarget

TARGET_SECONDS = 2.0


WARM_UP_CALLS = {
    "ec2": "describe_availability_zones",
    "iam": "list_roles",
    "ecs": "list_clusters",
    "elbv2": "describe_load_balancers",
    "rds": "describe_db_instances",
    "lambda": "list_functions",
    "dynamodb": "list_tables",
    "ssm": "describe_parameters",
}


def warm_up(target: MotoTarget) -> None:
    """One cheap call per heavy service, so the figures below are per design, not per process."""
    for service, operation in WARM_UP_CALLS.items():
        getattr(target.client(service), operation)()


def main(names: list[str]) -> int:
    target = MotoTarget("us-east-1")
    start = time.perf_counter()
    target.start()
    print(f"moto server started in {time.perf_counter() - start:.2f} s at {target.endpoint_url}")
    designs = builtin_designs()
    start = time.perf_counter()
    warm_up(target)
    print(f"moto backends warmed up in {time.perf_counter() - start:.2f} s (one-time per process: moto builds "
          "its EC2 backend, availability zones and instance offerings, on first use)")
    failed = 0
    print(f"{'design':<18} {'resources':>9} {'deploy':>8} {'verify':>8} {'teardown':>9} {'total':>7} {'/target':>8}")
    for name in names or sorted(designs):
        deployments = Deployments(target, run_id=f"bench-{int(time.time())}")
        t0 = time.perf_counter()
        try:
            stack = deployments.deploy(designs[name])
        except InfraParityError as exc:
            failed += 1
            print(f"{name:<18} FAILED: {exc.describe()}")
            continue
        t1 = time.perf_counter()
        problems = deployments.verify(stack)
        t2 = time.perf_counter()
        count = len(stack.resources)
        errors = deployments.teardown_all()
        t3 = time.perf_counter()
        total = (t1 - t0) + (t3 - t2)
        failed += bool(problems or errors)
        print(f"{name:<18} {count:>9} {t1 - t0:>8.2f} {t2 - t1:>8.2f} {t3 - t2:>9.2f} {total:>7.2f} "
              f"{total / TARGET_SECONDS:>8.2f}" + ("  PROBLEMS" if problems or errors else ""))
    target.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
