"""A design's cost settings: its ``usage`` and ``cost`` sections and its ``budget``, validated.

``design.yaml``::

    usage:                      # design-wide figures, shared with the other rooms
      requests_per_day: 600
      active_hours_per_day: 2
    cost:
      region: eu-west-3         # where to price it (default: the session's or the CLI's region)
      free_tier: false          # apply the AWS free tier (default false)
      resources:                # per-resource usage, by logical id
        Service: {task_hours_per_month: 64}
      notes: [...]
    budget: {amount: 25, currency: EUR, period: month}

A wrong key or value raises :class:`~.usage.UsageError` naming the section, the key and the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_infra_parity.cost.currency import currency_code
from pytest_infra_parity.cost.usage import UsageError, UsageProfile, parse_usage

COST_KEYS = frozenset({"region", "free_tier", "resources", "notes", "currency"})


@dataclass(frozen=True)
class Budget:
    """A monthly spending limit."""

    amount: float
    currency: str

    def describe(self) -> str:
        return f"{self.amount:g} {self.currency} a month"


@dataclass(frozen=True)
class DesignCost:
    """What the cost room reads from one design."""

    usage: UsageProfile
    region: str | None = None
    free_tier: bool = False
    currency: str = "USD"
    budget: Budget | None = None


def parse_budget(budget: Any, path: Path | str | None = None) -> Budget | None:
    """The ``budget`` section (``{amount, currency, period: month}``), None when absent."""
    if not budget:
        return None
    if not isinstance(budget, Mapping):
        raise UsageError(f"budget must be a mapping {{amount, currency, period}}, got {budget!r}", path=path)
    amount = budget.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int | float) or amount <= 0:
        raise UsageError(f"budget.amount must be a number above 0, got {amount!r}", path=path)
    if str(budget.get("period", "month")) != "month":
        raise UsageError(f"budget.period must be 'month', got {budget.get('period')!r}", path=path)
    try:
        code = currency_code(str(budget.get("currency", "USD")))
    except ValueError as exc:
        raise UsageError(f"budget.currency: {exc}", path=path) from None
    return Budget(float(amount), code)


def design_cost(name: str, usage: Mapping[str, Any] | None, sections: Mapping[str, Any],
                budget: Any, path: Path | str | None = None) -> DesignCost:
    """The cost settings of a design (its name, ``usage``, room ``sections`` and ``budget``)."""
    cost = sections.get("cost") or {}
    if not isinstance(cost, Mapping):
        raise UsageError(f"'cost' must be a mapping ({', '.join(sorted(COST_KEYS))})", path=path)
    unknown = sorted(set(cost) - COST_KEYS)
    if unknown:
        raise UsageError(f"unknown key(s) cost.{', cost.'.join(unknown)}; known: {', '.join(sorted(COST_KEYS))}",
                         path=path)
    region = cost.get("region")
    if region is not None and (not isinstance(region, str) or not region.strip()):
        raise UsageError(f"cost.region must be a region name such as eu-west-3, got {region!r}", path=path)
    free = cost.get("free_tier", False)
    if not isinstance(free, bool):
        raise UsageError(f"cost.free_tier must be true or false, got {free!r}", path=path)
    try:
        currency = currency_code(str(cost.get("currency", "USD")))
    except ValueError as exc:
        raise UsageError(f"cost.currency: {exc}", path=path) from None
    profile = parse_usage(usage, cost, source=f"design {name} (usage, cost.resources)", path=path)
    parsed_budget = parse_budget(budget, path)
    if parsed_budget is not None and "currency" not in cost:
        currency = parsed_budget.currency
    return DesignCost(profile, region.strip() if isinstance(region, str) else None, free, currency, parsed_budget)


def of_design(design: Any) -> DesignCost:
    """The cost settings of a :class:`~pytest_infra_parity.designs.Design` (duck-typed)."""
    return design_cost(design.name, design.usage, design.sections, design.budget,
                       path=Path(design.folder) / "design.yaml")


def read_usage_file(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``usage`` and ``cost`` sections of a usage FILE: a design.yaml, a file with those sections, or a
    bare mapping of usage figures (``resources`` inside it are per-resource figures)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read the usage file: {exc.strerror}", path=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise UsageError(f"malformed YAML: {getattr(exc, 'problem', None) or exc}", path=path,
                         line=mark.line + 1 if mark is not None else None) from None
    if data is None:
        return {}, {}
    if not isinstance(data, Mapping):
        raise UsageError("a usage file must be a mapping (usage figures, or usage: and cost: sections)", path=path)
    if "usage" in data or "cost" in data:
        usage, cost = data.get("usage") or {}, data.get("cost") or {}
    else:
        usage = {k: v for k, v in data.items() if k != "resources"}
        cost = {"resources": data["resources"]} if "resources" in data else {}
    if not isinstance(usage, Mapping) or not isinstance(cost, Mapping):
        raise UsageError("usage: and cost: must be mappings", path=path)
    return dict(usage), dict(cost)
