"""Steps for canary deployments and flag rollouts, emulated on the virtual clock (or measured on AWS).

Sentences (``<p>`` and ``<r>`` accept decimals):

- ``Given a steady traffic of <r> requests per second``
- ``When version <v> is rolled out with "<deployment config>" while it fails <p>% of requests``
  (``When version <v> is rolled out while it fails <p>% of requests`` uses the deployment group's own)
- ``Then the deployment is rolled back within <m> minutes`` / ``Then the deployment succeeds``
- ``Then a canary failing <p>% of its requests is detected``
- ``Then a canary failing <p>% of its requests is detected in at least <q>% of runs`` (``at most`` too)
- ``Then the smallest detectable canary error rate is between <a>% and <b>%``
- ``When the flag "<name>" is rolled out with the strategy "<strategy>"``
- ``Then <p>% of clients see it after <m> minutes``

On a target that runs CodeDeploy (``runs_codedeploy``: real AWS) the rollout step creates a real
deployment and polls it with the wall clock (:mod:`pytest_infra_parity.sim.canary_wallclock`); elsewhere
CodeDeploy, CloudWatch and AppConfig are emulated and the outcome is written back to the target. A
failure prints the timeline. A design may declare a known failure of the detection check under
``expected_failures.canary-detection`` (``reason``, optional ``up_to_percent``): the step then reports
it as XFAIL with the reason and the analysis, and fails if the design unexpectedly passes.

A step whose set-up is missing (no deployed design, no rollout before its outcome is checked) or whose
figures are out of range (a failure rate above 100 %) fails with one sentence naming what to write.

Evidence for the run's report is recorded before each criterion is checked, so a failing or xfailing
scenario shows it: the rollout step records the ``canary`` section (error rate per alarm period, alias
weights, events), the detection steps one ``detection`` section holding every rate the scenario measured,
the flag steps one ``flag`` section with the shares the scenario expects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

import pytest
from pytest_bdd import given, parsers, then, when

from pytest_infra_parity.fixtures.sim import SimScenario, design_of, evidence, expected_failure
from pytest_infra_parity.report.recorder import record

if TYPE_CHECKING:
    from pytest_infra_parity.deploy.stack import Stack
    from pytest_infra_parity.report.from_detection import DetectionEvidence
    from pytest_infra_parity.sim.canary_analysis import DetectionAnalysis
    from pytest_infra_parity.sim.canary_controller import CanaryController
    from pytest_infra_parity.sim.canary_flags import FlagOutcome

_NUMBER = r"(?P<{}>\d+(?:\.\d+)?)"


def _re(pattern: str, *names: str) -> Any:
    return parsers.re(pattern.format(*(_NUMBER.format(n) for n in names)))


def _fail(message: str) -> NoReturn:
    __tracebackhide__ = True
    pytest.fail(message, pytrace=False)


DEPLOYED = 'Given the "<design>" design is deployed'
ROLLED_OUT = 'When version <v> is rolled out with "<deployment config>" while it fails <p>% of requests'
FLAG = 'When the flag "<name>" is rolled out with the strategy "<strategy>"'
_SET_UP = {"infra_stack": ("no deployed design in this scenario", DEPLOYED),
           "canary_outcome": ("no version was rolled out in this scenario", ROLLED_OUT),
           "flag_rollout": ("no flag was rolled out in this scenario", FLAG)}


def _needed(request: pytest.FixtureRequest, name: str, step: str) -> Any:
    """The value an earlier step set (``infra_stack``, ``canary_outcome``, ``flag_rollout``), or one sentence."""
    __tracebackhide__ = True
    try:
        return request.getfixturevalue(name)
    except pytest.FixtureLookupError as exc:
        if exc.argname != name:
            raise
    what, sentence = _SET_UP[name]
    _fail(f"infra-parity: {what}: `{step}` needs `{sentence}` before it")


def _percent(value: str, what: str) -> float:
    """A percentage of the sentence, checked to lie in 0-100 (the pattern already refuses negatives)."""
    __tracebackhide__ = True
    number = float(value)
    if number > 100:
        _fail(f"infra-parity: {what} must be a percentage between 0 and 100, got {value}%")
    return number


def _controller(request: pytest.FixtureRequest, step: str) -> tuple[Stack, CanaryController]:
    stack: Stack = _needed(request, "infra_stack", step)
    return stack, request.getfixturevalue("infra_canary")(stack)


@given(_re(r"a steady traffic of {} requests? per second", "rate"))
def steady_traffic(rate: str, infra_sim: SimScenario) -> None:
    """The scenario's traffic: ``rate`` requests per second (Poisson arrivals)."""
    from pytest_infra_parity.sim.traffic import TrafficSpec

    infra_sim.traffic = TrafficSpec(float(rate), source="the scenario's `Given a steady traffic` step")


