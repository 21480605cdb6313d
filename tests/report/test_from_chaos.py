"""Chaos evidence: a real small build race, state locks and a killed deployment turned into report sections."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pytest_infra_parity.chaos.builds import BuildRace, race_functions
from pytest_infra_parity.chaos.kill import KillOutcome
from pytest_infra_parity.chaos.lock_formats import SST, TERRAFORM_DYNAMODB, StateLock
from pytest_infra_parity.report.from_chaos import (
    LockEvidence,
    build_race_section,
    kill_section,
    locks_section,
    shown_round,
)
from pytest_infra_parity.report.model import Section

BUILD = """\
import os, pathlib, sys, time, zipfile
function, src, out = sys.argv[1:4]
counter = pathlib.Path(os.environ["COUNTER"])
with counter.open("a") as handle:
    handle.write("x\\n")
count = len(counter.read_text().splitlines())
if count > int(os.environ.get("FAIL_AFTER", "1000")):
    print("fatal error: concurrent map writes")
    sys.exit(3)
part = pathlib.Path(f"{out}.{os.getpid()}.part")
part.write_text("partial")
time.sleep(float(os.environ.get("HOLD", "0")))
body = pathlib.Path(src, "app.py").read_text() + (str(count) if os.environ.get("VARY") else "")
with zipfile.ZipFile(part, "w") as archive:
    archive.writestr(zipfile.ZipInfo("app.py", (1980, 1, 1, 0, 0, 0)), body)
part.rename(out)
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """``project/functions/{api,worker}`` and the build script (outside the workspace: not a leftover)."""
    for name in ("api", "worker"):
        folder = tmp_path / "project" / "functions" / name
        folder.mkdir(parents=True)
        (folder / "app.py").write_text(f"NAME = {name!r}\n")
    (tmp_path / "build.py").write_text(BUILD)
    return tmp_path


def race(project: Path, **env: str) -> BuildRace:
    functions = project / "project" / "functions"
    command = f"{sys.executable} {project / 'build.py'} {{function}} {{src}} {{out}}"
    return BuildRace(command, {p.name: p for p in sorted(functions.iterdir())}, functions.parent, parallel=2,
                     out_dir=project / "out", functions_dir=functions, max_jitter_ms=5,
                     env={"COUNTER": str(project / "counter"), **env})


def figures(section: Section) -> dict[str, Any]:
    return {f.name: f.value for f in section.figures}


def test_the_gantt_shows_the_first_failing_round_with_its_failing_spans_bad(project: Path) -> None:
    # 2 reference builds and round 1 (2 builds) pass; every build from the 5th on fails: round 2 is the first.
    report = race_functions(race(project, FAIL_AFTER="4"), rounds=3, seed=5)
    section = build_race_section(report)
    assert section.kind == "build-race" and section.verdict == "bad"
    assert figures(section) == {"build_race.rounds": 3, "build_race.builds": 8, "build_race.failures": 4,
                                "build_race.identical": "yes"}
    assert shown_round(report) == 1
    assert section.title == "Parallel builds: 3 rounds x 2 builds"
    assert section.summary.endswith(f"build command: {report.race.command}") and "{function}" in section.summary
    chart = section.charts[0]
    assert chart.kind == "gantt" and chart.title == "Schedule of round 2 (first failure)"
    jobs = report.schedule.rounds[1]
    order = ", ".join(f"{job.function}{f'#{job.copy}' if job.copy else ''} +{job.jitter_ms} ms" for job in jobs)
    assert section.text.splitlines()[0].startswith(f"schedule of round 2 of 3, start order (jitter): {order}; seed 5")
    assert sorted(span.lane for span in chart.spans) == ["api", "worker"]
    for span in chart.spans:
        assert span.tone == "bad" and span.label == "exit 3" and 0 <= span.start < span.end
    rounds = section.tables[0]
    assert rounds.columns == ("round", "builds", "failures", "first error")
    assert [(r[0].text, r[2].text, r[2].tone) for r in rounds.rows] == [
        ("reference", "0", "good"), ("1", "0", "good"), ("2", "2", "bad"), ("3", "2", "bad")]
    assert rounds.rows[2][3].text.endswith("(round 2): exit 3")
    assert section.text.splitlines()[1].startswith("replay: ") and "--schedule" in section.text


