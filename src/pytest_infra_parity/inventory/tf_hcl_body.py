"""Terraform files read with python-hcl2 into bodies of attributes (expression trees) and blocks.

python-hcl2 (>= 7) serializes a file as a dict: blocks are lists of dicts marked ``__is_block__``, each
label a nesting level (``"\\"aws_s3_bucket\\"": {"\\"this\\"": {...}}``), string values keep their quotes
and expressions are ``${...}`` text. This module turns that into :class:`Body`/:class:`Block` objects
with :mod:`~pytest_infra_parity.inventory.tf_expr` trees, and finds each block's line in its file
(python-hcl2 does not report it). A syntax error is a :class:`~pytest_infra_parity.errors.SourceError`
naming the file and line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_infra_parity.errors import SourceError
from pytest_infra_parity.inventory import tf_expr as ex


@dataclass
class Body:
    attributes: dict[str, ex.Node] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def blocks_of(self, block_type: str) -> list[Block]:
        return [b for b in self.blocks if b.type == block_type]


@dataclass
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body
    file: Path
    line: int | None = None

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else str(self.file)


_CACHE: dict[tuple[str, int, int], list[Block]] = {}


def _unquote(key: str) -> str:
    if len(key) >= 2 and key.startswith('"') and key.endswith('"'):
        try:
            return str(json.loads(key))
        except ValueError:
            return key[1:-1]
    return key


def _is_block(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    if value.get("__is_block__") is True:
        return True
    nested = [v for k, v in value.items() if not str(k).startswith("__")]
    return bool(nested) and all(isinstance(v, dict) for v in nested) and any(_is_block(v) for v in nested)


def to_node(value: Any) -> ex.Node:
    """The expression tree of one serialized attribute value."""
    if isinstance(value, str):
        try:
            return ex.parse_value_text(value)
        except ex.ExprError as exc:
            return ex.Bad(value, str(exc))
    if isinstance(value, list):
        return ex.Tup(tuple(to_node(v) for v in value))
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if str(key).startswith("__"):
                continue
            text = str(key)
            key_node = ex.parse_value_text(text) if text.startswith(("${", '"')) else ex.Lit(text)
            items.append((key_node, to_node(item)))
        return ex.Obj(tuple(items))
    return ex.Lit(value)


def to_body(data: dict[str, Any], file: Path, source: str) -> Body:
    body = Body()
    for key, value in data.items():
        if str(key).startswith("__"):
            continue
        if isinstance(value, list) and value and all(_is_block(v) for v in value):
            for entry in value:
                body.blocks.extend(_blocks(str(key), entry, (), file, source))
        else:
            body.attributes[str(key)] = to_node(value)
    return body


def _blocks(block_type: str, entry: dict[str, Any], labels: tuple[str, ...], file: Path,
            source: str) -> list[Block]:
    if entry.get("__is_block__") is True:
        block = Block(block_type, labels, to_body(entry, file, source), file)
        block.line = line_of(source, block_type, labels)
        return [block]
    found: list[Block] = []
    for key, nested in entry.items():
        if not str(key).startswith("__") and isinstance(nested, dict):
            found.extend(_blocks(block_type, nested, (*labels, _unquote(str(key))), file, source))
    return found


def line_of(source: str, block_type: str, labels: tuple[str, ...]) -> int | None:
    """The line where ``block_type "label" ... {`` starts (top-level blocks; nested ones may repeat)."""
    pattern = r"^[ \t]*" + re.escape(block_type) + "".join(r'[ \t]+"?' + re.escape(label) + '"?' for label in labels) \
        + r"[ \t]*\{"
    match = re.search(pattern, source, re.M)
    return source.count("\n", 0, match.start()) + 1 if match else None


def parse_hcl_text(source: str, path: Path) -> dict[str, Any]:
    """python-hcl2's dict of a file's text; syntax errors as :class:`SourceError` with the line."""
    import hcl2
    from lark.exceptions import LarkError, UnexpectedInput

    options = hcl2.SerializationOptions(with_comments=False, preserve_heredocs=False)
    try:
        data = hcl2.loads(source, serialization_options=options)
    except UnexpectedInput as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "syntax error"
        raise SourceError(f"HCL syntax error: {first}", path=path, line=getattr(exc, "line", None)) from exc
    except LarkError as exc:
        raise SourceError(f"HCL syntax error: {exc}", path=path) from exc
    if not isinstance(data, dict):
        raise SourceError("not an HCL body", path=path)
    return data


def read_blocks(path: Path) -> list[Block]:
    """The top-level blocks of a ``.tf`` file (cached by path, size and modification time)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _CACHE:
        source = path.read_text(encoding="utf-8")
        try:
            body = to_body(parse_hcl_text(source, path), path, source)
        except ex.ExprError as exc:
            raise SourceError(f"cannot read an expression: {exc}", path=path) from exc
        if body.attributes:
            name = next(iter(body.attributes))
            raise SourceError(f"argument {name!r} outside any block (a .tfvars file named .tf?)", path=path,
                              line=line_of(source, name, ()) or None)
        _CACHE[key] = body.blocks
    return _CACHE[key]


def read_attributes(path: Path) -> dict[str, ex.Node]:
    """The attributes of a ``.tfvars`` file (HCL) or ``.tfvars.json`` file, as expression trees."""
    source = path.read_text(encoding="utf-8")
    if path.name.endswith(".json"):
        try:
            data = json.loads(source)
        except json.JSONDecodeError as exc:
            raise SourceError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno) from exc
        return {str(k): ex.Lit(v) for k, v in (data.items() if isinstance(data, dict) else [])}
    try:
        body = to_body(parse_hcl_text(source, path), path, source)
    except ex.ExprError as exc:
        raise SourceError(f"cannot read an expression: {exc}", path=path) from exc
    return body.attributes
