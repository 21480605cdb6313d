"""Report evidence of a parity or drift comparison (:class:`~pytest_infra_parity.parity.report.ParityReport`).

The ``parity`` section shows, grouped by resource, every difference of the matched pairs (both values, as
bad cells) and every value one side could not tell (the unknown value as a warn cell); then every pair
compared with the aspects and its result (so a comparison without difference still shows what was
checked); then the resources on one side only. A difference found the same (aspect, attribute and both
values) on many resources is one row of its own table, with the resources it is on, instead of one group per
resource. Sources are named short (a design's file as ``photoeditor/template.yaml``, a path under the
working directory relative to it, another path by its file name); the full ones are in the section's text,
with the full title when it had to be shortened. Figures: ``parity.pairs``, ``parity.differences``,
``parity.only_a``, ``parity.only_b``, ``parity.unknown``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from pytest_infra_parity.parity.report import UNKNOWN_TEXT, Difference, UnknownValue
from pytest_infra_parity.parity.table import cell
from pytest_infra_parity.report.model import Cell, Figure, Section, Table, Tone, table

if TYPE_CHECKING:
    from pytest_infra_parity.inventory.model import Resource
    from pytest_infra_parity.parity.report import PairResult, ParityReport

__all__ = ["COLLAPSE_FROM", "DIFFERENCE_COLUMNS", "TITLE_LIMIT", "fit_title", "parity_section", "short_source"]

DIFFERENCE_COLUMNS = ("resource A", "resource B", "type", "aspect", "attribute", "A value", "B value")
VALUE_WIDTH = 160
"""Characters a value cell keeps (the JSON report keeps the whole value)."""
COLLAPSE_FROM = 3
"""A difference found the same on this many resources (or more) is one row listing them."""
TITLE_LIMIT = 110
"""Characters a section title keeps (about a line of the report); the full title goes to the section's text."""
SHOWN_RESOURCES = 60
"""Resources a shared difference's row names (the others are counted)."""


def _value(value: Any) -> str:
    return cell(value, VALUE_WIDTH)


def _name(name: str | None, physical: str | None) -> str:
    if name is None:
        return "-"
    return f"{name} ({physical})" if physical and physical != name else name


def _type(pair: PairResult) -> str:
    a, b = pair.a.cfn_type, pair.b.cfn_type
    return a if a == b else f"{a} / {b}"


def _difference_row(pair: PairResult, item: Difference) -> tuple[Cell, ...]:
    return (Cell(_name(item.name_a, item.physical_a)), Cell(_name(item.name_b, item.physical_b)), Cell(_type(pair)),
            Cell(item.aspect), Cell(item.attribute), Cell(_value(item.value_a), "bad"),
            Cell(_value(item.value_b), "bad"))


def _unknown_cell(value: Any) -> Cell:
    return Cell(_value(value), "warn" if value == UNKNOWN_TEXT else "neutral")


def _unknown_row(pair: PairResult, item: UnknownValue) -> tuple[Cell, ...]:
    return (Cell(_name(item.name_a, item.physical_a)), Cell(_name(item.name_b, item.physical_b)), Cell(_type(pair)),
            Cell(item.aspect), Cell(f"{item.attribute} (unknown: {item.reason})"), _unknown_cell(item.value_a),
            _unknown_cell(item.value_b))


Item = Difference | UnknownValue
Signature = tuple[bool, str, str, str, str]


def _signature(item: Item) -> Signature:
    return (isinstance(item, UnknownValue), item.aspect, item.attribute, _value(item.value_a), _value(item.value_b))


def _shared(report: ParityReport) -> dict[Signature, list[Item]]:
    """The differences (and unknowns) found the same on at least :data:`COLLAPSE_FROM` pairs."""
    found: dict[Signature, list[Item]] = {}
    for pair in report.pairs:
        items: list[Item] = [*pair.differences, *pair.unknowns]
        for item in items:
            found.setdefault(_signature(item), []).append(item)
    return {key: items for key, items in found.items() if len({(i.name_a, i.name_b) for i in items}) >= COLLAPSE_FROM}


