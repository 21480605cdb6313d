"""Collect ``*.feature`` files directly: reviewers write Gherkin, with no Python glue.

Each feature file becomes a module whose tests are the feature's scenarios, bound with pytest-bdd's
``scenario()``; the step library is registered as a plugin, so every step is available everywhere.
A test module calling ``scenarios()`` keeps working (set ``infra_collect_features = false`` if it
points at the same files, to avoid running them twice).
"""

from __future__ import annotations

import re
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pytest_bdd.parser import Feature


def _test_name(scenario_name: str, taken: set[str]) -> str:
    slug = re.sub(r"\W+", "_", scenario_name.lower()).strip("_") or "scenario"
    name = f"test_{slug}"
    index = 1
    while name in taken:
        index += 1
        name = f"test_{slug}_{index}"
    taken.add(name)
    return name


_SCENARIO = re.compile(r"^\s*(?:Scenario|Scenario Outline|Scenario Template|Example):\s*(.*?)\s*$")


def _duplicate_scenario(text: str) -> tuple[int, str] | None:
    """``(line, name)`` of the first scenario whose name an earlier scenario already has."""
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = _SCENARIO.match(line)
        if match:
            if match.group(1) in seen:
                return number, match.group(1)
            seen.add(match.group(1))
    return None


def read_feature(path: Path) -> Feature:
    """The feature pytest-bdd parses from ``path``; a malformed one is a :class:`SourceError` naming the line."""
    from pytest_bdd.exceptions import FeatureError, GherkinParseError
    from pytest_bdd.feature import get_feature

    from pytest_infra_parity.errors import SourceError

    try:
        return get_feature(str(path.parent), path.name)
    except GherkinParseError as exc:
        raise SourceError(f"malformed feature: {exc.message}\n  {exc.line_content}", path=path,
                          line=exc.line) from None
    except FeatureError as exc:
        raise SourceError(f"malformed feature: {exc}", path=path) from None


class FeatureFile(pytest.Module):
    """A ``.feature`` file as a pytest module of scenarios."""

    def _getobj(self) -> Any:
        from pytest_bdd import scenario

        from pytest_infra_parity.errors import SourceError

        base = str(self.path.parent)
        try:
            feature = read_feature(self.path)
        except SourceError as exc:
            raise self.CollectError(exc.describe()) from None
        if not feature.scenarios:
            raise self.CollectError(f"{self.path}: the feature has no scenario")
        duplicate = _duplicate_scenario(self.path.read_text(encoding="utf-8"))
        if duplicate:  # pytest-bdd keys scenarios by name: the second one would vanish silently
            line, name = duplicate
            raise self.CollectError(f"{self.path}:{line}: duplicate scenario name {name!r}: give each a unique name")
        stem = re.sub(r"\W+", "_", self.path.stem)
        module = types.ModuleType(f"feature_{stem}")
        module.__file__ = str(self.path)
        taken: set[str] = set()
        for scenario_name in feature.scenarios:

            def _scenario() -> None:
                """A scenario of the feature file."""

            bound = scenario(str(self.path), scenario_name, features_base_dir=base)(_scenario)
            setattr(module, _test_name(scenario_name, taken), bound)
        return module
