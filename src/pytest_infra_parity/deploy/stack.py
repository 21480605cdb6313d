"""A deployed stack: what a test gets back from ``infra_deploy``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_infra_parity.deploy.template import Template


@dataclass
class StackResource:
    """One created resource of a stack."""

    logical_id: str
    resource_type: str
    physical_id: str
    attributes: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)
    """The declared properties, intrinsic functions resolved."""


@dataclass
class Stack:
    """A deployed design or template."""

    name: str
    template: Template
    region: str
    account_id: str
    run_id: str
    deployer: str
    """``applier`` (the plugin's own, on moto/LocalStack) or ``cloudformation`` (real CloudFormation)."""
    design: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, StackResource] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    """Logical ids not created, with the reason (their ``Condition`` is false, CDK metadata)."""
    warnings: list[str] = field(default_factory=list)
    """cfn-lint warnings on the template (errors refuse the deployment)."""

    def physical_id(self, logical_id: str) -> str:
        """The physical id (what ``Ref`` gives) of a resource, by logical id."""
        try:
            return self.resources[logical_id].physical_id
        except KeyError:
            raise KeyError(
                f"stack {self.name} has no resource {logical_id!r}; it has {', '.join(sorted(self.resources))}"
            ) from None

    @property
    def physical_ids(self) -> dict[str, str]:
        return {lid: res.physical_id for lid, res in self.resources.items()}

    def output(self, name: str) -> Any:
        try:
            return self.outputs[name]
        except KeyError:
            raise KeyError(f"stack {self.name} has no output {name!r}; it has {sorted(self.outputs)}") from None

    def of_type(self, resource_type: str) -> list[StackResource]:
        return [r for r in self.resources.values() if r.resource_type == resource_type]