def _rollout(version: str, config: str | None, percent: str, request: pytest.FixtureRequest) -> Any:
    from pytest_infra_parity.errors import InfraParityError
    from pytest_infra_parity.targets.protocol import RUNS_CODEDEPLOY

    failing = _percent(percent, "the share of requests the new version fails")
    step = f"When version {version} is rolled out" + (f' with "{config}"' if config else "") + \
        f" while it fails {percent}% of requests"
    _, controller = _controller(request, step)
    target = request.getfixturevalue("infra_target")
    try:
        if RUNS_CODEDEPLOY in target.capabilities:
            from pytest_infra_parity.sim.canary_wallclock import WallClockCanary

            outcome: Any = WallClockCanary(target.client, controller.binding).rollout(version, config, failing)
        else:
            outcome = controller.rollout(version, config, failing / 100)
    except InfraParityError as exc:
        message = exc.describe()
    else:
        record_canary(request, outcome, failing, function=controller.binding.function_logical_id)
        return outcome
    _fail(f"infra-parity: {message}")


def record_canary(request: pytest.FixtureRequest, outcome: Any, failure_pct: float, *, function: str = "") -> None:
    """Record the ``canary`` section of a rollout's outcome (emulated, under load, or on the wall clock);
    ``function`` is the logical id the report names the function by."""
    from pytest_infra_parity.report.from_canary import canary_section

    record(request, canary_section(outcome, failure_pct, function=function), key="canary")


@when(parsers.re(r'version (?P<version>\S+) is rolled out with "(?P<config>[^"]+)" while it fails '
                 r'(?P<percent>\d+(?:\.\d+)?)% of requests'), target_fixture="canary_outcome")
def version_rolled_out(version: str, config: str, percent: str, request: pytest.FixtureRequest) -> Any:
    """Publish a version failing ``percent`` % of its requests and deploy it with the named configuration."""
    return _rollout(version, config, percent, request)


@when(_re(r"version (?P<version>\S+) is rolled out while it fails {}% of requests", "percent"),
      target_fixture="canary_outcome")
def version_rolled_out_default(version: str, percent: str, request: pytest.FixtureRequest) -> Any:
    """The same, with the deployment group's own configuration."""
    return _rollout(version, None, percent, request)


@then(_re(r"the deployment is rolled back within {} minutes?", "minutes"))
def rolled_back_within(minutes: str, request: pytest.FixtureRequest) -> None:
    """The deployment stopped on an alarm and the alias went back, at most ``minutes`` after the start."""
    canary_outcome = _needed(request, "canary_outcome", f"Then the deployment is rolled back within {minutes} minutes")
    back = canary_outcome.rollback_after
    if back is None:
        _fail(f"the deployment was not rolled back\n{canary_outcome.describe()}")
    if back > float(minutes) * 60 + 1e-6:
        _fail(f"the deployment was rolled back after {back / 60:.2f} minutes, not within {minutes}\n"
              f"{canary_outcome.describe()}")


