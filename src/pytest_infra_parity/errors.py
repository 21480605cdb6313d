"""Errors the plugin shows to users: one clear message naming the file, line or resource.

Every error a user can cause (a bad option, a malformed template or feature, an unknown design, an
unreachable target) is an :class:`InfraParityError`. The plugin prints its message without a Python
traceback; anything else is a bug in the plugin and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path


class InfraParityError(Exception):
    """Base class of every user-facing error of the plugin."""

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        super().__init__(self.describe())

    def describe(self) -> str:
        if self.path is None:
            return self.message
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class ConfigError(InfraParityError):
    """A wrong option, ini key or environment variable."""


class TargetError(InfraParityError):
    """The target cannot be reached or refuses the run (account not allowed...)."""


class DesignError(InfraParityError):
    """An unknown design, or a design folder that is not usable."""


class TemplateError(InfraParityError):
    """A malformed or invalid template; names the file and line, or the logical id and property."""


class DeployError(InfraParityError):
    """A resource could not be created or deleted; names the logical id and type."""


class SourceError(InfraParityError):
    """An inventory source that cannot be read: a truncated plan, an unknown resource type, a state
    file of another format; names the file and, where it can, the line or resource address."""
