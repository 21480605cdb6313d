"""Results of a build race and the readable report a failing check prints.

The report names the first failing schedule (the round, its jobs in start order with their jitter),
each failing build with its reason and last output lines, what was left behind, and the command and
API call that replay that round.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_infra_parity.chaos.artifacts import Artifact
from pytest_infra_parity.chaos.workspace import Leftover

if TYPE_CHECKING:
    from pytest_infra_parity.chaos.build_kill import KillPoint
    from pytest_infra_parity.chaos.builds import BuildRace
    from pytest_infra_parity.chaos.schedule import Schedule

CHECKS = ("succeeds", "identical", "leftovers")
TITLES = {"succeeds": "every build succeeds", "identical": "every build of a function produces identical bytes",
          "leftovers": "no lock or temporary file is left behind"}
_OUTPUT_LINES = 6


@dataclass
class BuildResult:
    function: str
    copy: int
    round: int
    """Round index; -1 for the reference build, -2 for the build after a kill."""
    jitter_ms: int
    out: Path
    returncode: int
    output: str
    seconds: float
    crash: str | None = None
    artifact: Artifact | None = None
    mismatch: list[str] = field(default_factory=list)
    temporaries: list[str] = field(default_factory=list)
    """Names left in the build's private ``TMPDIR``."""
    started: float | None = None
    """Seconds from the start of its round to the start of the build (after its jitter and any wait for a free
    slot), as measured; ``None`` when not measured (reference builds, builds after a kill)."""

    @property
    def label(self) -> str:
        copy = f"#{self.copy}" if self.copy else ""
        where = {-1: "reference build", -2: "build after the kill"}.get(self.round, f"round {self.round + 1}")
        return f"{self.function}{copy} ({where})"

    def failures(self) -> list[str]:
        """Why the build did not succeed: exit code, crash signature, no artifact."""
        found: list[str] = []
        if self.returncode != 0:
            found.append(f"exit {self.returncode}")
        if self.crash:
            found.append(f"printed {self.crash!r}")
        if self.artifact is None and self.returncode == 0:
            found.append(f"wrote no artifact at {self.out}")
        return found

    def problems(self, check: str) -> list[str]:
        if check == "succeeds":
            return self.failures()
        if check == "identical":
            return list(self.mismatch)
        if self.temporaries:
            return [f"left in its TMPDIR: {', '.join(self.temporaries)}"]
        return []

    def tail(self) -> list[str]:
        lines = [line for line in self.output.strip().splitlines() if line.strip()]
        return lines[-_OUTPUT_LINES:]


@dataclass
class KillResult:
    function: str
    delay: float
    """Seconds from the build's start to the kill (or to its end when it ended first)."""
    killed: bool
    """False when the build had already finished at the kill point."""
    recovery: BuildResult
    leftovers: list[Leftover]
    stale: list[str]
    """Files other than the artifact left next to it (temporary files of the killed build)."""
    point: KillPoint | None = None
    trigger: str = ""
    """What set the kill off: ``when .build.lock appeared``, ``at 45% of its reference duration``..."""

    @property
    def where(self) -> str:
        moment = self.trigger or "at a planned moment"
        if not self.killed:
            return f"after a build of {self.function} that ended ({self.delay:.2f}s) before its kill point ({moment})"
        return f"after a SIGKILL of a build of {self.function} {moment} ({self.delay:.2f}s in)"

    def problems(self, check: str) -> list[str]:
        where = self.where
        if check == "succeeds":
            return [f"{where}, the next build failed: {p}" for p in self.recovery.failures()]
        if check == "identical":
            return [f"{where}, the next build {p}" for p in self.recovery.mismatch]
        found = [f"{where}: {left.describe()}" for left in self.leftovers]
        found.extend(f"{where}: {name} next to the artifact" for name in self.stale)
        return found