@then("the deployment succeeds")
def deployment_succeeds(request: pytest.FixtureRequest) -> None:
    """All traffic reached the new version without an alarm stopping the deployment."""
    canary_outcome = _needed(request, "canary_outcome", "Then the deployment succeeds")
    if not canary_outcome.succeeded:
        _fail(f"the deployment did not succeed\n{canary_outcome.describe()}")


def _criterion(controller: CanaryController) -> float | None:
    """The first of the group's alarms that compares a rate: its threshold as a rate (0.02 for 2 %)."""
    from pytest_infra_parity.report.from_canary import percent_factor
    from pytest_infra_parity.sim.canary_watch import watched_alarm

    for definition in controller.target.alarms(controller.target.group_settings().alarms):
        spec = watched_alarm(definition).spec
        factor = percent_factor(spec)
        if factor is not None and spec.threshold is not None:
            return spec.threshold * factor / 100
    return None


def _detection(request: pytest.FixtureRequest, controller: CanaryController) -> DetectionEvidence:
    from pytest_infra_parity.report.from_detection import DetectionEvidence

    found = evidence(request, "detection", DetectionEvidence)
    if found.criterion is None:
        found.criterion = _criterion(controller)
    return found


def _record_detection(request: pytest.FixtureRequest, found: DetectionEvidence) -> None:
    from pytest_infra_parity.report.from_detection import detection_section

    record(request, detection_section(found), key="detection")


def _analysis(controller: CanaryController, failure_rate: float) -> DetectionAnalysis:
    from pytest_infra_parity.errors import InfraParityError

    try:
        return controller.analyze(failure_rate)
    except InfraParityError as exc:
        message = exc.describe()
    _fail(f"infra-parity: {message}")


@then(_re(r"a canary failing {}% of its requests is detected", "percent"))
def canary_is_detected(percent: str, request: pytest.FixtureRequest, pytestconfig: pytest.Config) -> None:
    """The group's alarms roll back a canary failing ``percent`` % of its requests (95 % of emulated runs)."""
    rate = _percent(percent, "the canary's failure rate")
    stack, controller = _controller(request, f"Then a canary failing {percent}% of its requests is detected")
    analysis = _analysis(controller, rate / 100)
    found = _detection(request, controller)
    found.add_analysis(analysis)
    _record_detection(request, found)
    design = design_of(stack, pytestconfig)
    declared = expected_failure(design, "canary-detection")
    limit = None if declared is None else declared.get("up_to_percent")
    applies = declared is not None and (limit is None or rate <= float(limit))
    if applies and declared is not None and design is not None:
        if analysis.detected:
            _fail(f"design {design.name} declares expected_failures.canary-detection, but the canary is detected "
                  f"now: remove the declaration\n{analysis.describe()}")
        pytest.xfail(f"expected failure of design {design.name}: {str(declared['reason']).strip()}\n"
                     f"{analysis.describe()}")
    if not analysis.detected:
        _fail(analysis.describe())


def _probability(controller: CanaryController, failure_rate: float) -> tuple[float, int]:
    from pytest_infra_parity.errors import InfraParityError

    try:
        return controller.detection_probability(failure_rate), controller.binding.settings.runs
    except InfraParityError as exc:
        message = exc.describe()
    _fail(f"infra-parity: {message}")


@then(_re(r"a canary failing {}% of its requests is detected in at (?P<bound>least|most) {}% of runs",
          "percent", "share"))