def _shared_row(signature: Signature, items: Sequence[Item]) -> tuple[Cell, ...]:
    unknown, aspect, attribute, value_a, value_b = signature
    names = list(dict.fromkeys(item.name_a or item.name_b or "-" for item in items))
    listed = ", ".join(names[:SHOWN_RESOURCES]) + (f" and {len(names) - SHOWN_RESOURCES} more"
                                                   if len(names) > SHOWN_RESOURCES else "")
    reason = f" (unknown: {items[0].reason})" if isinstance(items[0], UnknownValue) else ""
    text = f"{attribute}: {value_a} -> {value_b}{reason} on {len(names)} resources"
    return Cell(aspect), Cell(text, "warn" if unknown else "bad"), Cell(listed)


def _differences_tables(report: ParityReport) -> list[Table]:
    shared = _shared(report)
    rows: list[tuple[Cell, ...]] = []
    for pair in report.pairs:
        rows += [_difference_row(pair, item) for item in pair.differences if _signature(item) not in shared]
        rows += [_unknown_row(pair, item) for item in pair.unknowns if _signature(item) not in shared]
    a, b = report.labels
    tables: list[Table] = []
    if shared:
        tables.append(table(f"Same difference on many resources ({a} / {b})", ("aspect", "difference", "resources"),
                            [_shared_row(key, items) for key, items in shared.items()],
                            note=f"{a} value -> {b} value, the same on every resource listed"))
    if rows:
        tables.append(table(f"Differences of the matched pairs ({a} / {b})", DIFFERENCE_COLUMNS, rows, group_by=0,
                            note="bad: both sides know the value and disagree; warn: a side cannot tell "
                                 "(known after apply)"))
    return tables


def _pair_result(pair: PairResult) -> Cell:
    parts: list[str] = []
    tone: Tone = "good"
    if pair.differences:
        parts.append(f"{len(pair.differences)} difference{'s' * (len(pair.differences) != 1)}")
        tone = "bad"
    if pair.unknowns:
        parts.append(f"{len(pair.unknowns)} unknown")
        tone = "bad" if tone == "bad" else "warn"
    return Cell(", ".join(parts) or "equal", tone)


def _pairs_table(report: ParityReport) -> Table:
    a, b = report.labels
    aspects = ", ".join(report.aspects)
    rows: list[tuple[Cell, ...]] = [(Cell(p.a.name), Cell(p.b.name), Cell(_type(p)), Cell(p.matched_by),
                                     Cell(aspects), _pair_result(p)) for p in report.pairs]
    return table(f"Matched pairs compared ({a} / {b})",
                 ("resource A", "resource B", "type", "matched by", "aspects compared", "result"), rows)


def _only_rows(resources: list[Resource], side: str, tone: Tone) -> list[tuple[Cell, ...]]:
    return [(Cell(side), Cell(r.name), Cell(r.cfn_type), Cell(r.location or ""),
             Cell("missing on the other side", tone)) for r in sorted(resources, key=lambda r: (r.kind, r.name))]


def _only_table(report: ParityReport) -> Table | None:
    if not report.only_a and not report.only_b:
        return None
    a, b = report.labels
    tone: Tone = "bad" if report.presence_checked else "neutral"
    rows = _only_rows(report.only_a, f"only in {a}", tone) + _only_rows(report.only_b, f"only in {b}", tone)
    note = "" if report.presence_checked else "not differences: 'types' is not among the aspects compared"
    return table("Resources on one side only", ("side", "resource", "type", "declared at", "result"), rows,
                 group_by=0, note=note)


def _design_folder(path: PurePosixPath) -> PurePosixPath | None:
    """The folder of the design ``path`` is in (the nearest with a ``design.yaml``), None outside a design."""
    for parent in path.parents:
        if len(parent.parts) > 1 and Path(parent, "design.yaml").is_file():
            return parent
    return None


