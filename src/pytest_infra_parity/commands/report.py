"""``infra-parity report``: render, merge and check the JSON reports that ``--infra-report`` writes.

- ``infra-parity report RUN.json [MORE.json ...] --html OUT.html``: one HTML page from one or several runs
  (the CI's moto and LocalStack legs, last night's staging run downloaded as an artifact).
- ``--require-evidence FEATURES``: exit 1, listing them, when a scenario of the ``.feature`` files under
  FEATURES (a file or a folder) is missing from the runs or ran and recorded no evidence (a skipped scenario
  has its reason instead); ``--allow-missing`` lets
  scenarios that did not run (the LocalStack leg skips the load features) pass that check.
Exit codes: 0 done, 1 scenarios without evidence, 2 errors (a file that is not a report, a malformed feature).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_infra_parity.errors import InfraParityError, SourceError

if TYPE_CHECKING:
    from pytest_infra_parity.report.model import RunRecord

Handler = Callable[[argparse.Namespace], int]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> dict[str, Handler]:
    report = sub.add_parser("report", help="Render, merge and check the JSON reports of --infra-report")
    report.add_argument("runs", nargs="+", type=Path, metavar="RUN.json", help="JSON report(s) of pytest runs")
    report.add_argument("--html", type=Path, metavar="OUT.html", help="Write one self-contained HTML page")
    report.add_argument("--json", type=Path, metavar="OUT.json", help="Write the merged runs as one JSON report")
    report.add_argument("--require-evidence", type=Path, action="append", default=[], metavar="FEATURES",
                        help="Fail unless every scenario of these .feature files (file or folder) recorded "
                             "evidence (repeatable)")
    report.add_argument("--allow-missing", action="store_true",
                        help="With --require-evidence: scenarios absent from the runs are not failures")
    return {"report": cmd_report}


def merge(runs: list[RunRecord]) -> RunRecord:
    """One record of several runs: every scenario, the targets and notes of all, the earliest start."""
    from pytest_infra_parity.report.model import RunRecord

    first = min(runs, key=lambda r: r.started)
    merged = RunRecord(started=first.started, target=", ".join(dict.fromkeys(r.target for r in runs)),
                       region=", ".join(dict.fromkeys(r.region for r in runs)), plugin_version=first.plugin_version,
                       duration=sum(r.duration for r in runs))
    for run in runs:
        merged.scenarios += run.scenarios
        merged.notes += [note for note in run.notes if note not in merged.notes]
        for outcome, count in run.unlisted.items():
            merged.unlisted[outcome] = merged.unlisted.get(outcome, 0) + count
    if len(runs) > 1:
        merged.notes.append(f"merged from {len(runs)} runs")
    return merged


def feature_scenarios(path: Path) -> list[tuple[str, str]]:
    """``(feature file, scenario name)`` of every scenario under ``path``, parsed by pytest-bdd."""
    from pytest_infra_parity.bdd.collect import read_feature

    files = sorted(path.rglob("*.feature")) if path.is_dir() else [path]
    if not files or not all(f.is_file() for f in files):
        raise SourceError(f"--require-evidence: {path} is neither a .feature file nor a folder holding some")
    found = []
    for file in files:
        found += [(file.name, name) for name in read_feature(file).scenarios]
    return found


def missing_evidence(run: RunRecord, features: list[Path], allow_missing: bool) -> list[str]:
    """One line per scenario of ``features`` that recorded no evidence (or did not run).

    A Scenario Outline's examples carry their values in their titles (``Name (kind: bucket)``): each counts
    for the outline.
    """
    by_file: dict[str, list[tuple[str, int]]] = {}
    for scenario in run.scenarios:
        name = Path(scenario.feature_file.split(":")[0]).name
        # A skipped scenario ran nothing to show; its reason is in the report.
        shown = len(scenario.sections) if scenario.outcome != "skipped" else 1
        by_file.setdefault(name, []).append((scenario.title, shown))
    problems = []
    for path in features:
        for file, title in feature_scenarios(path):
            counts = [shown for found, shown in by_file.get(file, ())
                      if found == title or found.startswith(f"{title} (")]
            if not counts:
                if not allow_missing:
                    problems.append(f"{file}: {title!r} is not in the report (did it run?)")
            elif not all(counts):
                problems.append(f"{file}: {title!r} recorded no evidence")
    return problems


def cmd_report(args: argparse.Namespace) -> int:
    from pytest_infra_parity.report.json_out import read_json, write_json

    runs = [read_json(path) for path in args.runs]
    run = merge(runs)
    if args.html:
        from pytest_infra_parity.report.html import write_html

        _write(lambda: write_html(run, args.html), args.html)
    if args.json:
        _write(lambda: write_json(run, args.json), args.json)
    counts = run.counts()
    print(f"{sum(counts.values())} tests: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    problems = missing_evidence(run, args.require_evidence, args.allow_missing) if args.require_evidence else []
    for line in problems:
        print(f"no evidence: {line}")
    if args.require_evidence and not problems:
        print("every scenario of the features recorded evidence")
    return 1 if problems else 0


def _write(action: Callable[[], None], path: Path) -> None:
    try:
        action()
    except OSError as exc:
        raise InfraParityError(f"cannot write {path}: {exc.strerror or exc}") from None
    print(f"wrote {path}")
