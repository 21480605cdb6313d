"""The rollout-under-load step's work: Locust in the background, the rollout, the outcome for the report."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from pytest_infra_parity.errors import DeployError

if TYPE_CHECKING:
    from pytest_infra_parity.deploy.stack import Stack
    from pytest_infra_parity.fixtures.sim import SimScenario
    from pytest_infra_parity.load.scenario import LoadScenario
    from pytest_infra_parity.sim.canary_controller import CanaryController
    from pytest_infra_parity.targets.protocol import Target

__all__ = ["rollout_under_load"]

LOAD_USERS = 16


def _profile(scenario: LoadScenario, function: str, alias: str) -> tuple[str, str, dict[str, str]]:
    """The locustfile, host and variables that send requests through ``function:alias``."""
    if scenario.invoke_target is None and scenario.has_http_api():
        return "http_api.py", scenario.gateway().url, {}
    if scenario.invoke_target is None:
        scenario.invoke_target = (function, alias)
    host, env = scenario.invoke_host()
    return "lambda_invoke.py", host, env


def rollout_under_load(version: str, config: str, failure_rate: float, stack: Stack, target: Target,
                       infra_canary: Callable[..., CanaryController], sim: SimScenario, scenario: LoadScenario,
                       pytestconfig: pytest.Config) -> Any:
    """Deploy ``version`` failing ``failure_rate`` of its requests while Locust loads the stack."""
    from pytest_infra_parity.fixtures.sim import design_of
    from pytest_infra_parity.load.canary_live import run_live_rollout
    from pytest_infra_parity.targets.protocol import RUNS_CODEDEPLOY

    controller = infra_canary(stack)
    binding = controller.binding
    locustfile, host, env = _profile(scenario, binding.function_name, binding.alias)
    if RUNS_CODEDEPLOY in target.capabilities:
        from pytest_infra_parity.sim.canary_wallclock import WallClockCanary

        run = scenario.start_locust(locustfile, LOAD_USERS, 3600, host=host, env=env)
        try:
            return WallClockCanary(target.client, binding).rollout(version, config, failure_rate)
        finally:
            scenario.keep(run.stop())
    runtime = scenario.runtime
    if runtime is None:
        raise DeployError("no local runtime to carry the load on this target")
    spec = sim.traffic_for(design_of(stack, pytestconfig))
    scenario.on_finish.append(controller.target.restore)
    run = scenario.start_locust(locustfile, LOAD_USERS, 3600, host=host, env=env)
    try:
        outcome = run_live_rollout(controller, runtime, spec, label=version, config_name=config,
                                   failure_rate=failure_rate)
    finally:
        results = run.stop()
        scenario.keep(results)
    outcome.notes.append(f"Locust ({LOAD_USERS} users, {locustfile}): {results.total.requests} requests at "
                         f"{results.total.rps:.0f}/s, {results.total.failures} failed, p95 "
                         f"{results.total.percentile(95):g} ms")
    scenario.notes.append(outcome.describe())
    return outcome
