"""The scaling controller refuses scenarios it cannot measure, with a sentence naming what to write."""

from __future__ import annotations

import math

import pytest

from pytest_infra_parity.sim.scaling_session import ScalingController

from .test_scaling_analysis import cityguided_like


def controller(warm: float | None = None) -> ScalingController:
    return ScalingController(load=cityguided_like, clients=None, expected={}, design="cg", warm_rate=lambda: warm)


@pytest.mark.parametrize("minutes", [0.0, -5.0, math.nan, math.inf])
def test_an_idle_window_must_last_a_positive_finite_time(minutes: float) -> None:
    with pytest.raises(ValueError, match="idle for a positive number of minutes"):
        controller().receive_no_requests(minutes)


def test_scale_to_zero_needs_a_last_request() -> None:
    with pytest.raises(ValueError, match=r"no last request to measure from.*Given a steady traffic of"):
        controller(warm=0.0).receive_no_requests(10)


@pytest.mark.parametrize(("rate", "minutes", "message"), [
    (math.inf, 30.0, "positive rate"), (math.nan, 30.0, "positive rate"), (0.0, 30.0, "positive rate"),
    (0.1, -1.0, "idle window"), (0.1, math.nan, "idle window")])
def test_requests_after_idle_need_finite_figures(rate: float, minutes: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        controller().requests_after_idle(rate, minutes)


def test_a_breakdown_names_the_step_its_scenario_lacks() -> None:
    with pytest.raises(ValueError, match="start with 'When requests arrive at <r> per second after <n> idle minutes'"):
        controller().breakdown("scale-up")
    with pytest.raises(ValueError, match="start with 'When the service receives no requests for <n> minutes'"):
        controller().breakdown("scale-to-zero")


def test_a_valid_idle_window_is_measured() -> None:
    scaling = controller(warm=5 / 60)
    scaling.receive_no_requests(10)
    verdict = scaling.check_zero(0, 8)
    assert verdict.passed and "scale to zero tasks: median" in verdict.message
