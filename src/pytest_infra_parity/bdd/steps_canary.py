"""Steps for canary deployments and flag rollouts, emulated on the virtual clock (or measured on AWS).

Sentences (``<p>`` and ``<r>`` accept decimals):

- ``Given a steady traffic of <r> requests per second``
- ``When version <v> is rolled out with "<deployment config>" while it fails <p>% of requests``
  (``When version <v> is rolled out while it fails <p>% of requests`` uses the deployment group's own)
- ``Then the deployment is rolled back within <m> minutes`` / ``Then the deployment succeeds``
- ``Then a canary failing <p>% of its requests is detected``
- ``Then the smallest detectable canary error rate is between <a>% and <b>%``
- ``When the flag "<name>" is rolled out with the strategy "<strategy>"``
- ``Then <p>% of clients see it after <m> minutes``

On a target that runs CodeDeploy (``runs_codedeploy``: real AWS) the rollout step creates a real
deployment and polls it with the wall clock (:mod:`pytest_infra_parity.sim.canary_wallclock`); elsewhere
CodeDeploy, CloudWatch and AppConfig are emulated and the outcome is written back to the target. A
failure prints the timeline. A design may declare a known failure of the detection check under
``expected_failures.canary-detection`` (``reason``, optional ``up_to_percent``): the step then reports
it as XFAIL with the reason and the analysis, and fails if the design unexpectedly passes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
from pytest_bdd import given, parsers, then, when

from pytest_infra_parity.fixtures.sim import SimScenario, design_of, expected_failure

if TYPE_CHECKING:
    from pytest_infra_parity.deploy.stack import Stack
    from pytest_infra_parity.sim.canary_controller import CanaryController
    from pytest_infra_parity.sim.canary_flags import FlagOutcome
    from pytest_infra_parity.targets.protocol import Target

_NUMBER = r"(?P<{}>\d+(?:\.\d+)?)"


def _re(pattern: str, *names: str) -> Any:
    return parsers.re(pattern.format(*(_NUMBER.format(n) for n in names)))


def _fail(message: str) -> NoReturn:
    __tracebackhide__ = True
    pytest.fail(message, pytrace=False)


@given(_re(r"a steady traffic of {} requests? per second", "rate"))
def steady_traffic(rate: str, infra_sim: SimScenario) -> None:
    """The scenario's traffic: ``rate`` requests per second (Poisson arrivals)."""
    from pytest_infra_parity.sim.traffic import TrafficSpec

    infra_sim.traffic = TrafficSpec(float(rate), source="the scenario's `Given a steady traffic` step")


def _rollout(version: str, config: str | None, percent: str, infra_stack: Stack, infra_target: Target,
             infra_canary: Callable[..., CanaryController]) -> Any:
    from pytest_infra_parity.errors import InfraParityError
    from pytest_infra_parity.targets.protocol import RUNS_CODEDEPLOY

    controller = infra_canary(infra_stack)
    try:
        if RUNS_CODEDEPLOY in infra_target.capabilities:
            from pytest_infra_parity.sim.canary_wallclock import WallClockCanary

            return WallClockCanary(infra_target.client, controller.binding).rollout(version, config, float(percent))
        return controller.rollout(version, config, float(percent) / 100)
    except InfraParityError as exc:
        message = exc.describe()
    _fail(f"infra-parity: {message}")


@when(parsers.re(r'version (?P<version>\S+) is rolled out with "(?P<config>[^"]+)" while it fails '
                 r'(?P<percent>\d+(?:\.\d+)?)% of requests'), target_fixture="canary_outcome")
def version_rolled_out(version: str, config: str, percent: str, infra_stack: Stack, infra_target: Target,
                       infra_canary: Callable[..., CanaryController]) -> Any:
    """Publish a version failing ``percent`` % of its requests and deploy it with the named configuration."""
    return _rollout(version, config, percent, infra_stack, infra_target, infra_canary)


@when(_re(r"version (?P<version>\S+) is rolled out while it fails {}% of requests", "percent"),
      target_fixture="canary_outcome")
def version_rolled_out_default(version: str, percent: str, infra_stack: Stack, infra_target: Target,
                               infra_canary: Callable[..., CanaryController]) -> Any:
    """The same, with the deployment group's own configuration."""
    return _rollout(version, None, percent, infra_stack, infra_target, infra_canary)


