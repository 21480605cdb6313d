"""The scaling emulation's timeline as a table: one row per minute, the scaling activities in between.

Each row gives the requests of the minute (answered by a task / answered 5xx by the load balancer), the
service's desired, running and pending tasks and healthy targets at the end of the minute, and the state
of every alarm that acts on a scaling policy. What a failing scaling step prints.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pytest_infra_parity.sim.alarm_spec import INSUFFICIENT_DATA
from pytest_infra_parity.sim.scaling_model import Sample, ScalingModel

__all__ = ["render_timeline", "short_alarm_names"]

_STATE = {"OK": "OK", "ALARM": "ALARM", INSUFFICIENT_DATA: "INSUF"}


def short_alarm_names(names: Sequence[str]) -> dict[str, str]:
    """Column titles: ``tt-high``/``tt-low`` for target tracking alarms, else the name without the common prefix."""
    plain = [n.split("-") for n in names if not n.startswith("TargetTracking-")]
    shared = 0
    while len(plain) > 1 and all(len(p) > shared + 1 and p[shared] == plain[0][shared] for p in plain):
        shared += 1
    prefix = "-".join(plain[0][:shared]) + "-" if shared else ""
    out = {}
    for name in names:
        if name.startswith("TargetTracking-"):
            out[name] = "tt-high" if "AlarmHigh" in name else "tt-low"
        else:
            out[name] = name[len(prefix):][:18] or name[:18]
    return out


def _state_at(model: ScalingModel, name: str, at: float) -> str:
    state = INSUFFICIENT_DATA
    for event in model.clock.timeline.of_kind("alarm", name):
        if event.at > at:
            break
        state = str(event.detail.get("new", state))
    return _STATE.get(state, state)


def _sample_at(model: ScalingModel, at: float) -> Sample | None:
    found = None
    for sample in model.samples:
        if sample.at > at:
            break
        found = sample
    return found


def _requests(model: ScalingModel, start: float, end: float) -> tuple[int, int]:
    ok = sum(s.ok for s in model.slices if start <= s.start < end)
    errors = sum(s.errors for s in model.slices if start <= s.start < end)
    return ok, errors


def render_timeline(model: ScalingModel, start: float, end: float, *, max_rows: int = 60) -> str:
    """Rows for the minutes from ``start`` to ``end`` (virtual seconds), at most ``max_rows`` of them."""
    acting = [w.name for w in model.alarms.watched if w.actions("ALARM")]
    titles = short_alarm_names(acting)
    first = math.floor(start / 60.0)
    last = max(first + 1, math.ceil(end / 60.0))
    if last - first > max_rows:
        first = last - max_rows
    header = f"{'time':<8} {'ok':>5} {'5xx':>5} {'desired':>7} {'running':>7} {'pending':>7} {'healthy':>7}  " + \
        "  ".join(f"{titles[n]:<{max(8, len(titles[n]))}}" for n in acting)
    lines = [header.rstrip()]
    activities = [e for e in model.clock.timeline.of_kind("activity") if first * 60 <= e.at < last * 60]
    for minute in range(first, last):
        lo, hi = minute * 60.0, (minute + 1) * 60.0
        for event in (e for e in activities if lo <= e.at < hi):
            stamp = model.clock.at_datetime(event.at).strftime("%H:%M:%S")
            lines.append(f"  {stamp} {event.subject}: {event.detail.get('old', '')} -> {event.detail.get('new', '')} "
                         f"{event.detail.get('status', '')} ({event.detail.get('cause', '')})")
        sample = _sample_at(model, hi - 1e-6)
        ok, errors = _requests(model, lo, hi)
        counts = (sample.desired, sample.running, sample.pending, sample.healthy) if sample else (0, 0, 0, 0)
        stamp = model.clock.at_datetime(lo).strftime("%H:%M")
        row = f"{stamp:<8} {ok:>5} {errors:>5} " + " ".join(f"{c:>7}" for c in counts) + "  " + \
            "  ".join(f"{_state_at(model, n, hi - 1e-6):<{max(8, len(titles[n]))}}" for n in acting)
        lines.append(row.rstrip())
    return "\n".join(lines)
