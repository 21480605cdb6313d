"""Steps of the scaling room: scale to zero after idle minutes, and scale-up from zero.

Sentences (numbers may have decimals)::

    Given the time is <Monday..Sunday> <HH>:<MM> UTC
    When the service receives no requests for <n> minutes
    Then the service runs <count> tasks within <m> minutes of the last request
    When requests arrive at <r> per second after <n> idle minutes
    Then the first request succeeds within <s> seconds
    Then the scale-up breakdown is reported
    Then the scale-to-zero breakdown is reported

A criterion the design declares in design.yaml ``expected_failures`` (``scaling.scale-up``,
``scaling.scale-to-zero``) is reported as an expected failure (XFAIL) with the design's reason and the
measured breakdown; if it is met after all, the step fails, so the declaration is kept honest.

A figure out of range (negative, ``nan``, ``inf``, a rate of 0) or a step whose set-up is missing fails with
one sentence naming what to write; the figures are checked before the deployed stack is looked up.

Each measurement is recorded for the run's report before its criterion is checked (so an expected or
unexpected failure shows it): the ``scaling`` section with the slowest run's timeline and the stages.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import pytest
from pytest_bdd import given, parsers, then, when

from pytest_infra_parity.errors import InfraParityError

if TYPE_CHECKING:
    from pytest_infra_parity.sim.scaling_session import ScalingController, Verdict

T = TypeVar("T")


def _guarded(action: Callable[[], T]) -> T:
    """Run a controller call; user-caused problems become one readable failure."""
    try:
        return action()
    except InfraParityError as exc:
        problem = f"infra-parity: {exc.describe()}"
    except ValueError as exc:
        problem = f"infra-parity: {exc}"
    pytest.fail(problem, pytrace=False)


def _figure(value: float, what: str, *, zero: bool = True) -> float:
    """A number of the sentence: finite, not negative (and not 0 unless ``zero``), else one sentence."""
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
        bound = ">= 0" if zero else "> 0"
        pytest.fail(f"infra-parity: {what} must be a finite number {bound}, got {value:g}", pytrace=False)
    return value


def _scaling(request: pytest.FixtureRequest) -> ScalingController:
    """The scenario's controller, looked up once the sentence's figures are checked."""
    controller: ScalingController = request.getfixturevalue("infra_scaling")
    return controller


def _record(request: pytest.FixtureRequest, controller: ScalingController, kind: str, text: str) -> None:
    """Record the ``scaling`` section of the controller's last ``kind`` measurement (replacing an earlier one)."""
    from pytest_infra_parity.report.from_scaling import scaling_section
    from pytest_infra_parity.report.recorder import record

    scenarios = getattr(controller, "scenarios", {})
    section = scaling_section(kind, controller.results.get(kind), scenarios.get(kind), text, controller.design)
    record(request, section, key=f"scaling:{kind}")


def _conclude(verdict: Verdict, criterion: str) -> None:
    if verdict.expected_failure is not None:
        if verdict.passed:
            pytest.fail(f"{criterion}: met, but the design declares it an expected failure "
                        f"({verdict.expected_failure}); remove it from expected_failures\n\n{verdict.message}",
                        pytrace=False)
        pytest.xfail(f"{verdict.expected_failure}\n{verdict.message}")
    if not verdict.passed:
        pytest.fail(f"{criterion}: not met\n{verdict.message}", pytrace=False)
    print(verdict.message.split("\n\ntimeline")[0])


@given(parsers.re(r"the time is (?P<day>[A-Za-z]+) (?P<hour>\d{1,2}):(?P<minute>\d{2}) UTC"))
def time_is(day: str, hour: str, minute: str, request: pytest.FixtureRequest) -> None:
    """Start the emulated scenario at this time of the clock's reference week (scheduled actions use it)."""
    from pytest_infra_parity.sim.scaling_session import start_of

    when = _guarded(lambda: start_of(day, int(hour), int(minute)))
    _scaling(request).starts_at(when)


@when(parsers.parse("the service receives no requests for {minutes:g} minutes"))
def no_requests(minutes: float, request: pytest.FixtureRequest) -> None:
    """Traffic (the scenario's, or the design's usage profile), then none for ``minutes``."""
    idle = _figure(minutes, "the idle minutes", zero=False)
    controller = _scaling(request)
    _guarded(lambda: controller.receive_no_requests(idle))


@then(parsers.parse("the service runs {count:d} tasks within {minutes:g} minutes of the last request"))
def runs_tasks_within(count: int, minutes: float, request: pytest.FixtureRequest) -> None:
    """Every seeded run reaches ``count`` running tasks (and desired count) within ``minutes``."""
    _figure(count, "the number of tasks")
    _figure(minutes, "the minutes after the last request")
    infra_scaling = _scaling(request)
    if count != 0 and infra_scaling.emulated:
        pytest.fail("infra-parity: the emulation measures scale-in to 0 tasks; write 'runs 0 tasks'", pytrace=False)
    verdict = _guarded(lambda: infra_scaling.check_zero(count, minutes))
    _record(request, infra_scaling, "scale-to-zero", verdict.message)
    _conclude(verdict, f"the service runs {count} tasks within {minutes:g} minutes of the last request")


@when(parsers.parse("requests arrive at {rate:g} per second after {minutes:g} idle minutes"))
def requests_after_idle(rate: float, minutes: float, request: pytest.FixtureRequest) -> None:
    """Traffic, ``minutes`` without any request, then ``rate`` requests per second."""
    _figure(rate, "the rate of requests after the idle window", zero=False)
    _figure(minutes, "the idle minutes")
    controller = _scaling(request)
    _guarded(lambda: controller.requests_after_idle(rate, minutes))


@then(parsers.parse("the first request succeeds within {seconds:g} seconds"))
def first_request_succeeds(seconds: float, request: pytest.FixtureRequest) -> None:
    """In every seeded run, a request succeeds within ``seconds`` of the first request after the idle window."""
    _figure(seconds, "the seconds to the first success")
    controller = _scaling(request)
    verdict = _guarded(lambda: controller.check_first_success(seconds))
    _record(request, controller, "scale-up", verdict.message)
    _conclude(verdict, f"the first request succeeds within {seconds:g} seconds")


@then(parsers.re(r"the (?P<kind>scale-up|scale-to-zero) breakdown is reported"))
def breakdown_is_reported(kind: str, request: pytest.FixtureRequest) -> None:
    """Print the stages of the measurement (medians over the seeded runs); fail when a stage is missing."""
    from pytest_infra_parity.report.recorder import recorded_as

    infra_scaling = _scaling(request)
    text = _guarded(lambda: infra_scaling.breakdown(kind))
    if recorded_as(request, f"scaling:{kind}") is None:
        _record(request, infra_scaling, kind, text)
    if not infra_scaling.emulated:
        print(f"{text}\n(on the aws target the wall clock measures the total; the stages come from the emulation)")
        return
    stages = ("alarm", "scaling", "provisioning", "health checks") if kind == "scale-up" else \
        ("alarm", "scaling", "draining", "stopping")
    warm = "served by a running task" in text
    missing = [s for s in stages if f"  {s} " not in text]
    if missing and not warm:
        pytest.fail(f"the {kind} breakdown lacks the stage(s) {', '.join(missing)}:\n{text}", pytrace=False)
    print(text)
