"""Compare two inventories on types, tags, encryption and observability (any subset; ``settings`` too).

``compare(a, b)`` pairs the resources (:func:`.match.match`), runs each chosen aspect on every pair
(:mod:`.aspects`) and returns a :class:`.report.ParityReport`: pairs with their differences,
resources on one side only, unknowns. The parity contract it checks is the seed's ADR 0008
("Parity Validation": plans of equivalent environments "must align on resource types, encryption
settings, tagging, and observability configurations").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.inventory.model import Inventory
from pytest_infra_parity.parity.aspects import ASPECTS, DEFAULT_ASPECTS, Context
from pytest_infra_parity.parity.mapping import Mapping, load_mapping
from pytest_infra_parity.parity.match import Matching, match
from pytest_infra_parity.parity.report import PairResult, ParityReport, count_kinds

MappingLike = Mapping | dict[str, str] | str | Path | None


def check_aspects(aspects: Iterable[str]) -> tuple[str, ...]:
    """The aspects as a tuple without repeats; ConfigError naming the known ones for an unknown one."""
    chosen = tuple(dict.fromkeys(a.strip().lower() for a in aspects if a.strip()))
    unknown = [a for a in chosen if a not in ASPECTS]
    if unknown or not chosen:
        raise ConfigError(f"unknown parity aspect(s) {', '.join(unknown) or '(none given)'}; "
                          f"known: {', '.join(ASPECTS)}")
    return chosen


def as_mapping(mapping: MappingLike) -> Mapping | None:
    """A :class:`Mapping` from a Mapping, a ``{name A: name B}`` dict or the path of a mapping file."""
    if mapping is None or isinstance(mapping, Mapping):
        return mapping
    if isinstance(mapping, dict):
        return Mapping.of(mapping)
    return load_mapping(Path(mapping))


def build_report(a: Inventory, b: Inventory, matching: Matching, aspects: Sequence[str], *,
                 ignore_tags: Sequence[str] = (), mode: str = "parity",
                 labels: tuple[str, str] = ("A", "B")) -> ParityReport:
    """Run the aspects over the pairs of ``matching`` and assemble the report."""
    chosen = check_aspects(aspects)
    context = Context(a, b, matching, ignore_tags=tuple(ignore_tags), labels=labels)
    functions = [ASPECTS[name] for name in chosen]
    results: list[PairResult] = []
    for pair in matching.pairs:
        result = PairResult(pair.a, pair.b, pair.matched_by)
        for function in functions:
            function(context, result)
        results.append(result)
    return ParityReport(
        source_a=a.source, source_b=b.source, aspects=chosen, pairs=results,
        only_a=list(matching.only_a), only_b=list(matching.only_b), ambiguous=list(matching.ambiguous),
        warnings=list(matching.warnings), counts=count_kinds(results, matching.only_a, matching.only_b),
        mode=mode, labels=labels, ignored=(len(matching.ignored_a), len(matching.ignored_b)),
    )


def compare(a: Inventory, b: Inventory, *, aspects: Iterable[str] = DEFAULT_ASPECTS, mapping: MappingLike = None,
            ignore_tags: Sequence[str] = (), kinds: Iterable[str] | None = None, project: str | None = None,
            stages: Iterable[str] | None = None) -> ParityReport:
    """Compare ``a`` with ``b`` on ``aspects``.

    ``mapping``: explicit pairs and ignore patterns (a :class:`Mapping`, a dict or a mapping file);
    ``ignore_tags``: tag keys (glob patterns) left out of the ``tags`` aspect; ``kinds``: only these
    kinds (``"queue"``, ``"buckets"``...); ``project``/``stages``: name normalization (the project is
    inferred from the names when not given).
    """
    chosen = check_aspects(aspects)
    matching = match(a, b, mapping=as_mapping(mapping), project=project, stages=stages, kinds=kinds)
    return build_report(a, b, matching, chosen, ignore_tags=ignore_tags)
