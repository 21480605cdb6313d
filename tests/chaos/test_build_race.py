"""The build race harness catches a racy builder, passes a safe one, and replays what it reports."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_infra_parity.chaos.artifacts import Artifact, foreign_files, read_artifact, source_files
from pytest_infra_parity.chaos.builds import BuildRace, race_functions, render, replay
from pytest_infra_parity.chaos.schedule import parse_schedule, random_schedule, schedules
from pytest_infra_parity.chaos.signatures import DEFAULT_SIGNATURES, compile_signatures, find_crash
from pytest_infra_parity.chaos.workspace import classify, leftovers, snapshot

from .conftest import PACKAGE, RACY


def _race(functions: Path, command: str, **options: object) -> BuildRace:
    return BuildRace(command, {p.name: p for p in sorted(functions.iterdir())}, functions.parent,
                     functions_dir=functions, out_dir=functions.parent.parent / "out", **options)  # type: ignore[arg-type]


def test_the_racy_builder_is_caught_with_a_replayable_report(functions: Path) -> None:
    report = race_functions(_race(functions, RACY, parallel=4), rounds=2, seed=7)
    assert not report.ok
    assert not report.check_ok("succeeds") or not report.check_ok("identical")
    text = report.describe()
    first = report.first_failing_round("identical") or report.first_failing_round("succeeds")
    assert first is not None
    assert f"first failing schedule: round {first + 1} of 2: {report.schedule.round_text(first)} (seed 7)" in text
    assert "infra-parity build-race" in text and "--schedule" in text
    failing = report.failing("identical") + report.failing("succeeds")
    assert any(f"{result.function}" in text for result in failing)
    mixed = [r for r in report.failing("identical") if any("another function's files" in m for m in r.mismatch)]
    crashed = [r for r in report.failing("succeeds") if r.crash and "Traceback" in r.crash]
    assert mixed or crashed
    again = replay(_race(functions, RACY, parallel=4), report.schedule.round_text(first), repeat=3)
    assert not again.ok


def test_the_reference_packager_is_safe_and_survives_a_kill(functions: Path) -> None:
    report = race_functions(_race(functions, PACKAGE, parallel=3), rounds=2, seed=3, kills=1)
    assert report.ok, report.describe()
    assert len(report.builds) == 2 + 2 * 2 * 2
    digests = {r.function: {r.artifact.digest for r in report.builds if r.function == name and r.artifact}
               for name in ("api", "worker") for r in report.builds if r.function == name}
    assert all(len(found) == 1 for found in digests.values())
    assert report.kills[0].recovery.returncode == 0 and not report.kills[0].problems("leftovers")


def test_a_kill_that_leaves_a_lock_blocks_the_next_build(functions: Path) -> None:
    slow = RACY + " --lock"
    race = BuildRace(slow, {"api": functions / "api"}, functions.parent, parallel=1, env={"RACY_HOLD": "1.0"},
                     out_dir=functions.parent.parent / "out")
    report = race_functions(race, rounds=0, seed=1, kills=1)
    kill = report.kills[0]
    assert kill.killed
    assert any("printed" in p and "Locked" in p for p in kill.problems("succeeds"))
    left = {item.path: item.kind for item in kill.leftovers}
    assert left.get(".build.lock") == "lock"
    assert "the next build failed" in report.describe("succeeds")


def test_normalised_zip_times_tolerate_build_time_stamps(tmp_path: Path, functions: Path) -> None:
    stamped = tmp_path / "stamped.py"
    stamped.write_text(  # every build stamps its entries with a new minute (as a clock would)
        "import sys, zipfile, pathlib\n"
        "src, out, counter = pathlib.Path(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[0] + '.n')\n"
        "n = int(counter.read_text()) + 1 if counter.exists() else 1\n"
        "counter.write_text(str(n))\n"
        "with zipfile.ZipFile(out, 'w') as z:\n"
        "    for p in sorted(src.rglob('*.py')):\n"
        "        z.writestr(zipfile.ZipInfo(p.relative_to(src).as_posix(), (2020, 1, 1, 0, n, 0)), p.read_bytes())\n")
    command = f"{sys.executable} {stamped} {{src}} {{out}}"
    worker_only = {"worker": functions / "worker"}
    strict = race_functions(BuildRace(command, worker_only, functions.parent, parallel=1,
                                      out_dir=tmp_path / "strict"), rounds=1)
    loose = race_functions(BuildRace(command, worker_only, functions.parent, parallel=1,
                                     normalize_zip_times=True, out_dir=tmp_path / "loose"), rounds=1)
    assert not strict.check_ok("identical") and "same files and contents" in strict.describe("identical")
    assert loose.check_ok("identical"), loose.describe()


def test_foreign_files_and_differences(tmp_path: Path, functions: Path) -> None:
    sources = {name: source_files(functions / name) for name in ("api", "worker")}
    out = tmp_path / "mixed.zip"
    with zipfile.ZipFile(out, "w") as archive:
        archive.write(functions / "worker" / "app.py", "app.py")
        archive.write(functions / "api" / "lib" / "__init__.py", "lib/__init__.py")
    artifact = read_artifact(out)
    assert foreign_files("api", artifact, sources) == ["app.py (from worker)"]
    folder = read_artifact(functions / "api")
    assert folder.kind == "folder" and "lib/api_only.py" in folder.files
    assert read_artifact(functions / "api" / "app.py").kind == "file"
    assert foreign_files("api", Artifact(out, "x", {}, "file"), sources) == []


def test_command_rendering_quotes_paths() -> None:
    rendered = render("build {function} {src} -o {out} ${HOME}", "my fn", Path("/a b/src"), Path("/o/x.zip"))
    assert rendered == "build 'my fn' '/a b/src' -o /o/x.zip ${HOME}"


def test_schedules_are_seeded_and_round_trip() -> None:
    one = random_schedule(["api", "worker"], 3, 4, seed=11)
    assert one == random_schedule(["api", "worker"], 3, 4, seed=11)
    assert one != random_schedule(["api", "worker"], 3, 4, seed=12)
    assert all(len(jobs) == 4 for jobs in one.rounds)  # 2 copies of each so 4 run at once
    assert parse_schedule(one.encode(), ["api", "worker"]).rounds == one.rounds
    with pytest.raises(ValueError, match="unknown function 'nope'"):
        parse_schedule("nope+3", ["api"])
    with pytest.raises(ValueError, match="cannot read schedule job"):
        parse_schedule("api", ["api"])


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_generated_schedules_build_every_function_every_round(data: st.DataObject) -> None:
    names = data.draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4, unique=True))
    parallel = data.draw(st.integers(1, 6))
    drawn = data.draw(schedules(names, 2, parallel))
    for jobs in drawn.rounds:
        assert sorted({job.function for job in jobs}) == sorted(names)
        assert len(jobs) >= min(parallel, len(jobs))
    assert parse_schedule(drawn.encode()).rounds == drawn.rounds


def test_crash_signatures() -> None:
    go = "building api\nfatal error: concurrent map writes\n\ngoroutine 42 [running]:\n"
    assert find_crash(go, compile_signatures(DEFAULT_SIGNATURES)) == "fatal error: concurrent map writes"
    assert find_crash("all good\n", compile_signatures(DEFAULT_SIGNATURES)) is None
    assert find_crash("error: Locked by ci", compile_signatures(DEFAULT_SIGNATURES)) == "error: Locked by ci"
    with pytest.raises(ValueError, match="not a valid regular expression"):
        compile_signatures(["(oops"])


def test_workspace_leftovers_are_classified(tmp_path: Path) -> None:
    before = snapshot(tmp_path)
    (tmp_path / ".build-staging" / "x").mkdir(parents=True)
    (tmp_path / "state.lock").write_text("")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "notes.txt").write_text("")
    found = {(left.path, left.kind) for left in leftovers(before, snapshot(tmp_path))}
    assert found == {(".build-staging", "temporary"), ("state.lock", "lock"), ("notes.txt", "other")}
    assert classify("a/tmpabc/file") == "temporary"


def test_hypothesis_explores_schedules_until_one_fails(functions: Path) -> None:
    from pytest_infra_parity.chaos.builds import explore

    report = explore(_race(functions, RACY, parallel=4), rounds=1, max_examples=3)
    assert not report.ok and report.schedule.seed is None
    assert "first failing schedule: round 1 of 1" in report.describe()


def test_cli_build_race_and_replay(functions: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    import tempfile

    from pytest_infra_parity.cli import main

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the CLI's race folders, if any were left
    monkeypatch.chdir(functions.parent)
    assert main(["build-race", "functions", "--command", PACKAGE, "--rounds", "1", "--parallel", "2"]) == 0
    assert "build race ok: 4 builds of 2 functions" in capsys.readouterr().out
    assert main(["build-race", "functions", "--command", RACY, "--parallel", "4",
                 "--schedule", "api+0,worker+0,api#1+1,worker#1+2", "--repeat", "2"]) == 1
    out = capsys.readouterr().out
    assert "build race FAILED" in out and "--schedule 'api+0,worker+0,api#1+1,worker#1+2'" in out
    assert main(["build-race", "functions", "--command", RACY, "--schedule", "ghost+1"]) == 2
    assert "unknown function 'ghost'" in capsys.readouterr().err
    assert not list(tmp_path.glob("ipp-build-race-*"))
