"""What builds leave in the workspace: lock files, temporary files and folders, anything new.

The harness lists the workspace before the first build and after the last one. Every new path is a
leftover, except caches nobody cleans by design (``__pycache__``, ``.pytest_cache``...) and globs the
user ignores. Leftovers are classed as lock files (``*.lock``, ``*.tflock``, ``.terraform.tfstate.lock.info``,
``*.pid``), temporary files (``*.tmp``, ``tmp*``, ``*~``, ``*.part``, ``*staging*``...) or other files.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ALWAYS_IGNORED = ("__pycache__", "*.pyc", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache", ".git",
                  "node_modules", ".venv")
LOCK_PATTERNS = ("*.lock", "*.lck", "*.tflock", "*.lock.info", "lock", "LOCK", "*.pid", ".~lock.*")
TEMP_PATTERNS = ("*.tmp", "*.temp", "tmp*", ".tmp*", "*~", "*.part", "*.partial", "*.swp", ".#*", "*staging*",
                 "*.bak")


@dataclass(frozen=True)
class Leftover:
    path: str
    """Relative to the workspace root."""
    kind: str
    """``lock``, ``temporary`` or ``other``."""

    def describe(self) -> str:
        label = {"lock": "lock file", "temporary": "temporary file"}.get(self.kind, "new file")
        return f"{label} {self.path}"


def _matches(name: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)


def snapshot(root: Path, ignore: Iterable[str] = (), exclude: Iterable[Path] = ()) -> set[str]:
    """Relative paths of every file and folder under ``root`` (ignored names pruned, ``exclude`` skipped)."""
    patterns = (*ALWAYS_IGNORED, *ignore)
    excluded = {str(path.resolve()) for path in exclude}
    found: set[str] = set()
    for current, dirs, files in os.walk(root):
        base = Path(current)
        dirs[:] = [d for d in dirs if not _matches(d, patterns) and str((base / d).resolve()) not in excluded]
        for name in [*dirs, *files]:
            if not _matches(name, patterns):
                found.add((base / name).relative_to(root).as_posix())
    return found


def classify(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    if _matches(name, LOCK_PATTERNS):
        return "lock"
    if _matches(name, TEMP_PATTERNS) or any(_matches(part, TEMP_PATTERNS) for part in path.split("/")[:-1]):
        return "temporary"
    return "other"


def leftovers(before: set[str], after: set[str]) -> list[Leftover]:
    """New paths, outermost only (a new folder stands for what it holds)."""
    new = sorted(after - before)
    outermost = [p for p in new if not any(p.startswith(parent + "/") for parent in new if parent != p)]
    return [Leftover(path, classify(path)) for path in outermost]
