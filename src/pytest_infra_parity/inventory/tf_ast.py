"""The syntax tree of HCL native-syntax expressions (hashicorp/hcl ``hclsyntax/spec.md``), built by
:mod:`~pytest_infra_parity.inventory.tf_expr` and evaluated by :mod:`~pytest_infra_parity.inventory.tf_eval`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Node:
    """Base of the syntax tree."""


@dataclass(frozen=True)
class Lit(Node):
    value: Any


@dataclass(frozen=True)
class Tmpl(Node):
    parts: tuple[Any, ...]
    """Literal text (``str``) and interpolated :class:`Node` parts."""


@dataclass(frozen=True)
class Name(Node):
    name: str


@dataclass(frozen=True)
class Attr(Node):
    obj: Node
    name: str


@dataclass(frozen=True)
class Index(Node):
    obj: Node
    key: Node


@dataclass(frozen=True)
class Splat(Node):
    obj: Node
    each: Node
    """Applied to every element, with the element as :class:`Name` ``"__splat__"``."""


@dataclass(frozen=True)
class Call(Node):
    name: str
    args: tuple[Node, ...]
    expand: bool = False


@dataclass(frozen=True)
class Tup(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Obj(Node):
    items: tuple[tuple[Node, Node], ...]


@dataclass(frozen=True)
class Unary(Node):
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Cond(Node):
    test: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True)
class For(Node):
    key_var: str | None
    value_var: str
    collection: Node
    key: Node | None
    value: Node
    condition: Node | None
    is_object: bool
    group: bool = False


@dataclass(frozen=True)
class Bad(Node):
    """Text this parser could not read: evaluating it is an error (the value becomes UNKNOWN)."""

    text: str
    message: str
