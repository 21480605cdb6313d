"""Where steps and fixtures leave the evidence of a scenario, for the run's report.

``record(request, section)`` keeps a :class:`~pytest_infra_parity.report.model.Section` on the test item
and adds its key figures to the item's ``user_properties`` (pytest writes them into JUnit XML as
``<property name="infra.<figure>" value="..."/>``, so CI systems can plot them over time).
``note_design(request, name)`` names the design the scenario is about. Both are cheap and never fail the
test: the report room's hooks carry what was recorded to the controller (also across xdist workers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_infra_parity.report.model import Section

__all__ = ["DESIGN_KEY", "RUNNING_KEY", "SECTIONS_KEY", "note_design", "record", "record_on_running_test",
           "recorded", "recorded_as"]

SECTIONS_KEY = pytest.StashKey[list["Section"]]()
DESIGN_KEY = pytest.StashKey[list[str]]()
KEYED = pytest.StashKey[dict[str, "Section"]]()
RUNNING_KEY = pytest.StashKey[list[pytest.Item]]()
"""The tests being run (the report plugin's ``pytest_runtest_protocol`` keeps it), innermost last."""
PROPERTY_PREFIX = "infra."


def _item(where: pytest.FixtureRequest | pytest.Item) -> pytest.Item | None:
    node = where.node if isinstance(where, pytest.FixtureRequest) else where
    return node if isinstance(node, pytest.Item) else None


def record(where: pytest.FixtureRequest | pytest.Item, section: Section, *, key: str | None = None) -> None:
    """Keep ``section`` as evidence of the current test, and its figures as JUnit properties.

    With ``key``, a section recorded earlier under the same key is replaced in its place, and its
    figures' properties with it: a step that adds to what an earlier step measured (a new detection rate,
    a check on a Locust run) records the whole section again. Outside a test (a session-scoped fixture's
    request) there is no scenario to attach it to: use :func:`record_on_running_test`.
    """
    item = _item(where)
    if item is None:
        return
    sections = item.stash.setdefault(SECTIONS_KEY, [])
    keyed = item.stash.setdefault(KEYED, {})
    previous = keyed.get(key) if key is not None else None
    place = next((i for i, s in enumerate(sections) if s is previous), None)
    if previous is not None and place is not None:
        sections[place] = section
        for figure in previous.figures:
            prop = (PROPERTY_PREFIX + figure.name, figure.value)
            if prop in item.user_properties:
                item.user_properties.remove(prop)
    else:
        sections.append(section)
    if key is not None:
        keyed[key] = section
    for figure in section.figures:
        item.user_properties.append((PROPERTY_PREFIX + figure.name, figure.value))


def recorded_as(where: pytest.FixtureRequest | pytest.Item, key: str) -> Section | None:
    """The section last recorded under ``key`` in the current test, if any."""
    item = _item(where)
    return None if item is None else item.stash.get(KEYED, {}).get(key)


def record_on_running_test(config: pytest.Config, section: Section, *, key: str | None = None) -> None:
    """Keep ``section`` as evidence of the test being run, for code that has no request of that test (a
    session-scoped fixture's function called from a test). Outside any test, nothing is recorded."""
    running = config.stash.get(RUNNING_KEY, [])
    if running:
        record(running[-1], section, key=key)


def note_design(where: pytest.FixtureRequest | pytest.Item, design: str) -> None:
    """Name a design the current scenario is about (deployed, priced, or read as a template)."""
    item = _item(where)
    if item is None or not design:
        return
    designs = item.stash.setdefault(DESIGN_KEY, [])
    if design not in designs:
        designs.append(design)


def recorded(item: pytest.Item) -> tuple[list[Section], list[str]]:
    """What was recorded on ``item``: its sections and its designs."""
    return item.stash.get(SECTIONS_KEY, []), item.stash.get(DESIGN_KEY, [])
