"""Build race harness: its overhead per build, and the full dashborion-sized race.

1. Overhead: the same trivial build (``cp`` of one file) run by plain ``subprocess`` calls, K at a time,
   then by the harness (reference builds, schedule, jitter off, artifact and workspace checks); the
   difference divided by the number of builds is what the harness adds to each build.
2. The figure of the issue: 5 functions x 10 rounds x 4 builds in parallel with ``infra-parity package``
   (the reference packager), plus the four kill checks the Gherkin step runs (one on the build's first
   file, three spread over its reference duration); the time the kill checks take is printed apart.

Run: ``python benchmarks/builds.py``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pytest_infra_parity.chaos.builds import BuildRace, race_functions

TRIVIAL = "cp {src}/app.py {out}"
PACKAGE = f"{sys.executable} -m pytest_infra_parity.cli package {{src}} -o {{out}}"


def _functions(root: Path, count: int) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for index in range(count):
        folder = root / "functions" / f"fn{index}"
        (folder / "lib").mkdir(parents=True)
        (folder / "app.py").write_text(f"def handler(event, context):\n    return {index}\n")
        for module in range(20):
            (folder / "lib" / f"m{module}.py").write_text(f"VALUE = {index * 100 + module}\n" * 50)
        found[folder.name] = folder
    return found


def _plain(functions: dict[str, Path], rounds: int, parallel: int, out: Path) -> float:
    jobs = [(name, src, out / f"{name}-{r}.zip") for r in range(rounds + 1) for name, src in functions.items()]
    started = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(lambda job: subprocess.run(["/bin/sh", "-c", f"cp {job[1]}/app.py {job[2]}"], check=True),
                      jobs))
    return time.perf_counter() - started


def overhead(rounds: int = 10, parallel: int = 4, count: int = 5) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        functions = _functions(root, count)
        (root / "plain").mkdir()
        plain = _plain(functions, rounds, parallel, root / "plain")
        race = BuildRace(TRIVIAL, functions, root, parallel=parallel, max_jitter_ms=0, out_dir=root / "out")
        report = race_functions(race, rounds=rounds, seed=1)
        builds = len(report.builds)
        extra = (report.seconds - plain) / builds
        print(f"overhead: {builds} trivial builds, plain subprocess {plain:.2f}s, harness {report.seconds:.2f}s "
              f"-> {extra * 1000:.1f} ms per build (ok={report.ok})")


def dashborion_sized(rounds: int = 10, parallel: int = 4, count: int = 5, kills: int = 4) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        race = BuildRace(PACKAGE, _functions(root, count), root, parallel=parallel, out_dir=root / "out")
        report = race_functions(race, rounds=rounds, seed=1, kills=kills)
        kill_seconds = sum(kill.delay + kill.recovery.seconds for kill in report.kills)
        killed = sum(1 for kill in report.kills if kill.killed)
        print(f"packager race: {count} functions x {rounds} rounds x {parallel} in parallel + {kills} kill checks: "
              f"{len(report.builds)} builds in {report.seconds:.1f}s "
              f"({report.seconds / len(report.builds) * 1000:.0f} ms per build), ok={report.ok}")
        print(f"  kill checks: {killed} of {kills} builds killed before they ended, about {kill_seconds:.1f}s "
              f"(killed build + the build after it): " + "; ".join(k.trigger for k in report.kills))


if __name__ == "__main__":
    overhead()
    dashborion_sized()