def test_a_passing_race_shows_its_last_round_and_differing_bytes_say_not_identical(project: Path) -> None:
    passing = build_race_section(race_functions(race(project), rounds=2, seed=1))
    assert passing.verdict == "good" and figures(passing)["build_race.identical"] == "yes"
    identical = next(f for f in passing.figures if f.name == "build_race.identical")
    assert (identical.label, identical.text(), identical.tone) == ("identical artifacts", "yes", "good")
    assert passing.charts[0].title == "Schedule of round 2 (last round, all passed)"
    assert all(span.tone == "good" and span.label == "ok" for span in passing.charts[0].spans)
    rounds = passing.tables[0]  # every round passed: one line
    assert [[c.text for c in row] for row in rounds.rows] == [["all 2 rounds and the reference builds", "6", "0",
                                                               "no failure"]]
    assert "replay" not in passing.text and passing.text.startswith("schedule of round 2 of 2")
    (project / "counter").unlink()
    varying = build_race_section(race_functions(race(project, VARY="1"), rounds=1, seed=1))
    assert figures(varying)["build_race.identical"] == "no" and varying.verdict == "bad"
    assert all(span.tone == "bad" and "differs from the reference" in span.label for span in varying.charts[0].spans)


def test_a_race_without_rounds_and_a_kill_that_leaves_a_file(project: Path) -> None:
    report = race_functions(race(project, HOLD="0.4"), rounds=0, seed=2, kills=1)
    section = build_race_section(report)
    assert figures(section)["build_race.rounds"] == 0 and shown_round(report) is None
    assert section.title == "Builds killed mid-way: 1 kill check"
    assert [r[0].text for r in section.tables[0].rows] == ["reference"]
    kills = section.charts[0]
    assert kills.kind == "gantt" and kills.title.startswith("Kill checks")
    sigkill = [span for span in kills.spans if span.start == span.end]
    assert len(sigkill) == 1 and sigkill[0].label.startswith("SIGKILL when") and sigkill[0].tone == "bad"
    next_build = next(span for span in kills.spans if span.label == "next build")
    assert next_build.tone == "bad"  # the killed build's .part file is left next to the artifact
    assert figures(section)["build_race.failures"] == 1
    assert "next to the artifact" in section.tables[1].rows[0][4].text
    assert section.tables[1].columns == ("check", "function", "kill point", "killed at", "next build")
    assert Section.from_json(section.as_json()) == section


def _lock(kind: str, store: str, key: str, who: str, hours: float | None) -> StateLock:
    created = datetime(2025, 1, 1, 12, tzinfo=UTC) - timedelta(hours=hours) if hours is not None else None
    return StateLock(kind, store, key, "id-1", who, "OperationTypeApply", created, f"{store}/{key}")


NOW = datetime(2025, 1, 1, 12, tzinfo=UTC)


def _rows(section: Section) -> dict[str, list[str]]:
    return {row[3].text: [c.text for c in row] for row in section.tables[0].rows}


