"""Lint a template with cfn-lint before deploying it: errors stop the run, warnings are reported.

cfn-lint takes about a second to import, so it is imported on first use, and results are cached
in-process per (file, modification time, size, regions, ignored rules).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pytest_infra_parity.errors import TemplateError

Level = Literal["error", "warning", "info"]
_LEVELS: dict[str, Level] = {"E": "error", "W": "warning", "I": "info"}
_NAMED_SECTIONS = frozenset({"Resources", "Outputs", "Parameters", "Conditions", "Mappings"})
_CACHE: dict[tuple[Any, ...], tuple[LintFinding, ...]] = {}


@dataclass(frozen=True)
class LintFinding:
    """One cfn-lint match."""

    rule_id: str
    level: Level
    message: str
    path: Path
    line: int | None
    logical_id: str | None

    def describe(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.rule_id} {self.message}"


def lint(
    path: Path, *, regions: Iterable[str] = ("us-east-1",), ignore: Iterable[str] = ()
) -> list[LintFinding]:
    """Every cfn-lint finding of a template file (errors, warnings and informational)."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise TemplateError(f"cannot lint the template: {exc.strerror or exc}", path=path) from None
    region_list, ignored = sorted(set(regions)), sorted(set(ignore))
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, tuple(region_list), tuple(ignored))
    if key not in _CACHE:
        _CACHE[key] = tuple(_run(path, region_list, ignored))
    return list(_CACHE[key])


def _run(path: Path, regions: list[str], ignore: list[str]) -> list[LintFinding]:
    from cfnlint.api import ManualArgs, lint_file

    config = ManualArgs(regions=regions, ignore_checks=ignore) if ignore else ManualArgs(regions=regions)
    return [_finding(match, path) for match in lint_file(path, config=config)]


def _finding(match: Any, path: Path) -> LintFinding:
    rule_id = str(match.rule.id)
    match_path = getattr(match, "path", None) or []
    logical_id = str(match_path[1]) if len(match_path) > 1 and match_path[0] in _NAMED_SECTIONS else None
    line = match.linenumber if isinstance(match.linenumber, int) and match.linenumber > 0 else None
    return LintFinding(
        rule_id=rule_id,
        level=_LEVELS.get(rule_id[:1], "error"),
        message=str(match.message),
        path=path,
        line=line,
        logical_id=logical_id,
    )


def check(
    path: Path, *, regions: Iterable[str] = ("us-east-1",), ignore: Iterable[str] = ()
) -> list[LintFinding]:
    """Lint a template: a :class:`TemplateError` listing every error, else the warnings and infos."""
    findings = lint(path, regions=regions, ignore=ignore)
    errors = [f for f in findings if f.level == "error"]
    if errors:
        listing = "\n".join(f"  {f.describe()}" for f in errors)
        raise TemplateError(
            f"cfn-lint found {len(errors)} error(s) in the template:\n{listing}",
            path=Path(path),
            line=errors[0].line,
        )
    return [f for f in findings if f.level != "error"]


def clear_cache() -> None:
    """Forget cached lint results (tests)."""
    _CACHE.clear()
