"""Fixtures of the inventory tests: a moto account of their own, and deployed designs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pytest_infra_parity.deploy.applier import Applier
from pytest_infra_parity.deploy.stack import Stack
from pytest_infra_parity.deploy.template import load_template
from pytest_infra_parity.designs import builtin_designs
from pytest_infra_parity.targets._clients import ClientCache
from pytest_infra_parity.targets.protocol import Identity

REGION = "us-east-1"
ACCOUNT = "210987654321"
"""An account of the shared moto server no other test uses: tag selections see only these tests' resources."""


class AccountTarget:
    """The shared moto server, as a target acting in its own account."""

    name = "moto"
    region = REGION
    capabilities: frozenset[str] = frozenset()

    def __init__(self, endpoint: str, account: str) -> None:
        self.endpoint_url = endpoint
        self.account = account
        self._clients = ClientCache(endpoint_url=endpoint, default_region=REGION, credentials=("testing", "testing"),
                                    headers={"x-moto-account-id": account}, max_attempts=1)

    def start(self) -> None:
        """Nothing to start: the server runs."""

    def stop(self) -> None:
        """Nothing to stop."""

    def client(self, service: str, region: str | None = None) -> Any:
        return self._clients.client(service, region)

    def identity(self) -> Identity:
        return Identity(account_id=self.account, arn=f"arn:aws:iam::{self.account}:user/moto")

    def describe(self) -> str:
        return f"moto {self.endpoint_url} account {self.account}"


@pytest.fixture(scope="session")
def inventory_target(moto_endpoint: str) -> AccountTarget:
    return AccountTarget(moto_endpoint, ACCOUNT)


@pytest.fixture(scope="session")
def inventory_clients(inventory_target: AccountTarget) -> Callable[[str], Any]:
    return inventory_target.client


@pytest.fixture(scope="session")
def deployed(inventory_target: AccountTarget) -> Iterator[dict[str, Stack]]:
    """photoeditor and dashborion, deployed once for the inventory tests (torn down at the end).

    Through the applier directly: the session's cfn-lint check of the built-in designs is tested elsewhere.
    """
    applier = Applier(inventory_target.client, REGION, ACCOUNT, "inv")
    stacks: dict[str, Stack] = {}
    for name in ("photoeditor", "dashborion"):
        design = builtin_designs()[name]
        template = load_template(design.template_path, region=REGION, account_id=ACCOUNT)
        stacks[name] = applier.deploy(template, f"ipp-{name}-inv", dict(design.parameters), design=name)
    yield stacks
    for stack in reversed(list(stacks.values())):
        assert applier.teardown(stack) == []
