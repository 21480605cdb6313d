"""Drift: the declared state (template) of a deployment against what the target holds now.

Both inventories describe the *same* deployment, so no name normalization is needed: resources are
paired by logical name (the live inventory of a stack names resources by their logical id, from
``DescribeStackResources``' ``LogicalResourceId``), then by physical id or ARN for those a live
selection by tags or ARNs could only name physically. Every difference is drift (AWS CloudFormation
User Guide, "Detect unmanaged configuration changes to stacks and resources with drift detection":
a resource has drifted when its actual configuration differs from the expected one).
"""

from __future__ import annotations

from collections.abc import Iterable

from pytest_infra_parity.inventory.model import Inventory, Resource
from pytest_infra_parity.parity.aspects import DEFAULT_ASPECTS
from pytest_infra_parity.parity.diff import build_report, check_aspects
from pytest_infra_parity.parity.identity import naming_part
from pytest_infra_parity.parity.match import match_exact
from pytest_infra_parity.parity.report import ParityReport


def _logical(resource: Resource) -> str:
    return resource.name


def _physical(resource: Resource) -> str:
    for value in (resource.physical_id, resource.arn):
        if isinstance(value, str) and value:
            return naming_part(value)
    return ""


def drift(declared: Inventory, live: Inventory, *, aspects: Iterable[str] = DEFAULT_ASPECTS,
          ignore_tags: Iterable[str] = (), kinds: Iterable[str] | None = None) -> ParityReport:
    """Compare the template's resources with the live ones of the same deployment; differences are drift."""
    chosen = check_aspects(aspects)
    matching = match_exact(declared, live, kinds=kinds,
                           passes=((_logical, "logical name"), (_physical, "physical id")))
    return build_report(declared, live, matching, chosen, ignore_tags=tuple(ignore_tags), mode="drift",
                        labels=("declared", "live"))
