"""Simulated time / wall time of the scaling emulation: one simulated day of the cityguided service.

Deploys the cityguided design (and its corrected variant) on an embedded moto server, reads the scaling
configuration back as the steps do, then runs one simulated day per traffic profile with every alarm
evaluated each minute, the scaling policies, the Fargate tasks and the health checks. Target: a
simulated day in under 5 s of wall time. Run: ``python benchmarks/sim_scaling.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pytest_infra_parity.deploy.session import Deployments
from pytest_infra_parity.designs import builtin_designs
from pytest_infra_parity.sim.scaling_config import ScalingConfig
from pytest_infra_parity.sim.scaling_model import ScalingModel
from pytest_infra_parity.sim.scaling_target import ResourceRef, read_scaling_config
from pytest_infra_parity.targets.moto import MotoTarget

DAY = 86_400.0
TARGET_SECONDS = 5.0


def sessions(model: ScalingModel) -> None:
    """Staging use: four sessions of 30 minutes at 5 requests a minute, idle in between (scale to zero)."""
    for start_hour in (0.5, 2.0, 5.0, 7.5):  # the clock starts at 09:00 UTC
        start = start_hour * 3600.0
        model.set_rate(start, 5 / 60)
        model.set_rate(start + 1800.0, 0.0)


def busy(model: ScalingModel) -> None:
    """A busy day: 2 requests a second from 09:00 to 19:00, target tracking at work, idle at night."""
    model.set_rate(0.0, 2.0)
    model.set_rate(10 * 3600.0, 0.0)


def steady(model: ScalingModel) -> None:
    """Requests all day long at 1 per second (no idle window)."""
    model.set_rate(0.0, 1.0)


PROFILES: dict[str, Callable[[ScalingModel], None]] = {"sessions": sessions, "busy": busy, "steady": steady}


def configs() -> dict[str, ScalingConfig]:
    moto = MotoTarget("us-east-1", account_id="111111111111")
    moto.start()
    deployments = Deployments(moto, "bench-scaling")
    out = {}
    try:
        for name in ("cityguided", "cityguided-corrected"):
            stack = deployments.deploy(builtin_designs()[name])
            refs = [ResourceRef(r.logical_id, r.resource_type, r.physical_id, r.properties)
                    for r in stack.resources.values()]
            out[name] = read_scaling_config(moto.client, refs, requests_per_second=5 / 60)
    finally:
        deployments.teardown_all()
        moto.stop()
    return out


def run_day(config: ScalingConfig, profile: Callable[[ScalingModel], None]) -> tuple[float, int, int]:
    started = time.perf_counter()
    model = ScalingModel(config, seed=7)
    profile(model)
    model.run_until(DAY)
    wall = time.perf_counter() - started
    activities = sum(1 for e in model.clock.timeline.of_kind("activity") if e.detail.get("status") == "Successful")
    return wall, len(model.clock.timeline), activities


def main() -> int:
    worst = 0.0
    for design, config in configs().items():
        for name, profile in PROFILES.items():
            wall, events, activities = run_day(config, profile)
            worst = max(worst, wall)
            print(f"{design:<22} {name:<9} one simulated day in {wall:6.3f} s wall  ratio {DAY / wall:>9,.0f}x  "
                  f"({events} timeline events, {activities} scaling activities)")
    verdict = "met" if worst < TARGET_SECONDS else "NOT met"
    print(f"slowest simulated day: {worst:.3f} s (target: under {TARGET_SECONDS:g} s): {verdict}")
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