@then(_re(r"the deployment is rolled back within {} minutes?", "minutes"))
def rolled_back_within(minutes: str, canary_outcome: Any) -> None:
    """The deployment stopped on an alarm and the alias went back, at most ``minutes`` after the start."""
    back = canary_outcome.rollback_after
    if back is None:
        _fail(f"the deployment was not rolled back\n{canary_outcome.describe()}")
    if back > float(minutes) * 60 + 1e-6:
        _fail(f"the deployment was rolled back after {back / 60:.2f} minutes, not within {minutes}\n"
              f"{canary_outcome.describe()}")


@then("the deployment succeeds")
def deployment_succeeds(canary_outcome: Any) -> None:
    """All traffic reached the new version without an alarm stopping the deployment."""
    if not canary_outcome.succeeded:
        _fail(f"the deployment did not succeed\n{canary_outcome.describe()}")


@then(_re(r"a canary failing {}% of its requests is detected", "percent"))
def canary_is_detected(percent: str, infra_stack: Stack, infra_canary: Callable[..., CanaryController],
                       pytestconfig: pytest.Config) -> None:
    """The group's alarms roll back a canary failing ``percent`` % of its requests (95 % of emulated runs)."""
    from pytest_infra_parity.errors import InfraParityError

    try:
        analysis = infra_canary(infra_stack).analyze(float(percent) / 100)
    except InfraParityError as exc:
        analysis, message = None, exc.describe()
    if analysis is None:
        _fail(f"infra-parity: {message}")
    design = design_of(infra_stack, pytestconfig)
    declared = expected_failure(design, "canary-detection")
    limit = None if declared is None else declared.get("up_to_percent")
    applies = declared is not None and (limit is None or float(percent) <= float(limit))
    if applies and declared is not None and design is not None:
        if analysis.detected:
            _fail(f"design {design.name} declares expected_failures.canary-detection, but the canary is detected "
                  f"now: remove the declaration\n{analysis.describe()}")
        pytest.xfail(f"expected failure of design {design.name}: {str(declared['reason']).strip()}\n"
                     f"{analysis.describe()}")
    if not analysis.detected:
        _fail(analysis.describe())


@then(_re(r"the smallest detectable canary error rate is between {}% and {}%", "low", "high"))
def smallest_detectable_between(low: str, high: str, infra_stack: Stack,
                                infra_canary: Callable[..., CanaryController]) -> None:
    """The design analysis's smallest canary error rate rolled back in 95 % of emulated runs."""
    analysis = infra_canary(infra_stack).analyze(float(high) / 100)
    smallest = analysis.smallest_detectable
    if smallest is None or not float(low) / 100 <= smallest <= float(high) / 100:
        _fail(f"the smallest detectable canary error rate is not between {low}% and {high}%\n{analysis.describe()}")


@when(parsers.re(r'the flag "(?P<flag>[^"]+)" is rolled out with the strategy "(?P<strategy>[^"]+)"'),
      target_fixture="flag_rollout")
def flag_rolled_out(flag: str, strategy: str, infra_stack: Stack, infra_sim: SimScenario) -> FlagOutcome:
    """Switch ``flag`` on with the AppConfig strategy (predefined, or one of the design's)."""
    from pytest_infra_parity.errors import InfraParityError
    from pytest_infra_parity.sim.canary_flags import flag_binding_from_stack, run_flag_rollout

    try:
        return run_flag_rollout(infra_sim.clock, flag_binding_from_stack(infra_stack), flag, strategy)
    except InfraParityError as exc:
        message = exc.describe()
    _fail(f"infra-parity: {message}")


@then(_re(r"{}% of clients see it after {} minutes?", "percent", "minutes"))
def clients_see_it(percent: str, minutes: str, flag_rollout: FlagOutcome) -> None:
    """The share of clients AppConfig serves the new value to, ``minutes`` after the start."""
    share = flag_rollout.percentage_after(float(minutes))
    if abs(share - float(percent)) > 0.005:
        _fail(f"{share:g}% of clients see the new value of {flag_rollout.flag} after {minutes} minutes, not "
              f"{percent}%\n{flag_rollout.describe()}")