@dataclass
class RaceReport:
    race: BuildRace
    schedule: Schedule
    out_dir: Path
    references: dict[str, BuildResult] = field(default_factory=dict)
    rounds: list[list[BuildResult]] = field(default_factory=list)
    kills: list[KillResult] = field(default_factory=list)
    leftovers: list[Leftover] = field(default_factory=list)
    seconds: float = 0.0
    kept: bool = True
    """Whether :attr:`out_dir` still exists (a failed race's folder is removed unless asked to keep it)."""

    @property
    def builds(self) -> list[BuildResult]:
        return [*self.references.values(), *(r for results in self.rounds for r in results)]

    def failing(self, check: str) -> list[BuildResult]:
        return [result for result in self.builds if result.problems(check)]

    def check_ok(self, check: str) -> bool:
        if self.failing(check) or any(kill.problems(check) for kill in self.kills):
            return False
        return not (check == "leftovers" and self.leftovers)

    @property
    def ok(self) -> bool:
        return all(self.check_ok(check) for check in CHECKS)

    def first_failing_round(self, check: str) -> int | None:
        for index, results in enumerate(self.rounds):
            if any(result.problems(check) for result in results):
                return index
        return None

    def replay_command(self, round_index: int | None) -> str:
        race = self.race
        text = self.schedule.encode() if round_index is None else self.schedule.round_text(round_index)
        source = str(race.functions_dir) if race.functions_dir else "<functions dir>"
        parts = ["infra-parity", "build-race", source, "--command", race.command, "--parallel",
                 str(race.parallel), "--schedule", text]
        if race.normalize_zip_times:
            parts.append("--normalize-zip-times")
        return f"cd {shlex.quote(str(race.workspace))} && " + " ".join(shlex.quote(p) for p in parts)

    def headline(self) -> str:
        counts = {check: len(self.failing(check)) for check in CHECKS[:2]}
        total = len(self.builds)
        state = "ok" if self.ok else "FAILED"
        kills_failed = sum(1 for kill in self.kills if any(kill.problems(c) for c in CHECKS))
        unkilled = sum(1 for kill in self.kills if not kill.killed)
        return (f"build race {state}: {total} builds of {len(self.race.functions)} functions "
                f"({len(self.rounds)} rounds, {self.race.parallel} in parallel"
                + (f", seed {self.schedule.seed}" if self.schedule.seed is not None else "")
                + f") in {self.seconds:.1f}s; {counts['succeeds']} failed, {counts['identical']} differ, "
                f"{len(self.leftovers)} left behind, {len(self.kills)} kill checks ({kills_failed} failed"
                + (f", {unkilled} ended before the kill" if unkilled else "") + ")")

    def describe(self, check: str | None = None) -> str:
        """The readable report (of one check, or of every check)."""
        checks = CHECKS if check is None else (check,)
        lines = [self.headline(), f"  command: {self.race.command}   (in {self.race.workspace})"]
        for name in checks:
            found = self._describe_check(name)
            if found:
                lines.append(f"check failed: {TITLES[name]}")
                lines.extend(found)
        if not self.ok:
            lines.append(f"  artifacts kept in {self.out_dir}" if self.kept else
                         "  artifacts removed (keep a failed race's artifacts and build outputs with --keep-failed, "
                         "or keep_failed=True)")
        return "\n".join(lines)

    def _describe_check(self, check: str) -> list[str]:
        lines: list[str] = []
        references = [r for r in self.references.values() if r.problems(check)]
        for result in references:
            lines.extend(_result_lines(result, check))
        first = self.first_failing_round(check)
        if first is not None:
            others = [i + 1 for i in range(first + 1, len(self.rounds))
                      if any(r.problems(check) for r in self.rounds[i])]
            lines.append(f"first failing schedule: round {first + 1} of {len(self.rounds)}: "
                         f"{self.schedule.round_text(first)}"
                         + (f" (seed {self.schedule.seed})" if self.schedule.seed is not None else ""))
            for result in self.rounds[first]:
                lines.extend(_result_lines(result, check))
            if others:
                lines.append(f"  other failing rounds: {', '.join(map(str, others[:20]))}")
            lines.append(f"  replay: {self.replay_command(first)}")
            text = self.schedule.round_text(first)
            lines.append(f"      or: pytest_infra_parity.chaos.builds.replay(race, {text!r})")
        for kill in self.kills:
            lines.extend(f"  {problem}" for problem in kill.problems(check))
        if check == "leftovers":
            lines.extend(f"  left behind in the workspace: {left.describe()}" for left in self.leftovers)
        return lines


def _result_lines(result: BuildResult, check: str) -> list[str]:
    problems = result.problems(check)
    if not problems:
        return []
    lines = [f"  {result.label}, started +{result.jitter_ms}ms: {'; '.join(problems)}"]
    if check == "succeeds":
        lines.extend(f"      | {line}" for line in result.tail())
    return lines