def canary_detected_in_share(percent: str, bound: str, share: str, request: pytest.FixtureRequest) -> None:
    """The share of seeded emulated deployments that roll back such a canary is at least (at most) ``share`` %."""
    rate = _percent(percent, "the canary's failure rate")
    wanted = _percent(share, "the share of runs")
    step = f"Then a canary failing {percent}% of its requests is detected in at {bound} {share}% of runs"
    _, controller = _controller(request, step)
    probability, runs = _probability(controller, rate / 100)
    found = _detection(request, controller)
    found.add_probability(rate / 100, probability, runs)
    _record_detection(request, found)
    seen = f"rolled back in {round(probability * runs)} of {runs} emulated deployments ({probability:.0%})"
    print(f"a canary failing {percent}% of its requests is {seen}")
    if (probability * 100 < wanted - 1e-9) if bound == "least" else (probability * 100 > wanted + 1e-9):
        _fail(f"a canary failing {percent}% of its requests is {seen}, not at {bound} {share}%\n"
              f"{_analysis(controller, rate / 100).describe()}")


@then(_re(r"the smallest detectable canary error rate is between {}% and {}%", "low", "high"))
def smallest_detectable_between(low: str, high: str, request: pytest.FixtureRequest) -> None:
    """The design analysis's smallest canary error rate rolled back in 95 % of emulated runs."""
    bottom, top = _percent(low, "the lower bound"), _percent(high, "the upper bound")
    if bottom > top:
        _fail(f"infra-parity: the range {low}% to {high}% is empty: write the smaller rate first")
    _, controller = _controller(request, f"Then the smallest detectable canary error rate is between {low}% and "
                                         f"{high}%")
    analysis = _analysis(controller, top / 100)
    found = _detection(request, controller)
    found.add_analysis(analysis)
    _record_detection(request, found)
    smallest = analysis.smallest_detectable
    if smallest is None or not bottom / 100 <= smallest <= top / 100:
        _fail(f"the smallest detectable canary error rate is not between {low}% and {high}%\n{analysis.describe()}")


@when(parsers.re(r'the flag "(?P<flag>[^"]+)" is rolled out with the strategy "(?P<strategy>[^"]+)"'),
      target_fixture="flag_rollout")
def flag_rolled_out(flag: str, strategy: str, request: pytest.FixtureRequest, infra_sim: SimScenario) -> FlagOutcome:
    """Switch ``flag`` on with the AppConfig strategy (predefined, or one of the design's)."""
    from pytest_infra_parity.errors import InfraParityError
    from pytest_infra_parity.sim.canary_flags import flag_binding_from_stack, run_flag_rollout

    stack = _needed(request, "infra_stack", f'When the flag "{flag}" is rolled out with the strategy "{strategy}"')
    try:
        outcome = run_flag_rollout(infra_sim.clock, flag_binding_from_stack(stack), flag, strategy)
    except InfraParityError as exc:
        message = exc.describe()
    else:
        _record_flag(request, outcome)
        return outcome
    _fail(f"infra-parity: {message}")


def _record_flag(request: pytest.FixtureRequest, outcome: FlagOutcome) -> None:
    """Record the ``flag`` section with every share the scenario's steps expected so far."""
    from pytest_infra_parity.report.from_flag import flag_section

    expected: list[tuple[float, float]] = evidence(request, f"flag-expected:{outcome.flag}", list)
    record(request, flag_section(outcome, expected), key=f"flag:{outcome.flag}")


@then(_re(r"{}% of clients see it after {} minutes?", "percent", "minutes"))
def clients_see_it(percent: str, minutes: str, request: pytest.FixtureRequest) -> None:
    """The share of clients AppConfig serves the new value to, ``minutes`` after the start."""
    wanted = _percent(percent, "the share of clients")
    flag_rollout = _needed(request, "flag_rollout", f"Then {percent}% of clients see it after {minutes} minutes")
    expected: list[tuple[float, float]] = evidence(request, f"flag-expected:{flag_rollout.flag}", list)
    expected.append((float(minutes), wanted))
    _record_flag(request, flag_rollout)
    share = flag_rollout.percentage_after(float(minutes))
    if abs(share - wanted) > 0.005:
        _fail(f"{share:g}% of clients see the new value of {flag_rollout.flag} after {minutes} minutes, not "
              f"{percent}%\n{flag_rollout.describe()}")
