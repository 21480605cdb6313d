"""Design analysis: which canary error rates a deployment group's alarms can catch, with numbers and why.

Three things decide it, and the analysis reports each:

1. *What the alarm sees.* Lambda publishes invocation metrics per function, per alias (Resource) and per
   alias + executed version (:mod:`.traffic`). An alarm on FunctionName alone sees every version: during a
   canary at weight *w* its error rate is (1 - w) x b + w x p (b the old version's rate, p the canary's),
   so the threshold T is crossed only when p > (T - (1 - w) x b) / w (2 % / 10 % = 20 % for huntaze). An
   alarm on the ExecutedVersion of the new version sees p itself.
2. *Time.* CodeDeploy watches the alarms only while the deployment runs: the alarm must reach ALARM (M of
   N periods breaching) before the last traffic shift. A canary shorter than M periods can never be
   caught, however badly it fails.
3. *Noise.* Counts are random; at low traffic a period holds a handful of canary invocations.

The noise-free threshold comes from running the emulation on expected counts; the smallest *detectable*
rate is the smallest canary error rate rolled back in at least ``confidence`` (95 %) of ``runs`` seeded
emulated deployments, found by bisection to ``resolution``. Both use the real alarm definitions, the
deployment configuration, the evaluator's M-of-N and missing-data rules and the traffic rate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from pytest_infra_parity.sim.canary_run import Rollout, run_rollout
from pytest_infra_parity.sim.canary_watch import MetricRef, WatchedAlarm
from pytest_infra_parity.sim.clock import VirtualClock
from pytest_infra_parity.sim.codedeploy import ALL_AT_ONCE, CANARY
from pytest_infra_parity.sim.traffic import LAMBDA_NAMESPACE, TrafficSpec

__all__ = ["DetectionAnalysis", "alarm_coverage", "analyze_detection", "detection_probability"]


@dataclass(frozen=True)
class DetectionAnalysis:
    """Whether a canary failing ``failure_rate`` of its requests is caught, and the smallest rate that is."""

    failure_rate: float
    probability: float
    runs: int
    confidence: float
    noise_free_threshold: float | None
    smallest_detectable: float | None
    explanation: tuple[str, ...] = field(default_factory=tuple)
    curve: tuple[tuple[float, float], ...] = ()
    """``(canary error rate, share of runs rolled back)`` at every rate the search for the smallest detectable
    rate measured, by rate: the detection curve, at no extra cost."""

    @property
    def detected(self) -> bool:
        return self.probability >= self.confidence

    def describe(self) -> str:
        verdict = "detected" if self.detected else "NOT detected"
        head = (f"a canary failing {self.failure_rate:.2%} of its requests is {verdict}: rolled back in "
                f"{round(self.probability * self.runs)} of {self.runs} emulated deployments "
                f"({self.probability:.0%}; the criterion is {self.confidence:.0%})")
        smallest = ("no canary error rate, not even 100%, is rolled back that reliably"
                    if self.smallest_detectable is None else
                    f"smallest detectable canary error rate: {self.smallest_detectable:.1%}")
        noise_free = ("noise-free (expected counts): never rolled back" if self.noise_free_threshold is None else
                      f"noise-free (expected counts): rolled back above {self.noise_free_threshold:.1%}")
        return "\n".join([head, smallest, noise_free, "why:", *(f"  - {line}" for line in self.explanation)])


def _coverage(ref: MetricRef, function: str, alias: str, new: str, old: str) -> tuple[str, str]:
    keys = dict(ref.dims)
    if ref.namespace != LAMBDA_NAMESPACE or ref.metric_name not in ("Invocations", "Errors"):
        return "none", "a metric the traffic model does not produce (always missing here)"
    if not keys:
        return "function", "every function of the region (no dimension)"
    if keys.get("FunctionName") != function:
        return "none", f"another function ({keys.get('FunctionName')}): no datapoint"
    resource = keys.get("Resource")
    if set(keys) == {"FunctionName"}:
        return "function", "the whole function: every version and alias (FunctionName only)"
    if set(keys) == {"FunctionName", "Resource"} and resource == f"{function}:{alias}":
        return "function", f"every version behind the alias {alias} (Resource {resource})"
    if set(keys) == {"FunctionName", "Resource", "ExecutedVersion"} and resource == f"{function}:{alias}":
        version = keys["ExecutedVersion"]
        if version == new:
            return "new", f"the new version only (ExecutedVersion {version} through {alias})"
        if version == old:
            return "old", f"the old version only (ExecutedVersion {version}): never the canary"
        return "none", f"version {version}, which takes no traffic in this deployment"
    return "none", "a dimension set Lambda does not publish for alias traffic (" + \
        ", ".join(f"{k}={v}" for k, v in sorted(keys.items())) + "): no datapoint"


def alarm_coverage(alarm: WatchedAlarm, function: str, alias: str, new: str, old: str) -> list[tuple[str, str]]:
    """``(kind, text)`` for each metric of the alarm: kind ``function``, ``new``, ``old`` or ``none``."""
    return [_coverage(ref, function, alias, new, old) for ref in alarm.refs]


def _run(rollout: Rollout, spec: TrafficSpec, alarms: Sequence[WatchedAlarm], failure_rate: float, seed: int,
         delay: float) -> bool:
    copies = [WatchedAlarm(a.definition, a.spec, a.refs, "OK") for a in alarms]
    outcome = run_rollout(VirtualClock(seed=seed), spec, replace(rollout, failure_rate=failure_rate), copies,
                          delay=delay, record=False)
    return outcome.status == "Stopped"


def detection_probability(rollout: Rollout, spec: TrafficSpec, alarms: Sequence[WatchedAlarm], failure_rate: float,
                          *, seed: int, runs: int, delay: float = 0.0) -> float:
    """The share of ``runs`` seeded emulated deployments an alarm stops at this canary error rate."""
    hits = sum(_run(rollout, spec, alarms, failure_rate, seed * 100_003 + i, delay) for i in range(runs))
    return hits / runs


def _bisect(holds: Callable[[float], bool], resolution: float) -> float | None:
    """The smallest p in [0, 1] (to ``resolution``) for which ``holds`` is true, assuming monotony."""
    if not holds(1.0):
        return None
    low, high = 0.0, 1.0
    while high - low > resolution:
        middle = (low + high) / 2
        if holds(middle):
            high = middle
        else:
            low = middle
    return high


def _explain_alarm(alarm: WatchedAlarm, rollout: Rollout, spec: TrafficSpec, weight: float) -> list[str]:
    a = alarm.spec
    kinds = alarm_coverage(alarm, rollout.function, rollout.alias, rollout.new_version, rollout.old_version)
    seen = "; ".join(f"{ref.id or 'metric'} sees {text}" for ref, (_, text) in zip(alarm.refs, kinds, strict=True))
    lines = [f"{alarm.name}: {seen}"]
    kind_set = {kind for kind, _ in kinds}
    threshold = a.threshold if a.threshold is not None else 0.0
    if kind_set == {"function"} and 0 < weight < 1:
        needed = (threshold - (1 - weight) * spec.baseline_error_rate) / weight
        lines.append(f"{alarm.name} dilutes the canary: at {weight:.0%} of the traffic it sees "
                     f"{1 - weight:.2f} x {spec.baseline_error_rate:.2%} + {weight:.2f} x p, which exceeds "
                     f"{threshold:g} only when p > {needed:.1%}")
    elif kind_set == {"new"}:
        lines.append(f"{alarm.name} compares the canary's own rate with {threshold:g}: no dilution by the old version")
    elif "none" in kind_set:
        lines.append(f"{alarm.name} reads metrics with no datapoint during the deployment")
    return lines


def _explain_timing(rollout: Rollout, alarms: Sequence[WatchedAlarm], delay: float) -> list[str]:
    config = rollout.config
    if config.type == ALL_AT_ONCE:
        return [f"{config.name} moves all traffic at once and the deployment ends at that instant: no alarm "
                "can stop it (only an alarm already in ALARM at the start)"]
    window = config.duration if config.type != CANARY else 60.0 * config.interval_minutes
    lines = []
    for alarm in alarms:
        a = alarm.spec
        periods = int((window - delay) // a.period)
        verdict = "enough" if periods >= a.datapoints_to_alarm else "TOO FEW: the alarm cannot fire in time"
        lines.append(f"{alarm.name} needs {a.datapoints_to_alarm} breaching of {a.evaluation_periods} periods of "
                     f"{a.period} s; the deployment is watched for {window / 60:g} min before the last shift = "
                     f"{periods} complete periods ({verdict})")
    return lines


def analyze_detection(rollout: Rollout, spec: TrafficSpec, alarms: Sequence[WatchedAlarm], failure_rate: float, *,
                      seed: int = 0, runs: int = 100, confidence: float = 0.95, resolution: float = 0.0025,
                      delay: float = 0.0) -> DetectionAnalysis:
    """Run the analysis for a canary failing ``failure_rate`` of its requests (see the module docstring)."""
    weight = rollout.config.shifts()[0][1]
    expected = replace(spec, arrivals="expected")
    noise_free = _bisect(lambda p: _run(rollout, expected, alarms, p, seed, delay), min(resolution, 0.0005))
    curve: dict[float, float] = {}

    def share(p: float) -> float:
        if p not in curve:
            curve[p] = detection_probability(rollout, spec, alarms, p, seed=seed, runs=runs, delay=delay)
        return curve[p]

    probability = share(failure_rate)
    smallest = _bisect(lambda p: share(p) >= confidence, resolution)
    explanation = [f"{rollout.config.describe()}: the new version first receives {weight:.0%} of the traffic"]
    for alarm in alarms:
        explanation += _explain_alarm(alarm, rollout, spec, weight)
    explanation += _explain_timing(rollout, alarms, delay)
    if not rollout.settings.alarms_enabled:
        explanation.append("the deployment group has no (enabled) alarm: CodeDeploy never stops the deployment")
    per_minute = 60 * spec.requests_per_second * weight
    explanation.append(f"at {spec.requests_per_second:g} requests/s the canary receives about {per_minute:.1f} "
                       f"invocations per minute ({spec.arrivals} arrivals): that sets how noisy each period is")
    return DetectionAnalysis(failure_rate, probability, runs, confidence, noise_free, smallest, tuple(explanation),
                             tuple(sorted(curve.items())))
