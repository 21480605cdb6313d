"""Report evidence of a parity or drift comparison (:class:`~pytest_infra_parity.parity.report.ParityReport`).

The ``parity`` section shows, grouped by resource, every difference of the matched pairs (both values, as
bad cells) and every value one side could not tell (the unknown value as a warn cell); then every pair
compared with the aspects and its result (so a comparison without difference still shows what was
checked); then the resources on one side only. Figures: ``parity.pairs``, ``parity.differences``,
``parity.only_a``, ``parity.only_b``, ``parity.unknown``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_infra_parity.parity.report import UNKNOWN_TEXT, Difference, UnknownValue
from pytest_infra_parity.parity.table import cell
from pytest_infra_parity.report.model import Cell, Figure, Section, Table, Tone, table

if TYPE_CHECKING:
    from pytest_infra_parity.inventory.model import Resource
    from pytest_infra_parity.parity.report import PairResult, ParityReport

__all__ = ["DIFFERENCE_COLUMNS", "parity_section", "short_source"]

DIFFERENCE_COLUMNS = ("resource A", "resource B", "type", "aspect", "attribute", "A value", "B value")
VALUE_WIDTH = 160
"""Characters a value cell keeps (the JSON report keeps the whole value)."""


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


def _differences_table(report: ParityReport) -> Table | None:
    rows: list[tuple[Cell, ...]] = []
    for pair in report.pairs:
        rows += [_difference_row(pair, item) for item in pair.differences]
        rows += [_unknown_row(pair, item) for item in pair.unknowns]
    if not rows:
        return None
    a, b = report.labels
    return table(f"Differences of the matched pairs ({a} / {b})", DIFFERENCE_COLUMNS, rows, group_by=0,
                 note="bad: both sides know the value and disagree; warn: a side cannot tell (known after apply)")


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


def short_source(source: str) -> str:
    """A source description with each absolute path cut to its last two parts (``…/photoeditor/terraform``)."""
    words = []
    for word in source.split(" "):
        parts = word.split("/")
        words.append("…/" + "/".join(parts[-2:]) if word.startswith("/") and len(parts) > 3 else word)
    return " ".join(words)


def _text(report: ParityReport) -> str:
    lines = [f"ambiguous: {x.describe()}" for x in report.ambiguous]
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
    tables = [t for t in (_differences_table(report), _pairs_table(report), _only_table(report)) if t is not None]
    what = "Drift" if report.mode == "drift" else "Parity"
    summary = (f"{a} = {report.source_a}; {b} = {report.source_b}; aspects: {', '.join(report.aspects)}. "
               f"{report.summary()}")
    figures = (Figure("parity.pairs", len(report.pairs), label="pairs matched"),
               Figure("parity.differences", len(differences), label="differences",
                      tone="good" if not differences else ("neutral" if expect_differences else "bad")),
               Figure("parity.only_a", len(report.only_a), label=f"only in {a}"),
               Figure("parity.only_b", len(report.only_b), label=f"only in {b}"),
               Figure("parity.unknown", len(report.unknowns), label="unknown values",
                      tone="warn" if report.unknowns else "neutral"))
    default = f"{what} of {short_source(report.source_a)} and {short_source(report.source_b)}"
    return Section(kind="parity", title=title or default,
                   verdict="good" if ok else "bad", summary=summary, figures=figures, tables=tuple(tables),
                   text=_text(report))
