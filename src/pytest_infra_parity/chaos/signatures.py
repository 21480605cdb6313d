"""Crash signatures: what a build prints when it crashed even though it may exit 0.

The defaults are Go's runtime fatal errors (``fatal error: concurrent map writes`` is the SST v3
crash of seed 000; Go prints it and exits 2, see the Go runtime's ``fatal`` and ``throw``), Go
panics, Python tracebacks and lock messages such as SST's ``Concurrent update detected, run `sst
unlock` to delete lock file and retry.`` (sst/sst pkg/project/provider/provider.go, ErrLockExists)
or Terraform's ``Error acquiring the state lock``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

DEFAULT_SIGNATURES: tuple[str, ...] = (
    r"fatal error: concurrent map",
    r"fatal error: ",
    r"^panic: ",
    r"Traceback \(most recent call last\)",
    r"\bLocked\b",
    r"Concurrent update detected",
    r"Error acquiring the state lock",
)
"""Regular expressions (searched line by line, multiline mode)."""


def compile_signatures(patterns: Iterable[str]) -> list[re.Pattern[str]]:
    """Compile the patterns; a bad one is a ``ValueError`` naming it."""
    compiled: list[re.Pattern[str]] = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern, re.MULTILINE))
        except re.error as exc:
            raise ValueError(f"crash signature {pattern!r} is not a valid regular expression: {exc}") from exc
    return compiled


def find_crash(output: str, signatures: Sequence[re.Pattern[str]]) -> str | None:
    """The first output line matching a signature, or ``None``."""
    for signature in signatures:
        match = signature.search(output)
        if match:
            start = output.rfind("\n", 0, match.start()) + 1
            end = output.find("\n", match.end())
            return output[start:end if end >= 0 else len(output)].strip()
    return None
