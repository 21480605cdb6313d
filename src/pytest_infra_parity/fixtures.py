"""Public fixtures: ``infra_target``, ``infra_client``, ``infra_deploy``, ``infra_settings``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from pytest_infra_parity.errors import InfraParityError
from pytest_infra_parity.session_plugin import RUNTIME_KEY

if TYPE_CHECKING:
    from pytest_infra_parity.deploy.stack import Stack
    from pytest_infra_parity.designs import Design
    from pytest_infra_parity.settings import Settings
    from pytest_infra_parity.targets.protocol import Target


@pytest.fixture(scope="session")
def infra_settings(pytestconfig: pytest.Config) -> Settings:
    """The resolved ``--infra-*`` settings of the session."""
    return pytestconfig.stash[RUNTIME_KEY].settings


@pytest.fixture(scope="session")
def infra_target(pytestconfig: pytest.Config) -> Target:
    """The session's target, started (moto: the embedded server is started here)."""
    runtime = pytestconfig.stash[RUNTIME_KEY]
    error = _attempt(runtime.target.start)
    if error:
        pytest.fail(error, pytrace=False)
    return runtime.target


def _attempt(action: Callable[[], Any]) -> str | None:
    """Run ``action``; the user-facing message of an :class:`InfraParityError`, or ``None``."""
    try:
        action()
    except InfraParityError as exc:
        return f"infra-parity: {exc.describe()}"
    return None


@pytest.fixture(scope="session")
def infra_client(infra_target: Target) -> Callable[..., Any]:
    """``infra_client("s3")``: a boto3 client on the target (optionally ``region=``)."""

    def client(service: str, region: str | None = None) -> Any:
        return infra_target.client(service, region)

    return client


@pytest.fixture(scope="session")
def infra_deploy(pytestconfig: pytest.Config, infra_target: Target) -> Iterator[Callable[..., Stack]]:
    """``infra_deploy(design, **parameters)`` deploys a design once per session and returns its ``Stack``.

    ``design`` is a built-in or discovered design name, a design folder, a template path, or a ``Design``.
    Every stack of the session is torn down at its end, newest first (``--infra-keep-stacks`` keeps them).
    """
    runtime = pytestconfig.stash[RUNTIME_KEY]

    def deploy(design: str | Design, **parameters: Any) -> Stack:
        __tracebackhide__ = True
        from pytest_infra_parity.designs import Design, resolve_design

        deployed: list[Stack] = []

        def run() -> None:
            resolved = design if isinstance(design, Design) else resolve_design(
                design, runtime.settings.design_paths, base=pytestconfig.rootpath)
            deployed.append(runtime.deployments.deploy(resolved, parameters))

        error = _attempt(run)
        if error:
            pytest.fail(error, pytrace=False)
        stack = deployed[0]
        pytestconfig.hook.pytest_infra_parity_stack_deployed(stack=stack, target=infra_target)
        return stack

    yield deploy
    for stack in runtime.deployments.stacks:
        pytestconfig.hook.pytest_infra_parity_before_teardown(stack=stack, target=infra_target)
    runtime.teardown()
