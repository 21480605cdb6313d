"""The build race's kill checks land at planned points, its settings are checked before any build, and a
failed race's folder is removed unless the user asks to keep it."""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path

import pytest

from pytest_infra_parity.chaos.build_kill import kill_plan
from pytest_infra_parity.chaos.builds import BuildRace, race_functions
from pytest_infra_parity.cli import main

from .conftest import RACY

LOCKING = RACY + " --lock"
COPY = "cp {src}/app.py {out}"


def _clean(workspace: Path) -> None:
    """What a killed racy builder leaves: its lock and its staging folder."""
    (workspace / ".build.lock").unlink(missing_ok=True)
    shutil.rmtree(workspace / ".build-staging", ignore_errors=True)


def test_a_builder_that_leaves_its_lock_is_caught_every_time(functions: Path, tmp_path: Path) -> None:
    workspace = functions.parent
    for seed in range(5):
        race = BuildRace(LOCKING, {"api": functions / "api"}, workspace, parallel=1,
                         out_dir=tmp_path / f"race-{seed}")
        report = race_functions(race, rounds=1, seed=seed, kills=1)
        _clean(workspace)
        assert not report.check_ok("leftovers"), f"seed {seed}: the lock the kill left was missed\n{report.describe()}"
        [kill] = report.kills
        assert kill.killed and ".build.lock" in {left.path for left in kill.leftovers}
        assert ".build.lock" in kill.trigger and kill.trigger in report.describe("leftovers")
        assert "the next build failed" in report.describe("succeeds")


def test_kill_points_are_spread_over_the_build_and_seeded() -> None:
    plan = kill_plan(4, random.Random(3))
    assert plan[0].fraction is None  # the first kill waits for the build's first file
    fractions = [point.fraction for point in plan[1:]]
    assert all(f is not None for f in fractions)
    first, second, third = (float(f or 0) for f in fractions)
    assert 0 < first < 1 / 3 < second < 2 / 3 < third < 1
    assert plan == kill_plan(4, random.Random(3)) and plan != kill_plan(4, random.Random(4))
    assert kill_plan(0, random.Random(1)) == []


def test_every_planned_kill_runs_and_a_safe_builder_survives_them(functions: Path, tmp_path: Path) -> None:
    race = BuildRace(COPY, {"api": functions / "api"}, functions.parent, parallel=1, out_dir=tmp_path / "out")
    report = race_functions(race, rounds=1, seed=5, kills=3)
    assert report.ok, report.describe()
    assert len(report.kills) == 3
    assert [kill.point.fraction is None for kill in report.kills] == [True, False, False]


@pytest.mark.parametrize(("command", "message"), [
    ("cp {src}/app.py {foo}", "unknown placeholder {foo} in the build command"),
    ("cp {src}/app.py /tmp/elsewhere.zip", "the build command has no {out}"),
])
def test_a_bad_command_is_refused_before_any_build(command: str, message: str, functions: Path) -> None:
    with pytest.raises(ValueError, match=message.replace("{", r"\{").replace("}", r"\}")):
        BuildRace(command, {"api": functions / "api"}, functions.parent)


def test_placeholders_shell_braces_and_the_environment_are_accepted(functions: Path) -> None:
    for command in ("build {function} {src} ${HOME} > {out}", "build.sh  # writes $IPP_OUT",
                    "awk '{print $1}' {src}/app.py > {out}"):
        BuildRace(command, {"api": functions / "api"}, functions.parent)


@pytest.mark.parametrize(("options", "message"), [
    ({"rounds": -1}, "rounds must be 0 or more, not -1"),
    ({"rounds": 1, "kills": -2}, "kills must be 0 or more, not -2"),
])
def test_race_functions_refuses_negative_counts(options: dict[str, int], message: str, functions: Path) -> None:
    race = BuildRace(COPY, {"api": functions / "api"}, functions.parent)
    with pytest.raises(ValueError, match=message):
        race_functions(race, **options)


@pytest.mark.parametrize(("extra", "message"), [
    (["--rounds", "0"], "--rounds must be at least 1, got 0"),
    (["--rounds", "-2"], "--rounds must be at least 1, got -2"),
    (["--kill", "-1"], "--kill must be 0 or more, got -1"),
    (["--parallel", "0"], "--parallel must be at least 1, got 0"),
    (["--timeout", "0"], "--timeout must be above 0 seconds, got 0"),
    (["--schedule", "api+0", "--repeat", "0"], "--repeat must be at least 1, got 0"),
])
def test_cli_build_race_refuses_nonsense_settings(extra: list[str], message: str, functions: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(functions.parent)
    command = "touch ran-{function} && cp {src}/app.py {out}"
    assert main(["build-race", "functions", "--command", command, *extra]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and len(captured.err.strip().splitlines()) == 1
    assert "build race ok" not in captured.out
    assert not list(functions.parent.glob("ran-*")), "a build ran before the settings were checked"


@pytest.mark.parametrize("command", ["cp {src}/app.py {foo} && touch ran-{function}",
                                     "touch ran-{function} && cp {src}/app.py /dev/null"])
def test_cli_build_race_refuses_a_bad_command_before_building(command: str, functions: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(functions.parent)
    assert main(["build-race", "functions", "--command", command]) == 2
    err = capsys.readouterr().err
    assert "placeholder" in err or "{out}" in err
    assert not list(functions.parent.glob("ran-*"))


def _private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_failed_race_is_removed_unless_kept(functions: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    temporary = _private_tmp(tmp_path, monkeypatch)
    monkeypatch.chdir(functions.parent)
    failing = "cp {src}/app.py {out} && exit 3"
    assert main(["build-race", "functions", "--command", failing, "--rounds", "1"]) == 1
    out = capsys.readouterr().out
    assert "build race FAILED" in out and "--keep-failed" in out
    assert not list(temporary.glob("ipp-build-race-*")), "a failed race left its folder behind"
    assert main(["build-race", "functions", "--command", failing, "--rounds", "1", "--keep-failed"]) == 1
    out = capsys.readouterr().out
    [kept] = temporary.glob("ipp-build-race-*")
    assert f"artifacts kept in {kept}" in out and (kept / "reference" / "api.zip").is_file()


def test_races_through_the_api_clean_up_after_themselves(functions: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    temporary = _private_tmp(tmp_path, monkeypatch)
    failing = BuildRace("cp {src}/app.py {out} && exit 3", {"api": functions / "api"}, functions.parent)
    report = race_functions(failing, rounds=1)
    assert not report.ok and not report.out_dir.exists() and not list(temporary.glob("ipp-build-race-*"))
    assert "keep_failed=True" in report.describe()
    passing = race_functions(BuildRace(COPY, {"api": functions / "api"}, functions.parent), rounds=1)
    assert passing.ok and not list(temporary.glob("ipp-build-race-*"))
    kept = race_functions(BuildRace("cp {src}/app.py {out} && exit 3", {"api": functions / "api"},
                                    functions.parent, keep_failed=True), rounds=1)
    assert kept.out_dir.is_dir() and f"artifacts kept in {kept.out_dir}" in kept.describe()
