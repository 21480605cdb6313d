"""A readable timeline of an emulated rollout: alias weights, traffic, alarm values and states, events."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pytest_infra_parity.sim.canary_watch import WatchedAlarm
from pytest_infra_parity.sim.clock import Event

if TYPE_CHECKING:
    from pytest_infra_parity.sim.canary_run import CanaryOutcome

__all__ = ["alarm_summary", "clock_offset", "format_outcome"]

_OPERATORS = {"GreaterThanThreshold": ">", "GreaterThanOrEqualToThreshold": ">=", "LessThanThreshold": "<",
              "LessThanOrEqualToThreshold": "<="}


def clock_offset(seconds: float) -> str:
    """``+03:00`` / ``-07:00``: minutes and seconds from the deployment start."""
    sign = "-" if seconds < 0 else "+"
    whole = round(abs(seconds))
    return f"{sign}{whole // 60:02d}:{whole % 60:02d}"


def alarm_summary(alarm: WatchedAlarm) -> list[str]:
    """What an alarm compares, how many periods it needs, and the metrics it reads."""
    spec = alarm.spec
    watched = next((str(q.expression) for q in spec.metrics if q.id == spec.return_id and q.expression),
                   spec.return_id or spec.metric_name or "?")
    lines = [f"alarm {alarm.name}: {watched} {_OPERATORS.get(spec.comparison_operator, spec.comparison_operator)} "
             f"{spec.threshold:g}, {spec.datapoints_to_alarm} of {spec.evaluation_periods} periods of "
             f"{spec.period} s, TreatMissingData {spec.missing_data_treatment}"]
    lines += [f"    {ref.id or 'metric'}: {ref.describe()}" for ref in alarm.refs]
    return lines


def _value(value: Any) -> str:
    return "-" if value is None else f"{value:.4f}"


def _count(value: float) -> str:
    return f"{value:.1f}" if value != int(value) else f"{int(value)}"


def _header(outcome: CanaryOutcome) -> list[str]:
    r = outcome.rollout
    label = f" (rollout {r.label!r})" if r.label and r.label != r.new_version else ""
    spec = outcome.traffic
    source = f", {spec.source}" if spec.source else ""
    lines = [f"CodeDeploy deployment {r.deployment_id} with {r.config.describe()}",
             f"  {r.function}:{r.alias}: version {r.old_version} -> {r.new_version}{label}; the new version fails "
             f"{r.failure_rate:.2%} of its requests, the old one {spec.baseline_error_rate:.2%}",
             f"  traffic: {spec.requests_per_second:g} requests/s, {spec.arrivals} arrivals{source}"]
    if not outcome.alarms:
        lines.append("  the deployment group watches no alarm")
    for alarm in outcome.alarms:
        lines += ["  " + line for line in alarm_summary(alarm)]
    return lines


def _result(outcome: CanaryOutcome) -> str:
    start = outcome.started_at
    ended = "" if outcome.ended_at is None else f" at {clock_offset(outcome.ended_at - start)}"
    if outcome.status == "Succeeded":
        return f"result: Succeeded{ended}: all traffic on version {outcome.rollout.new_version}, no alarm fired"
    if outcome.status in ("Stopped", "Failed"):
        back = outcome.rollback_after
        rolled = (f"; rolled back to version {outcome.rollout.old_version} at {clock_offset(back)}"
                  if back is not None else "; NOT rolled back (no automatic rollback for this event)")
        return f"result: {outcome.status}{ended} by alarm {outcome.stopped_by}{rolled}"
    return f"result: {outcome.status}{ended} (the deployment did not finish in the emulated time)"


def _event_line(event: Event, start: float, versions: tuple[str, str]) -> str | None:
    when = clock_offset(event.at - start)
    detail = event.detail
    if event.kind in ("traffic-shift", "rollback"):
        weights = detail.get("weights", {})
        shown = " / ".join(f"v{v} {weights.get(v, 0.0):.0%}" for v in versions)
        what = "traffic shift" if event.kind == "traffic-shift" else f"ROLLBACK ({detail.get('deployment')})"
        return f"  {when}  {what}: {shown}"
    if event.kind == "alarm":
        return f"  {when}  alarm {event.subject}: {detail['old']} -> {detail['new']} ({detail['reason']})"
    if event.kind == "deployment":
        extra = f": {detail['message']}" if "message" in detail else ""
        return f"  {when}  deployment {event.subject} {detail['status']}{extra}"
    if event.kind in ("hook", "note"):
        text = detail.get("text") or f"{detail.get('lifecycle_event')} hook {detail.get('function')} " \
                                      f"{detail.get('status')}"
        return f"  {when}  {text}"
    return None


def _rows(outcome: CanaryOutcome, versions: tuple[str, str]) -> Iterable[str]:
    start = outcome.started_at
    evals: dict[tuple[float, str], Event] = {(e.at, e.subject): e for e in outcome.events if e.kind == "alarm-eval"}
    others = [e for e in outcome.events if e.kind not in ("alarm-eval", "traffic", "metric")]
    old, new = versions
    names = [a.name for a in outcome.alarms]
    yield (f"  {'time':>6}  {'v' + old + ' %':>6} {'v' + new + ' %':>6}  {'inv v' + old:>8} {'inv v' + new:>8}  "
           f"{'err v' + old:>7} {'err v' + new:>7}" + "".join(f" | {'alarm ' + str(i + 1):>8} {'state':<5}"
                                                                 for i in range(len(names))))
    pending = list(others)
    for period in outcome.periods:
        while pending and pending[0].at < period.end:
            line = _event_line(pending.pop(0), start, versions)
            if line:
                yield line
        w, n, e = period.weights, period.invocations, period.errors
        row = (f"  {clock_offset(period.end - start):>6}  {w.get(old, 0.0):>6.0%} {w.get(new, 0.0):>6.0%}  "
               f"{_count(n.get(old, 0.0)):>8} {_count(n.get(new, 0.0)):>8}  {_count(e.get(old, 0.0)):>7} "
               f"{_count(e.get(new, 0.0)):>7}")
        for name in names:
            ev = evals.get((period.end, name))
            row += f" | {_value(ev.detail['value']) if ev else '':>8} {ev.detail['state'] if ev else '':<5}"
        yield row
    for event in pending:
        line = _event_line(event, start, versions)
        if line:
            yield line


def format_outcome(outcome: CanaryOutcome) -> str:
    """The whole report: header, result, and the per-period timeline (times relative to the start)."""
    versions = (outcome.rollout.old_version, outcome.rollout.new_version)
    lines = _header(outcome)
    lines.append(_result(outcome))
    lines += [f"note: {note}" for note in outcome.notes]
    lines.append("timeline (each row is the period ending at that time; alarm values are the newest datapoint "
                 "of each evaluation, states after it):")
    lines += list(_rows(outcome, versions))
    if len(outcome.alarms) > 1:
        lines += [f"  alarm {i + 1} = {a.name}" for i, a in enumerate(outcome.alarms)]
    return "\n".join(lines)
