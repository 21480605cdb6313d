"""Syntax of CloudWatch metric math expressions: tokens, syntax tree and a recursive descent parser.

Operators by increasing precedence: ``OR``/``||``, ``AND``/``&&``, ``NOT``/``!``, comparisons
(``== != <= >= < >``), ``+ -``, ``* /``, unary minus, ``^`` (right associative). Functions are called
in uppercase (``FILL(m1, 0)``), Ids start with a lowercase letter, arrays are written ``[m1, m2]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

from pytest_infra_parity.sim.alarm_spec import AlarmDefinitionError

_TOKEN = re.compile(
    r"""\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<str>"[^"]*"|'[^']*'|\u201c[^\u201d]*\u201d)
    |(?P<op>==|!=|<=|>=|&&|\|\||[-+*/^()<>\[\],!]))""",
    re.VERBOSE,
)
_ALIASES = {"&&": "AND", "||": "OR", "!": "NOT"}
KEYWORDS = ("REPEAT", "LINEAR")
_COMPARISONS = ("==", "!=", "<=", ">=", "<", ">")


class MetricMathError(AlarmDefinitionError):
    """An expression the simulator cannot parse or evaluate."""


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Text:
    value: str


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class ArrayLit:
    items: tuple[Node, ...]


Node: TypeAlias = Num | Text | Name | Unary | Binary | Call | ArrayLit


def _tokenize(text: str, fail: Callable[[str], MetricMathError]) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while text[position:].strip():
        match = _TOKEN.match(text, position)
        if match is None:
            raise fail(f"unexpected character {text[position:].lstrip()[0]!r}")
        kind = match.lastgroup or "op"
        value = match.group(kind)
        tokens.append((kind, _ALIASES.get(value, value) if kind == "op" else value))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent: OR < AND < NOT < comparison < + - < * / < unary minus < ^ (right-assoc)."""

    def __init__(self, text: str, alarm_name: str) -> None:
        self.text, self.alarm_name = text, alarm_name
        self.tokens = _tokenize(text, self.error)
        self.index = 0

    def error(self, problem: str) -> MetricMathError:
        return MetricMathError(self.alarm_name, f"metric math expression {self.text!r}: {problem}")

    def peek(self) -> str | None:
        return self.tokens[self.index][1] if self.index < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.index >= len(self.tokens):
            raise self.error("unexpected end of expression")
        token = self.tokens[self.index]
        if expected is not None and token[1] != expected:
            raise self.error(f"expected {expected!r}, found {token[1]!r}")
        self.index += 1
        return token

    def parse(self) -> Node:
        node = self.logical(0)
        if self.peek() is not None:
            raise self.error(f"unexpected {self.peek()!r}")
        return node

    def logical(self, level: int) -> Node:
        word = ("OR", "AND")[level]
        node = self.logical(1) if level == 0 else self.negation()
        while self.peek() == word:
            self.take()
            node = Binary(word, node, self.logical(1) if level == 0 else self.negation())
        return node

    def negation(self) -> Node:
        if self.peek() == "NOT":
            self.take()
            return Unary("NOT", self.negation())
        node = self.additive()
        if self.peek() in _COMPARISONS:
            op = self.take()[1]
            node = Binary(op, node, self.additive())
        return node

    def additive(self) -> Node:
        node = self.multiplicative()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            node = Binary(op, node, self.multiplicative())
        return node

    def multiplicative(self) -> Node:
        node = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take()[1]
            node = Binary(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.peek() == "-":
            self.take()
            return Unary("-", self.unary())
        node = self.primary()
        if self.peek() == "^":
            self.take()
            node = Binary("^", node, self.unary())
        return node

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "num":
            return Num(float(value))
        if kind == "str":
            return Text(value[1:-1])
        if kind == "name":
            if self.peek() == "(":
                return Call(value, self.sequence("(", ")"))
            return Name(value)
        if value == "(":
            node = self.logical(0)
            self.take(")")
            return node
        if value == "[":
            self.index -= 1
            return ArrayLit(self.sequence("[", "]"))
        raise self.error(f"unexpected {value!r}")

    def sequence(self, opening: str, closing: str) -> tuple[Node, ...]:
        self.take(opening)
        items: list[Node] = []
        while self.peek() != closing:
            items.append(self.logical(0))
            if self.peek() != closing:
                self.take(",")
        self.take(closing)
        return tuple(items)


def parse_expression(text: str, *, alarm_name: str = "") -> Node:
    """The syntax tree of a metric math expression; raises :class:`MetricMathError` on a syntax error."""
    return _Parser(text, alarm_name).parse()

