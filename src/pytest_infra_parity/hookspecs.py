"""Hook specifications of pytest-infra-parity; every hook is named ``pytest_infra_parity_*``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pytest_infra_parity.deploy.stack import Stack
    from pytest_infra_parity.settings import Settings
    from pytest_infra_parity.targets.protocol import Target


@pytest.hookspec(firstresult=True)
def pytest_infra_parity_make_target(settings: Settings, config: pytest.Config) -> Target | None:
    """Return the target for ``settings.target`` (first non-None result wins; built-ins are the default).

    .. versionadded:: 0.1
    """


@pytest.hookspec
def pytest_infra_parity_stack_deployed(stack: Stack, target: Target) -> None:
    """Called after a design or template is deployed on the target, before any test uses it."""


@pytest.hookspec
def pytest_infra_parity_before_teardown(stack: Stack, target: Target) -> None:
    """Called before a deployed stack is torn down."""


@pytest.hookspec
def pytest_infra_parity_teardown_finished(target: Target, errors: list[str]) -> None:
    """Called after the session's stacks are torn down (``errors`` lists what could not be deleted)."""


@pytest.hookspec
def pytest_infra_parity_resource_created(stack_name: str, logical_id: str, resource_type: str, physical_id: str,
                                         attributes: dict[str, Any]) -> None:
    """Called by the applier after each resource is created (for logging and reports)."""
