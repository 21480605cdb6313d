"""The explicit mapping file: pairs of names normalization cannot match, and names to leave out.

Format (YAML)::

    project: photoeditor            # optional: the project token to strip (else inferred)
    stages: [qa2]                   # optional: extra stage words
    pairs:                          # name on side A -> name on side B
      ProcessingQueue: module.sqs.aws_sqs_queue.main
      JobsTable: {name: aws_dynamodb_table.jobs, kind: table}
    # or a list:
    #   - [ProcessingQueue, module.sqs.aws_sqs_queue.main]
    #   - {a: JobsTable, b: aws_dynamodb_table.jobs, kind: table}
    ignore:
      a: ["*Role", PresignFunctionPermission]   # glob patterns on name, physical id or ARN
      b: ["aws_iam_*"]
      both: ["*Policy"]

A document with none of the keys ``pairs``, ``ignore``, ``project``, ``stages`` is read as the
``pairs`` mapping itself. Names are exact resource names, physical ids or ARNs of their side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import yaml

from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.inventory.model import kind_of_word

_TOP_KEYS: Final = ("pairs", "ignore", "project", "stages")
_SIDES: Final = ("a", "b", "both")


@dataclass(frozen=True)
class MappingEntry:
    """One explicit pair: a name on side A, a name on side B, optionally the kind both have."""

    a: str
    b: str
    kind: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Mapping:
    """What the mapping file says: explicit pairs, ignore patterns per side, project and stages."""

    pairs: tuple[MappingEntry, ...] = ()
    ignore_a: tuple[str, ...] = ()
    ignore_b: tuple[str, ...] = ()
    project: str | None = None
    stages: tuple[str, ...] = ()
    path: Path | None = field(default=None, compare=False)

    @classmethod
    def of(cls, pairs: dict[str, str]) -> Mapping:
        """A mapping from a plain ``{name on A: name on B}`` dict (for code and tests)."""
        return cls(pairs=tuple(MappingEntry(a, b) for a, b in pairs.items()))

    def where(self, entry: MappingEntry) -> str:
        """``file:line`` of an entry, for messages."""
        where = str(self.path) if self.path is not None else "mapping"
        return f"{where}:{entry.line}" if entry.line else where


class _Reader:
    """Walks the composed YAML nodes, keeping line numbers for errors."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def fail(self, message: str, node: yaml.Node | None) -> ConfigError:
        line = node.start_mark.line + 1 if node is not None else None
        return ConfigError(f"mapping file: {message}", path=self.path or "<mapping>", line=line)

    def scalar(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.value == "":
            raise self.fail(f"{what} must be a non-empty string", node)
        return str(node.value)

    def kind(self, node: yaml.Node) -> str:
        try:
            return kind_of_word(self.scalar(node, "kind"))
        except ValueError as exc:
            raise self.fail(str(exc), node) from exc

    def strings(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        if isinstance(node, yaml.ScalarNode):
            return (self.scalar(node, what),)
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(f"{what} must be a list of names or patterns", node)
        return tuple(self.scalar(item, what) for item in node.value)

    def entry_from_mapping(self, node: yaml.MappingNode) -> MappingEntry:
        fields = {self.scalar(k, "a key"): v for k, v in node.value}
        unknown = sorted(set(fields) - {"a", "b", "kind"})
        if unknown or "a" not in fields or "b" not in fields:
            raise self.fail("a pair is {a: NAME, b: NAME} with an optional kind"
                            + (f"; unknown key(s): {', '.join(unknown)}" if unknown else ""), node)
        kind = self.kind(fields["kind"]) if "kind" in fields else None
        return MappingEntry(self.scalar(fields["a"], "a"), self.scalar(fields["b"], "b"), kind,
                            node.start_mark.line + 1)

    def pair_item(self, node: yaml.Node) -> MappingEntry:
        if isinstance(node, yaml.SequenceNode):
            if len(node.value) != 2:
                raise self.fail(f"a pair is a list of two names, got {len(node.value)}", node)
            a, b = (self.scalar(n, "a name") for n in node.value)
            return MappingEntry(a, b, None, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self.entry_from_mapping(node)
        raise self.fail("a pair is [NAME_A, NAME_B] or {a: NAME_A, b: NAME_B}", node)

    def pairs(self, node: yaml.Node) -> tuple[MappingEntry, ...]:
        if isinstance(node, yaml.SequenceNode):
            return tuple(self.pair_item(item) for item in node.value)
        if not isinstance(node, yaml.MappingNode):
            raise self.fail("'pairs' must map names on side A to names on side B, or list pairs", node)
        entries = []
        for key, value in node.value:
            a = self.scalar(key, "a name on side A")
            if isinstance(value, yaml.MappingNode):
                fields = {self.scalar(k, "a key"): v for k, v in value.value}
                if "name" not in fields or set(fields) - {"name", "kind"}:
                    raise self.fail(f"{a}: write NAME_B or {{name: NAME_B, kind: KIND}}", value)
                kind = self.kind(fields["kind"]) if "kind" in fields else None
                entries.append(MappingEntry(a, self.scalar(fields["name"], "name"), kind, key.start_mark.line + 1))
            else:
                entries.append(MappingEntry(a, self.scalar(value, f"the name paired with {a}"), None,
                                            key.start_mark.line + 1))
        return tuple(entries)

    def ignore(self, node: yaml.Node) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if isinstance(node, yaml.SequenceNode):
            both = self.strings(node, "ignore")
            return both, both
        if not isinstance(node, yaml.MappingNode):
            raise self.fail("'ignore' must be {a: [...], b: [...], both: [...]} or a list", node)
        sides: dict[str, tuple[str, ...]] = {side: () for side in _SIDES}
        for key, value in node.value:
            side = self.scalar(key, "an ignore side")
            if side not in _SIDES:
                raise self.fail(f"unknown ignore side {side!r}; use a, b or both", key)
            sides[side] = self.strings(value, f"ignore.{side}")
        return sides["a"] + sides["both"], sides["b"] + sides["both"]

    def document(self, root: yaml.Node | None) -> Mapping:
        if root is None:
            return Mapping(path=self.path)
        if not isinstance(root, yaml.MappingNode):
            raise self.fail("the mapping file must be a YAML mapping (pairs:, ignore:)", root)
        keys = {self.scalar(k, "a key"): (k, v) for k, v in root.value}
        if not set(keys) & set(_TOP_KEYS):
            return Mapping(pairs=self.pairs(root), path=self.path)
        unknown = [k for k in keys if k not in _TOP_KEYS]
        if unknown:
            raise self.fail(f"unknown key {unknown[0]!r}; known keys: {', '.join(_TOP_KEYS)}", keys[unknown[0]][0])
        ignore_a, ignore_b = self.ignore(keys["ignore"][1]) if "ignore" in keys else ((), ())
        return Mapping(
            pairs=self.pairs(keys["pairs"][1]) if "pairs" in keys else (),
            ignore_a=ignore_a, ignore_b=ignore_b,
            project=self.scalar(keys["project"][1], "project") if "project" in keys else None,
            stages=self.strings(keys["stages"][1], "stages") if "stages" in keys else (),
            path=self.path,
        )


def parse_mapping(text: str, path: Path | None = None) -> Mapping:
    """The mapping in ``text``; :class:`ConfigError` naming the file and line when it is malformed."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise ConfigError(f"mapping file: malformed YAML: {exc.problem or exc}", path=path or "<mapping>",
                          line=mark.line + 1 if mark is not None else None) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"mapping file: malformed YAML: {exc}", path=path or "<mapping>") from exc
    mapping = _Reader(path).document(root)
    _refuse_duplicates(mapping)
    return mapping


def _refuse_duplicates(mapping: Mapping) -> None:
    for side in ("a", "b"):
        seen: dict[tuple[str, str | None], MappingEntry] = {}
        for entry in mapping.pairs:
            name = entry.a if side == "a" else entry.b
            previous = seen.setdefault((name, entry.kind), entry)
            if previous is not entry:
                raise ConfigError(f"mapping file: {name!r} is paired twice on side {side.upper()} "
                                  f"(also at line {previous.line})", path=mapping.path or "<mapping>",
                                  line=entry.line)


def load_mapping(path: Path | str) -> Mapping:
    """Read a mapping file; :class:`ConfigError` naming the file (and line) when it cannot be used."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the mapping file: {exc.strerror or exc}", path=file) from exc
    return parse_mapping(text, file)
