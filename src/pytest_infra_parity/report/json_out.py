"""The run's report as JSON: every scenario with its full evidence, for CI graphs and later rendering.

The file is ``RunRecord.as_json()`` (format ``pytest-infra-parity-report/1``), indented, UTF-8, keys in
the model's order. :func:`read_json` is its inverse, so a report can be re-rendered as HTML later
(``write_html(read_json(path), ...)``).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pytest_infra_parity.errors import InfraParityError
from pytest_infra_parity.report.model import RunRecord, ScenarioRecord, Section

__all__ = ["FORMAT", "ReportFileError", "read_json", "write_json", "write_text_atomic"]

FORMAT = "pytest-infra-parity-report/1"


class ReportFileError(InfraParityError):
    """A file given as a run report is missing, not JSON, or not a report of this plugin's format."""


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file beside it, then replace: readers never
    see half a report. Parent folders are created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.chmod(temp, 0o644)  # mkstemp makes it private; a report is meant to be shared (CI artifacts)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_json(run: RunRecord, path: Path) -> None:
    """Write ``run`` as an indented UTF-8 JSON report at ``path`` (atomically, parent folders created)."""
    write_text_atomic(Path(path), json.dumps(run.as_json(), indent=2, ensure_ascii=False) + "\n")


def read_json(path: Path) -> RunRecord:
    """Read back a report written by :func:`write_json`; anything else raises :class:`ReportFileError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportFileError(f"cannot read the run report: {exc}", path=path) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportFileError(f"not JSON: {exc.msg} (column {exc.colno})", path=path, line=exc.lineno) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise ReportFileError(f"not a pytest-infra-parity run report (format {found!r}, expected {FORMAT!r})",
                              path=path)
    try:
        return _run(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ReportFileError(f"malformed run report: {type(exc).__name__}: {exc}", path=path) from exc


def _run(data: dict[str, Any]) -> RunRecord:
    return RunRecord(
        started=str(data["started"]), target=str(data["target"]), region=str(data["region"]),
        plugin_version=str(data["plugin_version"]), duration=float(data.get("duration", 0.0)),
        scenarios=[_scenario(item) for item in data.get("scenarios", [])],
        notes=[str(note) for note in data.get("notes", [])],
        unlisted={str(k): int(v) for k, v in data.get("unlisted", {}).items()},
    )


def _scenario(data: dict[str, Any]) -> ScenarioRecord:
    steps = data.get("steps", [])
    if not isinstance(steps, list) or not all(isinstance(step, dict) for step in steps):
        raise TypeError(f"scenario {data.get('nodeid')!r}: steps must be a list of objects")
    return ScenarioRecord(
        nodeid=str(data["nodeid"]), title=str(data["title"]), outcome=str(data["outcome"]),
        duration=float(data.get("duration", 0.0)), feature=str(data.get("feature", "")),
        feature_file=str(data.get("feature_file", "")), design=str(data.get("design", "")),
        target=str(data.get("target", "")), message=str(data.get("message", "")), steps=steps,
        sections=[Section.from_json(section) for section in data.get("sections", [])],
    )
