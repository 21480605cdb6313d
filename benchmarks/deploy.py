"""Time to deploy and tear down each built-in design on the embedded moto target.

Each design is deployed, verified and torn down twice in one process: the first (cold) run pays for
moto building the backends of the services it touches for the first time; the second (warm) run is
what a session pays for each further design. The target is 2 s (deploy + teardown) per design.
Run: ``python benchmarks/deploy.py [design ...]``.
"""

from __future__ import annotations

import sys
import time

from pytest_infra_parity.deploy.session import Deployments
from pytest_infra_parity.designs import builtin_designs
from pytest_infra_parity.errors import InfraParityError
from pytest_infra_parity.targets.moto import MotoTarget

TARGET_SECONDS = 2.0


def round_trip(target: MotoTarget, name: str, run: str) -> tuple[int, float, float, float, bool]:
    """``(resources, deploy s, verify s, teardown s, clean)`` of one deploy/verify/teardown."""
    deployments = Deployments(target, run_id=run)
    t0 = time.perf_counter()
    stack = deployments.deploy(builtin_designs()[name])
    t1 = time.perf_counter()
    problems = deployments.verify(stack)
    t2 = time.perf_counter()
    count = len(stack.resources)
    errors = deployments.teardown_all()
    t3 = time.perf_counter()
    return count, t1 - t0, t2 - t1, t3 - t2, not (problems or errors)


def main(names: list[str]) -> int:
    target = MotoTarget("us-east-1")
    start = time.perf_counter()
    target.start()
    print(f"moto server started in {time.perf_counter() - start:.2f} s at {target.endpoint_url}")
    # moto keeps some deleted resources "deleting" forever (ElastiCache replication groups): the warm
    # run deploys in a second account of the same server, whose services are already built.
    second = MotoTarget("us-east-1", account_id="210987654321")
    second.start()
    failed = 0
    print(f"{'design':<18} {'resources':>9} {'cold':>6} {'deploy':>7} {'verify':>7} {'teardown':>9} "
          f"{'warm':>6} {'warm/target':>12}")
    for name in names or sorted(builtin_designs()):
        try:
            count, cold_deploy, _, cold_teardown, clean_cold = round_trip(target, name, f"bench-cold-{name}")
            _, deploy, verify, teardown, clean_warm = round_trip(second, name, f"bench-warm-{name}")
        except InfraParityError as exc:
            failed += 1
            print(f"{name:<18} FAILED: {exc.describe()}")
            continue
        cold, warm = cold_deploy + cold_teardown, deploy + teardown
        failed += not (clean_cold and clean_warm)
        print(f"{name:<18} {count:>9} {cold:>6.2f} {deploy:>7.2f} {verify:>7.2f} {teardown:>9.2f} {warm:>6.2f} "
              f"{warm / TARGET_SECONDS:>12.2f}" + ("" if clean_cold and clean_warm else "  PROBLEMS"))
    target.stop()
    second.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
