"""Write the ``--infra-report`` files; a file that cannot be written is one line, never a traceback."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from pytest_infra_parity.report.model import RunRecord

__all__ = ["write_reports"]


def write_reports(run: RunRecord, paths: tuple[Path, ...]) -> tuple[list[str], list[str]]:
    """Write each path (``.json``: the data; ``.html``/``.htm``: the page); what was written, and errors."""
    written: list[str] = []
    errors: list[str] = []
    for path in paths:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix.lower() == ".json":
                from pytest_infra_parity.report.json_out import write_json

                write_json(run, path)
            else:
                from pytest_infra_parity.report.html import write_html

                write_html(run, path)
        except OSError as exc:
            errors.append(f"cannot write the report {path}: {exc.strerror or exc}")
            continue
        written.append(str(path))
    return written, errors