def _short_path(word: str, cwd: PurePosixPath) -> str:
    path = PurePosixPath(word)
    design = _design_folder(path)
    if design is not None:
        inside = path.relative_to(design)
        return design.name if inside == PurePosixPath(".") else f"{design.name}/{inside}"
    if path.is_relative_to(cwd) and path != cwd:
        return str(path.relative_to(cwd))
    return path.name or word


def short_source(source: str, *, cwd: Path | None = None) -> str:
    """A source description with each absolute path made short: ``photoeditor/template.yaml`` in a design's
    folder, relative to ``cwd`` (default the working directory) under it, else its file name."""
    here = PurePosixPath(cwd or Path.cwd())
    return " ".join(_short_path(word, here) if word.startswith("/") and len(word) > 1 else word
                    for word in source.split(" "))


def fit_title(title: str, limit: int = TITLE_LIMIT) -> str:
    """``title`` cut to ``limit`` characters with ``…`` (at a word boundary when one is near the end)."""
    if len(title) <= limit:
        return title
    head = title[: limit - 1]
    space = head.rfind(" ") if title[limit - 1] != " " else len(head)
    return (head[:space] if space > limit - 25 else head).rstrip(" ,;:") + "…"


_REGION = re.compile(r"\b[a-z]{2}(?:-[a-z]+)+-\d+ ")


def _default_title(what: str, source_a: str, source_b: str) -> str:
    """``Parity of A and B``; when too long, each source without its provenance (``snapshot x.json of live...``
    becomes ``snapshot x.json``), then without its region (``live us-east-1 stack s``: ``live stack s``)."""
    title = f"{what} of {source_a} and {source_b}"
    if len(title) > TITLE_LIMIT:
        source_a, source_b = (source.split(" of ")[0] or source for source in (source_a, source_b))
        title = f"{what} of {source_a} and {source_b}"
    if len(title) > TITLE_LIMIT:
        title = _REGION.sub("", title)
    return title


def _text(report: ParityReport, sources: tuple[str, str], title: str, shown: str) -> str:
    lines = [f"title: {title}"] if shown != title else []
    lines += [f"{label} = {full}" for label, full, short in zip(report.labels, (report.source_a, report.source_b),
                                                                   sources, strict=True) if full != short]
    lines += [f"ambiguous: {x.describe()}" for x in report.ambiguous]
    lines += [f"warning: {w}" for w in report.warnings]
    if any(report.ignored):
        lines.append(f"ignored by the mapping: {report.ignored[0]} in {report.labels[0]}, "
                     f"{report.ignored[1]} in {report.labels[1]}")
    return "\n".join(lines)


def parity_section(report: ParityReport, *, expect_differences: bool = False, title: str = "") -> Section:
    """The ``parity`` section of a parity (or drift) report.

    ``expect_differences``: the scenario introduced a difference on purpose (``Then they differ on``), so
    the verdict is good when there is one; otherwise it is good when there is none.
    """
    a, b = report.labels
    differences = report.differences
    ok = bool(differences) if expect_differences else not differences
    tables = [*_differences_tables(report), _pairs_table(report)]
    tables += [t for t in (_only_table(report),) if t is not None]
    what = "Drift" if report.mode == "drift" else "Parity"
    sources = (short_source(report.source_a), short_source(report.source_b))
    summary = f"{a} = {sources[0]}; {b} = {sources[1]}; aspects: {', '.join(report.aspects)}. {report.summary()}"
    figures = (Figure("parity.pairs", len(report.pairs), label="pairs matched"),
               Figure("parity.differences", len(differences), label="differences",
                      tone="good" if not differences else ("neutral" if expect_differences else "bad")),
               Figure("parity.only_a", len(report.only_a), label=f"only in {a}"),
               Figure("parity.only_b", len(report.only_b), label=f"only in {b}"),
               Figure("parity.unknown", len(report.unknowns), label="unknown values",
                      tone="warn" if report.unknowns else "neutral"))
    full = title or f"{what} of {sources[0]} and {sources[1]}"
    shown = fit_title(title or _default_title(what, *sources))
    return Section(kind="parity", title=shown, verdict="good" if ok else "bad", summary=summary, figures=figures,
                   tables=tuple(tables), text=_text(report, sources, full, shown))
