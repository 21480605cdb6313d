"""Report evidence of a feature-flag rollout: the share of clients AppConfig serves the new value over time.

``flag_section(outcome, expected)`` turns an emulated AppConfig deployment
(:class:`~pytest_infra_parity.sim.canary_flags.FlagOutcome`) into the ``flag`` section: the share as a
step series (AppConfig moves it at each step of the strategy's growth and holds it in between: "Working
with deployment strategies", AppConfig user guide), and the points the scenario's steps expect
(``<p>% of clients see it after <m> minutes``), green when the emulation meets them, red when not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pytest_infra_parity.report.from_canary import mmss
from pytest_infra_parity.report.model import Cell, Chart, Figure, Marker, Section, Series, Tone, table

if TYPE_CHECKING:
    from pytest_infra_parity.sim.canary_flags import FlagOutcome

__all__ = ["TOLERANCE_PCT", "flag_section"]

TOLERANCE_PCT = 0.005
"""How close a share must be to an expected one (the steps' tolerance)."""
_STATE_TONE: dict[str, Tone] = {"COMPLETE": "good", "ROLLED_BACK": "bad"}


def _share_points(outcome: FlagOutcome, origin: float) -> list[tuple[float, float]]:
    d = outcome.deployment
    points = [(at - origin, share) for at, share in d.history]
    end = (d.ended_at - origin) if d.ended_at is not None else (points[-1][0] if points else 0.0)
    if points and end > points[-1][0]:
        points.append((end, points[-1][1]))
    return points


def _markers(outcome: FlagOutcome, origin: float) -> tuple[Marker, ...]:
    d = outcome.deployment
    markers = []
    full = next((at for at, share in d.history if share >= 100.0), None)
    if full is not None:
        markers.append(Marker(full - origin, "100% of clients"))
    for event in outcome.events:
        if event.kind == "appconfig" and event.detail.get("state") == "ROLLED_BACK":
            markers.append(Marker(event.at - origin, "rolled back", "bad"))
    if d.ended_at is not None and d.state == "COMPLETE":
        markers.append(Marker(d.ended_at - origin, "complete (after the bake time)", "good"))
    return tuple(markers)


def flag_section(outcome: FlagOutcome, expected: Sequence[tuple[float, float]] = ()) -> Section:
    """The ``flag`` section; ``expected`` holds the steps' ``(minutes, percent)`` points."""
    d = outcome.deployment
    origin = d.started_at or 0.0
    met = [(60.0 * m, pct) for m, pct in expected if abs(outcome.percentage_after(m) - pct) <= TOLERANCE_PCT]
    missed = [(60.0 * m, pct) for m, pct in expected if abs(outcome.percentage_after(m) - pct) > TOLERANCE_PCT]
    series = [Series("clients served the new value", tuple(_share_points(outcome, origin)), style="step")]
    if met:
        series.append(Series("expected by the scenario (met)", tuple(met), style="scatter", tone="good"))
    if missed:
        series.append(Series("expected by the scenario (missed)", tuple(missed), style="scatter", tone="bad"))
    chart = Chart("xy", f"Clients served the new value of {outcome.flag}", x_label="time from the deployment start",
                  y_label="clients (%)", x_is_time=True, series=tuple(series),
                  markers=_markers(outcome, origin))
    rows = [(Cell(f"{m:g} min"), Cell(f"{pct:g}%"), Cell(f"{outcome.percentage_after(m):g}%",
                                                          "good" if abs(outcome.percentage_after(m) - pct)
                                                          <= TOLERANCE_PCT else "bad"))
            for m, pct in expected]
    figures = [Figure("flag.state", d.state, label="deployment", tone=_STATE_TONE.get(d.state, "warn")),
               Figure("flag.final_pct", round(d.percentage, 3), "%", "clients at the end")]
    full = next((at for at, share in d.history if share >= 100.0), None)
    if full is not None:
        figures.append(Figure("flag.full_after_s", round(full - origin, 1), "s", "all clients after"))
    reached = "" if full is None else f", all clients after {mmss(full - origin)}"
    summary = (f"Flag {outcome.flag} rolled out with {d.strategy.name}: {d.state}{reached}"
               + (f"; {len(missed)} of {len(expected)} expected shares missed." if missed else "."))
    return Section(kind="flag", title=f"Flag {outcome.flag} rolled out with {d.strategy.name}",
                   verdict=_STATE_TONE.get(d.state, "neutral"), summary=summary, figures=tuple(figures),
                   tables=(table("Expected shares", ("after", "expected", "emulated"), rows),) if rows else (),
                   charts=(chart,), text=outcome.describe())
