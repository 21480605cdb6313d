"""The parity report: matched pairs with their differences, resources on one side only, unknowns.

A *difference* is a value both sides know and disagree on (or a resource one side lacks, for the
``types`` aspect). An *unknown* is a value at least one side cannot tell (Terraform's "known after
apply", a key reference that names no key of its inventory): listed apart, neither a difference
nor an equality. ``ok`` is true when there is no difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.inventory.model import Resource, is_unknown
from pytest_infra_parity.parity.identity import naming_part
from pytest_infra_parity.parity.match import Ambiguity

ABSENT = "(absent)"
UNKNOWN_TEXT = "(known after apply)"


def plain(value: Any) -> Any:
    """``value`` as JSON-able data: UNKNOWN -> ``"(known after apply)"``, sets sorted, others ``str``."""
    if is_unknown(value):
        return UNKNOWN_TEXT
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)


def physical(resource: Resource) -> str | None:
    """The name the resource has on AWS, as its source gives it (the name part of an ARN or URL)."""
    for value in (resource.physical_id, resource.arn):
        if isinstance(value, str) and value:
            return naming_part(value) if value.startswith(("arn:", "http")) else value
    return None


@dataclass(frozen=True)
class Difference:
    """One disagreement: ``value_a``/``value_b`` are JSON-able; ``None`` means absent on that side."""

    kind: str
    name_a: str | None
    name_b: str | None
    aspect: str
    attribute: str
    value_a: Any
    value_b: Any
    physical_a: str | None = None
    """The physical name (or id) of the resource on side A, when known."""
    physical_b: str | None = None

    def names(self) -> set[str]:
        """Every name the difference can be found by: logical names and physical names of both sides."""
        return {n for n in (self.name_a, self.name_b, self.physical_a, self.physical_b) if n}

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name_a": self.name_a, "name_b": self.name_b, "aspect": self.aspect,
                "attribute": self.attribute, "value_a": self.value_a, "value_b": self.value_b,
                "physical_a": self.physical_a, "physical_b": self.physical_b}


@dataclass(frozen=True)
class UnknownValue:
    """A value one side (or both) cannot tell: not compared, reported apart."""

    kind: str
    name_a: str | None
    name_b: str | None
    aspect: str
    attribute: str
    value_a: Any
    value_b: Any
    reason: str
    physical_a: str | None = None
    physical_b: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name_a": self.name_a, "name_b": self.name_b, "aspect": self.aspect,
                "attribute": self.attribute, "value_a": self.value_a, "value_b": self.value_b,
                "reason": self.reason, "physical_a": self.physical_a, "physical_b": self.physical_b}


@dataclass
class PairResult:
    """A matched pair, how it was matched, and what the comparison found."""

    a: Resource
    b: Resource
    matched_by: str
    differences: list[Difference] = field(default_factory=list)
    unknowns: list[UnknownValue] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.a.kind

    def differ(self, aspect: str, attribute: str, value_a: Any, value_b: Any) -> None:
        """Record a difference (values are made JSON-able)."""
        self.differences.append(Difference(self.a.kind, self.a.name, self.b.name, aspect, attribute,
                                           plain(value_a), plain(value_b), physical(self.a), physical(self.b)))

    def unknown(self, aspect: str, attribute: str, value_a: Any, value_b: Any, reason: str) -> None:
        """Record a value that cannot be compared."""
        self.unknowns.append(UnknownValue(self.a.kind, self.a.name, self.b.name, aspect, attribute,
                                          plain(value_a), plain(value_b), reason, physical(self.a),
                                          physical(self.b)))

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name_a": self.a.name, "name_b": self.b.name, "matched_by": self.matched_by,
                "differences": [d.as_json() for d in self.differences],
                "unknowns": [u.as_json() for u in self.unknowns]}


def resource_json(resource: Resource) -> dict[str, Any]:
    """The identifying fields of a resource, for the JSON report."""
    return {"kind": resource.kind, "name": resource.name, "cfn_type": resource.cfn_type,
            "physical_id": plain(resource.physical_id), "location": resource.location}


@dataclass
class ParityReport:
    """What :func:`.diff.compare` (or :func:`.drift.drift`) found; ``ok`` when nothing differs."""

    source_a: str
    source_b: str
    aspects: tuple[str, ...]
    pairs: list[PairResult]
    only_a: list[Resource]
    only_b: list[Resource]
    ambiguous: list[Ambiguity] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    mode: str = "parity"
    labels: tuple[str, str] = ("A", "B")
    ignored: tuple[int, int] = (0, 0)

    @property
    def presence_checked(self) -> bool:
        """Resources on one side only count as differences when the ``types`` aspect is compared."""
        return "types" in self.aspects

    @property
    def differences(self) -> list[Difference]:
        """Every difference, flat: one-side resources first (``types``), then pair by pair."""
        found: list[Difference] = []
        if self.presence_checked:
            found += [Difference(r.kind, r.name, None, "types", "resource", r.cfn_type, None, physical(r))
                      for r in self.only_a]
            found += [Difference(r.kind, None, r.name, "types", "resource", None, r.cfn_type, None, physical(r))
                      for r in self.only_b]
        for pair in self.pairs:
            found += pair.differences
        return found

    def differences_for(self, name: str, aspect: str | None = None) -> list[Difference]:
        """The differences of the resource called ``name`` on either side (logical or physical name)."""
        return [d for d in self.differences if name in d.names() and (aspect is None or d.aspect == aspect)]

    @property
    def unknowns(self) -> list[UnknownValue]:
        return [u for pair in self.pairs for u in pair.unknowns]

    @property
    def ok(self) -> bool:
        return not self.differences

    def pairs_with_differences(self) -> list[PairResult]:
        return [p for p in self.pairs if p.differences]

    def kinds_with_different_counts(self) -> dict[str, tuple[int, int]]:
        return {k: v for k, v in sorted(self.counts.items()) if v[0] != v[1]}

    def summary(self) -> str:
        """One line: the counts of pairs, differences, one-side resources and unknowns."""
        a, b = self.labels
        diffs = sum(len(p.differences) for p in self.pairs)
        differing = (f"{diffs} attribute difference{'s' * (diffs != 1)} in {len(self.pairs_with_differences())} "
                     f"of them" if diffs else "none differs")
        return (f"{len(self.pairs)} pairs matched, {differing}, {len(self.only_a)} only in {a}, "
                f"{len(self.only_b)} only in {b}, {len(self.unknowns)} unknown")

    def format_table(self, *, limit: int = 60) -> str:
        """The readable text table for a pytest failure message (see :mod:`.table`)."""
        from pytest_infra_parity.parity.table import render

        return render(self, limit=limit)

    def as_json(self) -> dict[str, Any]:
        """The whole report as JSON-able data (``json.dumps(report.as_json())``)."""
        a, b = self.labels
        return {
            "ok": self.ok, "mode": self.mode, "source_a": self.source_a, "source_b": self.source_b,
            "labels": {"a": a, "b": b}, "aspects": list(self.aspects),
            "summary": {"pairs": len(self.pairs), "differences": len(self.differences),
                        "pairs_with_differences": len(self.pairs_with_differences()),
                        "only_a": len(self.only_a), "only_b": len(self.only_b),
                        "unknowns": len(self.unknowns), "ambiguous": len(self.ambiguous),
                        "ignored_a": self.ignored[0], "ignored_b": self.ignored[1]},
            "counts": {k: {"a": v[0], "b": v[1]} for k, v in sorted(self.counts.items())},
            "differences": [d.as_json() for d in self.differences],
            "unknowns": [u.as_json() for u in self.unknowns],
            "pairs": [p.as_json() for p in self.pairs],
            "only_a": [resource_json(r) for r in self.only_a],
            "only_b": [resource_json(r) for r in self.only_b],
            "ambiguous": [{"kind": x.kind, "key": x.key, "names_a": list(x.names_a), "names_b": list(x.names_b),
                           "matched_by": x.matched_by} for x in self.ambiguous],
            "warnings": list(self.warnings),
        }


def count_kinds(pairs: Sequence[PairResult], only_a: Sequence[Resource],
                only_b: Sequence[Resource]) -> dict[str, tuple[int, int]]:
    """Resources per kind on each side (of those compared)."""
    counts: dict[str, list[int]] = {}
    for pair in pairs:
        counts.setdefault(pair.a.kind, [0, 0])[0] += 1
        counts.setdefault(pair.b.kind, [0, 0])[1] += 1
    for resource in only_a:
        counts.setdefault(resource.kind, [0, 0])[0] += 1
    for resource in only_b:
        counts.setdefault(resource.kind, [0, 0])[1] += 1
    return {k: (v[0], v[1]) for k, v in counts.items()}