def test_one_locks_section_grows_with_the_steps_stale_released_then_none_left() -> None:
    locks = [_lock(TERRAFORM_DYNAMODB, "tflock", "state/dev", "ci@runner-7", 2.0),
             _lock(SST, "sst-state", "lock/app/dev.json", "sst run 1", 1.0)]
    evidence = LockEvidence(where=("tflock", "sst-state"), older_than=1800, stale=list(locks))
    stale = locks_section(evidence, now=NOW)
    assert stale.kind == "locks" and stale.verdict == "good" and stale.title == "State locks held longer than 30 min"
    assert figures(stale) == {"locks.stale": 2}
    assert stale.tables[0].columns == ("who", "when", "age", "where", "kind", "operation", "released")
    assert _rows(stale)["dynamodb://tflock/state/dev"] == ["ci@runner-7", "2025-01-01T10:00:00+00:00", "2 h",
                                                           "dynamodb://tflock/state/dev", TERRAFORM_DYNAMODB,
                                                           "OperationTypeApply", "-"]
    evidence.released = list(locks)
    released = locks_section(evidence, now=NOW)
    assert figures(released) == {"locks.stale": 2, "locks.released": 2}
    assert {row[-1] for row in _rows(released).values()} == {"yes"}
    evidence.left = []
    done = locks_section(evidence, now=NOW)
    assert len(done.tables) == 1 and len(done.tables[0].rows) == 2  # the same locks, once
    assert figures(done) == {"locks.stale": 2, "locks.released": 2, "locks.left": 0} and done.verdict == "good"
    assert done.summary == "2 locks held longer than 30 min in tflock, sst-state; 2 released; 0 left behind"
    assert Section.from_json(done.as_json()) == done


def test_a_lock_without_who_or_left_behind_is_bad() -> None:
    anonymous = _lock(SST, "sst-state", "lock/app/dev.json", "", 1.0)
    held = _lock(TERRAFORM_DYNAMODB, "tflock", "state/dev", "ci@runner-7", 2.0)
    stale = locks_section(LockEvidence(older_than=1800, stale=[anonymous, held]), now=NOW)
    assert stale.verdict == "bad" and "1 without who or when" in stale.summary
    assert _rows(stale)["s3://sst-state/lock/app/dev.json"][0] == "unknown"
    assert locks_section(LockEvidence(older_than=1800, stale=[]), now=NOW).verdict == "bad"  # none found
    kept = LockEvidence(older_than=1800, stale=[anonymous, held], released=[held], left=[anonymous])
    section = locks_section(kept, now=NOW)
    assert section.verdict == "bad" and figures(section)["locks.left"] == 1
    tones = {row[3].text: (row[-1].text, row[-1].tone) for row in section.tables[0].rows}
    assert tones == {"dynamodb://tflock/state/dev": ("yes", "good"),
                     "s3://sst-state/lock/app/dev.json": ("no: left behind", "bad")}
    after_kill = locks_section(LockEvidence(where=("t",), left=[]))
    assert after_kill.title == "State locks left behind" and after_kill.verdict == "good"
    assert after_kill.summary == "0 locks left behind in t"
    assert after_kill.tables == () and figures(after_kill) == {"locks.left": 0}


def test_a_killed_deployment_lists_what_it_left_behind() -> None:
    outcome = KillOutcome("stack ipp-small-x (run r1)", "r1", True, "created Key\ncreated Queue\npaused",
                          created=["Key", "Queue"], released=["dynamodb://t/k"], swept=["arn:key"],
                          sweep_failed=["arn:queue: AccessDenied"], stray=["arn:aws:sqs:us-east-1:1:q"],
                          orphans=["sqs q-untagged"],
                          locks_left=[_lock(TERRAFORM_DYNAMODB, "t", "k2", "infra-parity r1@host", 0.1)])
    section = kill_section(outcome)
    assert section.kind == "kill" and section.verdict == "bad"
    assert figures(section) == {"kill.created": 2, "kill.leftovers": 4, "kill.locks_left": 1}
    left = section.tables[0]
    assert [r[0].text for r in left.rows] == ["could not delete", "still tagged by infra-parity",
                                              "left without a tag (the sweeper cannot see it)", "state lock"]
    assert all(r[0].tone == "bad" for r in left.rows) and "paused" in section.text
    clean = kill_section(KillOutcome("stack s", "r2", True, "", created=["Key"], swept=["arn:key"]))
    assert clean.verdict == "good" and figures(clean)["kill.leftovers"] == 0 and clean.tables == ()
    assert kill_section(KillOutcome("command 'x'", None, False, "")).verdict == "warn"
