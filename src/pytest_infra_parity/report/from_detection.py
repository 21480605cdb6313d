"""Report evidence of the canary detection analysis: how often the emulated runs rolled a canary back.

A scenario's detection steps each measure the share of seeded emulated deployments rolled back at one
canary error rate (:meth:`~pytest_infra_parity.sim.canary_controller.CanaryController.detection_probability`),
or run the whole analysis (:class:`~pytest_infra_parity.sim.canary_analysis.DetectionAnalysis`: that share,
the smallest rate rolled back in 95 % of the runs, the noise-free threshold). :class:`DetectionEvidence`
gathers what the steps measured; ``detection_section(evidence)`` is the ``detection`` section: the
measured shares against the canary's error rate, with the alarm's threshold (what the design calls its
criterion) and the 95 % line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pytest_infra_parity.report.model import Chart, Figure, Marker, Section, Series, Threshold, Tone

if TYPE_CHECKING:
    from pytest_infra_parity.sim.canary_analysis import DetectionAnalysis

__all__ = ["DetectionEvidence", "detection_section"]


@dataclass
class DetectionEvidence:
    """What a scenario's detection steps measured, in the order they ran."""

    criterion: float | None = None
    """The alarm threshold as a rate (0.02 for 2 %), when the group's alarm compares a rate."""
    confidence: float = 0.95
    runs: int = 0
    measured: dict[float, float] = field(default_factory=dict)
    """Canary error rate -> share of the runs rolled back."""
    analysis: DetectionAnalysis | None = None
    """The latest full analysis."""
    curve: dict[float, float] = field(default_factory=dict)
    """Every rate the analyses' search measured -> share rolled back (the detection curve)."""
    asked: float | None = None
    """The error rate of the latest step."""

    def add_probability(self, failure_rate: float, probability: float, runs: int) -> None:
        self.measured[failure_rate] = probability
        self.runs, self.asked = runs, failure_rate

    def add_analysis(self, analysis: DetectionAnalysis) -> None:
        self.analysis, self.confidence = analysis, analysis.confidence
        self.curve.update(analysis.curve)
        self.add_probability(analysis.failure_rate, analysis.probability, analysis.runs)


def _pct(rate: float) -> float:
    return round(100.0 * rate, 4)


def _pct3(rate: float) -> float:
    """A rate as a percentage to 3 significant digits (``0.020017`` -> ``2.0``, ``0.23834`` -> ``23.8``)."""
    return float(f"{100.0 * rate:.3g}")


def _share_tone(evidence: DetectionEvidence, rate: float, share: float) -> Tone:
    """Good when the runs did what the alarm's criterion asks at ``rate``: roll back a canary failing at least
    the threshold in ``confidence`` of the runs, let one failing less through in as many (not rolling back
    a 0.5 % canary under a 2 % alarm is right); ``warn`` otherwise."""
    if evidence.criterion is not None and rate < evidence.criterion:
        return "good" if share <= 1.0 - evidence.confidence else "warn"
    return "good" if share >= evidence.confidence else "warn"


def _markers(evidence: DetectionEvidence) -> tuple[Marker, ...]:
    markers = []
    if evidence.criterion is not None:
        markers.append(Marker(_pct(evidence.criterion), f"alarm threshold {_pct(evidence.criterion):g}%"))
    analysis = evidence.analysis
    if analysis is not None and analysis.noise_free_threshold is not None:
        markers.append(Marker(_pct(analysis.noise_free_threshold),
                              f"noise-free threshold {_pct(analysis.noise_free_threshold):.3g}%"))
    if analysis is not None and analysis.smallest_detectable is not None:
        markers.append(Marker(_pct(analysis.smallest_detectable),
                              f"smallest detectable {_pct(analysis.smallest_detectable):.3g}%", "good"))
    return tuple(markers)


def _figures(evidence: DetectionEvidence) -> tuple[Figure, ...]:
    figures: list[Figure] = []
    analysis = evidence.analysis
    if analysis is not None and analysis.smallest_detectable is not None:
        figures.append(Figure("detection.smallest_pct", _pct3(analysis.smallest_detectable), "%",
                              f"smallest error rate rolled back in {evidence.confidence:.0%} of runs"))
    if analysis is not None and analysis.noise_free_threshold is not None:
        figures.append(Figure("detection.noise_free_pct", _pct3(analysis.noise_free_threshold), "%",
                              "noise-free threshold"))
    if evidence.asked is not None:
        share = evidence.measured[evidence.asked]
        figures.append(Figure("detection.probability_pct", _pct3(share), "%",
                              f"runs rolled back at {_pct3(evidence.asked):g}%",
                              _share_tone(evidence, evidence.asked, share)))
    if evidence.runs:
        figures.append(Figure("detection.runs", evidence.runs, label="seeded runs per rate"))
    return tuple(figures)


def _summary(evidence: DetectionEvidence) -> str:
    measured = ", ".join(f"{_pct(rate):g}% in {100 * share:.0f}%" for rate, share in sorted(evidence.measured.items()))
    head = f"Canaries rolled back ({evidence.runs} seeded runs per rate): {measured or 'nothing measured'}"
    analysis = evidence.analysis
    if analysis is None:
        return head + "."
    if analysis.smallest_detectable is None:
        return head + f"; no error rate is rolled back in {evidence.confidence:.0%} of the runs."
    return head + (f"; {_pct(analysis.smallest_detectable):.3g}% and above are rolled back in "
                   f"{evidence.confidence:.0%} of the runs.")


def _curve(evidence: DetectionEvidence) -> tuple[Series, ...]:
    """The rates the search for the smallest detectable rate tried, as a curve (none without an analysis)."""
    if not evidence.curve:
        return ()
    points = tuple((_pct(rate), round(100.0 * share, 4)) for rate, share in sorted(evidence.curve.items()))
    return (Series("rates the analysis tried", points, style="line", tone="neutral"),)


def detection_section(evidence: DetectionEvidence | DetectionAnalysis) -> Section:
    """The ``detection`` section of the measured shares (or of one analysis)."""
    if not isinstance(evidence, DetectionEvidence):
        single = DetectionEvidence()
        single.add_analysis(evidence)
        evidence = single
    points = tuple((_pct(rate), round(100.0 * share, 4)) for rate, share in sorted(evidence.measured.items()))
    chart = Chart("xy", "Share of emulated deployments rolled back", x_label="canary error rate (%)",
                  y_label="runs rolled back (%)", y_max=100.0,
                  series=(Series(f"measured ({evidence.runs} seeded runs per rate)", points), *_curve(evidence)),
                  thresholds=(Threshold(100.0 * evidence.confidence, f"{evidence.confidence:.0%} of runs"),),
                  markers=_markers(evidence))
    analysis = evidence.analysis
    verdict: Tone = "neutral" if analysis is None else ("good" if analysis.detected else "bad")
    return Section(kind="detection", title="Canary detection analysis", verdict=verdict, summary=_summary(evidence),
                   figures=_figures(evidence), charts=(chart,),
                   text="" if analysis is None else analysis.describe())
