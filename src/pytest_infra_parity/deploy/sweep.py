"""The sweeper: remove what killed runs left on a persistent target.

The applier keeps a ledger of every resource it creates on the target (see :mod:`.ledger`); the
sweeper deletes ledgered resources in reverse creation order through the same provisioners, stack by
stack, then reports any resource still tagged ``infra-parity:run`` that no ledger explains.
CloudFormation stacks tagged by the plugin are deleted through CloudFormation.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.deploy import ledger
from pytest_infra_parity.deploy.applier import RUN_TAG, delete_resource
from pytest_infra_parity.deploy.cloudformation import delete_stack
from pytest_infra_parity.deploy.leftovers import classify
from pytest_infra_parity.deploy.provisioners.base import DELETED_TAG, ClientFactory
from pytest_infra_parity.deploy.stack import StackResource


@dataclass
class SweepReport:
    deleted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    stray: list[str] = field(default_factory=list)
    """ARNs still tagged ``infra-parity:run`` after the sweep (left for a human to look at)."""
    undeletable: list[str] = field(default_factory=list)
    """ARNs the target cannot delete (no delete API), marked ``infra-parity:deleted``."""
    stacks: list[str] = field(default_factory=list)


def _select(entries: Iterable[ledger.LedgerEntry], run_id: str | None, older_than: float | None,
            exclude_run: str | None) -> dict[str, list[ledger.LedgerEntry]]:
    now = time.time()
    by_stack: dict[str, list[ledger.LedgerEntry]] = {}
    for entry in entries:
        if run_id and entry.run_id != run_id:
            continue
        if exclude_run and entry.run_id == exclude_run:
            continue
        if older_than is not None and now - entry.created_at < older_than:
            continue
        by_stack.setdefault(entry.stack_name, []).append(entry)
    return by_stack


def plan(clients: ClientFactory, *, run_id: str | None = None, older_than: float | None = None,
         exclude_run: str | None = None) -> dict[str, list[ledger.LedgerEntry]]:
    """What :func:`sweep` would delete, by stack (each list in creation order)."""
    return _select(ledger.read(clients), run_id, older_than, exclude_run)


def sweep(clients: ClientFactory, account_id: str, *, run_id: str | None = None,
          older_than: float | None = None, exclude_run: str | None = None,
          dry_run: bool = False) -> SweepReport:
    """Delete ledgered resources (newest first in each stack) and report stray tagged ones."""
    report = SweepReport()
    for stack_name, entries in plan(clients, run_id=run_id, older_than=older_than,
                                    exclude_run=exclude_run).items():
        report.stacks.append(stack_name)
        for entry in sorted(entries, key=lambda e: e.order, reverse=True):
            label = f"{stack_name}/{entry.logical_id} ({entry.resource_type} {entry.physical_id})"
            if dry_run:
                report.deleted.append(label)
                continue
            resource = StackResource(entry.logical_id, entry.resource_type, entry.physical_id,
                                     dict(entry.attributes), dict(entry.properties))
            error = delete_resource(clients, stack_name, resource, entry.region, account_id, entry.run_id)
            (report.failed if error else report.deleted).append(error or label)
    for stack_name in plan_stacks(clients, run_id=run_id, older_than=older_than, exclude_run=exclude_run):
        report.stacks.append(stack_name)
        if dry_run:
            report.deleted.append(f"{stack_name} (CloudFormation stack)")
            continue
        errors = delete_stack(clients, stack_name)
        if errors:
            report.failed.append("\n  ".join(errors))
        else:
            report.deleted.append(f"{stack_name} (CloudFormation stack)")
    if not dry_run:
        report.stray, report.undeletable = leftovers(clients, run_id)
    return report


def plan_stacks(clients: ClientFactory, *, run_id: str | None = None, older_than: float | None = None,
                exclude_run: str | None = None) -> list[str]:
    """CloudFormation stacks the plugin created (tagged ``infra-parity:run``) that :func:`sweep` deletes."""
    now = time.time()
    names: list[str] = []
    for page in clients("cloudformation").get_paginator("describe_stacks").paginate():
        for stack in page.get("Stacks", []):
            tags = {t["Key"]: t["Value"] for t in stack.get("Tags", [])}
            run = tags.get(RUN_TAG)
            if run is None or stack.get("StackStatus") == "DELETE_COMPLETE":
                continue
            if (run_id and run != run_id) or (exclude_run and run == exclude_run):
                continue
            created = stack.get("CreationTime")
            if older_than is not None and created is not None and now - created.timestamp() < older_than:
                continue
            names.append(str(stack["StackName"]))
    return names


def leftovers(clients: ClientFactory, run_id: str | None = None) -> tuple[list[str], list[str]]:
    """``(still there, undeletable)``: ARNs tagged by the plugin (of one run, or of any) that remain.

    Resources on their way out (INACTIVE, deleted, pending deletion) do not count; see
    :mod:`pytest_infra_parity.deploy.leftovers`.
    """
    tagging = clients("resourcegroupstaggingapi")
    tag_filter: dict[str, Any] = {"Key": RUN_TAG}
    if run_id:
        tag_filter["Values"] = [run_id]
    mappings: list[dict[str, Any]] = []
    paginator = tagging.get_paginator("get_resources")
    for page in paginator.paginate(TagFilters=[tag_filter]):
        mappings.extend(page.get("ResourceTagMappingList", []))
    return classify(clients, mappings, DELETED_TAG)


def stray_resources(clients: ClientFactory, run_id: str | None = None) -> list[str]:
    """ARNs tagged by the plugin that are still really on the target."""
    return leftovers(clients, run_id)[0]
