"""A parser of HCL native-syntax expressions into a small syntax tree.

python-hcl2 hands attribute values back as expression text (``"${var.project}-${var.stage}"``,
``${merge(var.tags, {Name = "x"})}``); this parser reads that text following the HCL Native Syntax
Specification (hashicorp/hcl ``hclsyntax/spec.md``): literals, template strings with ``${...}``
interpolation, variables and traversals (``.attr``, ``[index]``, splats ``[*]``/``.*``), function calls
(with ``...`` expansion), tuples, objects, ``for`` expressions, unary, binary (precedence ``||`` <
``&&`` < ``== !=`` < ``< > <= >=`` < ``+ -`` < ``* / %``) and conditional operators. Template
directives (``%{if}``/``%{for}``) are not supported: :class:`ExprError`.
"""

from __future__ import annotations

import re
from typing import Any

from pytest_infra_parity.inventory.tf_ast import (
    Attr as Attr,
)
from pytest_infra_parity.inventory.tf_ast import (
    Bad as Bad,
)
from pytest_infra_parity.inventory.tf_ast import (
    Binary as Binary,
)
from pytest_infra_parity.inventory.tf_ast import (
    Call as Call,
)
from pytest_infra_parity.inventory.tf_ast import (
    Cond as Cond,
)
from pytest_infra_parity.inventory.tf_ast import (
    For as For,
)
from pytest_infra_parity.inventory.tf_ast import (
    Index as Index,
)
from pytest_infra_parity.inventory.tf_ast import (
    Lit as Lit,
)
from pytest_infra_parity.inventory.tf_ast import (
    Name as Name,
)
from pytest_infra_parity.inventory.tf_ast import (
    Node as Node,
)
from pytest_infra_parity.inventory.tf_ast import (
    Obj as Obj,
)
from pytest_infra_parity.inventory.tf_ast import (
    Splat as Splat,
)
from pytest_infra_parity.inventory.tf_ast import (
    Tmpl as Tmpl,
)
from pytest_infra_parity.inventory.tf_ast import (
    Tup as Tup,
)
from pytest_infra_parity.inventory.tf_ast import (
    Unary as Unary,
)


class ExprError(Exception):
    """An expression this parser cannot read."""


SPLAT_ITEM = "__splat__"
_BINARY = [("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%")]
_PUNCT = ("...", "==", "!=", "<=", ">=", "&&", "||", "=>", "::", "[", "]", "(", ")", "{", "}", ",", ".", "?", ":",
          "=", "!", "<", ">", "+", "-", "*", "/", "%")
_NUMBER = re.compile(r"\d+(\.\d+)?([eE][+-]?\d+)?")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


class Parser:
    """Recursive-descent parser over the text (tokens are read on demand, so templates can nest)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, message: str) -> ExprError:
        return ExprError(f"{message} at column {self.pos + 1} of {self.text!r}")

    def skip(self) -> None:
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t\r\n":
                self.pos += 1
            elif self.text.startswith(("#", "//"), self.pos):
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            elif self.text.startswith("/*", self.pos):
                end = self.text.find("*/", self.pos + 2)
                self.pos = len(self.text) if end < 0 else end + 2
            else:
                return

    def peek(self) -> str:
        """The next token's text (``""`` at the end); strings and numbers peek as ``"`` / a digit."""
        self.skip()
        if self.pos >= len(self.text):
            return ""
        for punct in _PUNCT:
            if self.text.startswith(punct, self.pos):
                return punct
        match = _IDENT.match(self.text, self.pos) or _NUMBER.match(self.text, self.pos)
        return match.group(0) if match else self.text[self.pos]

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if expected is not None and token != expected:
            raise self.fail(f"expected {expected!r}, found {token or 'the end'!r}")
        self.pos += len(token)
        return token

    def parse(self) -> Node:
        node = self.expression()
        if self.peek():
            raise self.fail(f"unexpected {self.peek()!r}")
        return node

    def expression(self) -> Node:
        test = self.binary(0)
        if self.peek() == "?":
            self.take("?")
            then = self.expression()
            self.take(":")
            return Cond(test, then, self.expression())
        return test

    def binary(self, level: int) -> Node:
        if level == len(_BINARY):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek() in _BINARY[level]:
            op = self.take()
            left = Binary(op, left, self.binary(level + 1))
        return left

    def unary(self) -> Node:
        if self.peek() in ("!", "-"):
            op = self.take()
            return Unary(op, self.unary())
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        while True:
            token = self.peek()
            if token == "." and self.text.startswith(".*", self.pos):
                self.pos += 2
                return Splat(node, self.splat_tail(legacy=True))
            if token == ".":
                self.take(".")
                name = self.take()
                if not (_IDENT.fullmatch(name) or name.isdigit()):
                    raise self.fail(f"expected an attribute name after '.', found {name!r}")
                node = Index(node, Lit(int(name))) if name.isdigit() else Attr(node, name)
            elif token == "[" and re.match(r"\[\s*\*\s*\]", self.text[self.pos:]):
                self.pos += len(re.match(r"\[\s*\*\s*\]", self.text[self.pos:]).group(0))  # type: ignore[union-attr]
                return Splat(node, self.splat_tail(legacy=False))
            elif token == "[":
                self.take("[")
                key = self.expression()
                self.take("]")
                node = Index(node, key)
            else:
                return node

    def splat_tail(self, *, legacy: bool) -> Node:
        """The traversal applied to each element after ``[*]`` (``.*`` takes attributes only)."""
        node: Node = Name(SPLAT_ITEM)
        while self.peek() == "." or (self.peek() == "[" and not legacy):
            if self.peek() == ".":
                self.take(".")
                name = self.take()
                node = Index(node, Lit(int(name))) if name.isdigit() else Attr(node, name)
            else:
                self.take("[")
                key = self.expression()
                self.take("]")
                node = Index(node, key)
        return node

    def primary(self) -> Node:
        token = self.peek()
        if token == '"':
            return self.template()
        if token == "(":
            self.take("(")
            node = self.expression()
            self.take(")")
            return node
        if token == "[":
            return self.tuple_or_for()
        if token == "{":
            return self.object_or_for()
        if token[:1].isdigit():
            self.take()
            number = float(token)
            return Lit(int(number) if number.is_integer() and not re.search(r"[.eE]", token) else number)
        if _IDENT.fullmatch(token or "-"):
            return self.name_or_call()
        if token == "<" and self.text.startswith("<<", self.pos):
            return self.heredoc()
        raise self.fail(f"unexpected {token or 'end of expression'!r}")

    def name_or_call(self) -> Node:
        name = self.take()
        if name in ("true", "false"):
            return Lit(name == "true")
        if name == "null":
            return Lit(None)
        while self.peek() == "::":
            name += self.take("::") + self.take()
        if self.peek() != "(":
            return Name(name)
        self.take("(")
        args: list[Node] = []
        expand = False
        while self.peek() != ")":
            args.append(self.expression())
            if self.peek() == "...":
                self.take("...")
                expand = True
            if self.peek() == ",":
                self.take(",")
            elif self.peek() != ")":
                raise self.fail("expected ',' or ')' in the arguments of " + name)
        self.take(")")
        return Call(name, tuple(args), expand)

    def for_head(self) -> tuple[str | None, str, Node]:
        self.take("for")
        first = self.take()
        second = None
        if self.peek() == ",":
            self.take(",")
            second = self.take()
        self.take("in")
        collection = self.expression()
        self.take(":")
        return (first, str(second), collection) if second is not None else (None, first, collection)

    def for_tail(self, close: str) -> Node | None:
        condition = self.expression() if self.peek() == "if" and self.take("if") else None
        self.take(close)
        return condition

    def _is_for(self) -> bool:
        """At ``[`` or ``{``: is this a ``for`` expression (``for`` followed by a name, not ``for = 1``)?"""
        saved, self.pos = self.pos, self.pos + 1
        try:
            return self.peek() == "for" and self.take("for") == "for" and bool(_IDENT.fullmatch(self.peek() or "-"))
        finally:
            self.pos = saved

    def tuple_or_for(self) -> Node:
        if self._is_for():
            self.take("[")
            key_var, value_var, collection = self.for_head()
            value = self.expression()
            return For(key_var, value_var, collection, None, value, self.for_tail("]"), False)
        self.take("[")
        items: list[Node] = []
        while self.peek() != "]":
            items.append(self.expression())
            if self.peek() == ",":
                self.take(",")
            elif self.peek() != "]":
                raise self.fail("expected ',' or ']' in a tuple")
        self.take("]")
        return Tup(tuple(items))

    def object_or_for(self) -> Node:
        if self._is_for():
            self.take("{")
            key_var, value_var, collection = self.for_head()
            key = self.expression()
            self.take("=>")
            value = self.expression()
            group = self.peek() == "..."
            if group:
                self.take("...")
            return For(key_var, value_var, collection, key, value, self.for_tail("}"), True, group)
        self.take("{")
        items: list[tuple[Node, Node]] = []
        while self.peek() != "}":
            key = self.expression()
            if isinstance(key, Name):
                key = Lit(key.name)
            if self.peek() not in ("=", ":"):
                raise self.fail("expected '=' or ':' after an object key")
            self.take()
            items.append((key, self.expression()))
            if self.peek() == ",":
                self.take(",")
        self.take("}")
        return Obj(tuple(items))

    def template(self) -> Node:
        """A quoted template: literal runs and ``${...}`` interpolations (``$${`` is a literal ``${``)."""
        self.take('"')
        parts: list[Any] = []
        text: list[str] = []
        while True:
            if self.pos >= len(self.text):
                raise self.fail("unterminated string")
            char = self.text[self.pos]
            if char == '"':
                self.pos += 1
                break
            if char == "\\":
                text.append(self.escape())
            elif self.text.startswith(("$${", "%%{"), self.pos):
                text.append(self.text[self.pos + 1:self.pos + 3])
                self.pos += 3
            elif self.text.startswith("${", self.pos):
                self.pos += 2
                if self.peek() == "~":
                    self.pos += 1
                if text:
                    parts.append("".join(text))
                    text = []
                parts.append(self.expression())
                if self.peek() == "~":
                    self.pos += 1
                self.take("}")
            elif self.text.startswith("%{", self.pos):
                raise self.fail("template directives (%{...}) are not supported")
            else:
                text.append(char)
                self.pos += 1
        if text:
            parts.append("".join(text))
        if all(isinstance(part, str) for part in parts):
            return Lit("".join(parts))
        return Tmpl(tuple(parts))

    def escape(self) -> str:
        code = self.text[self.pos + 1:self.pos + 2]
        if code in _ESCAPES:
            self.pos += 2
            return _ESCAPES[code]
        if code in ("u", "U"):
            size = 4 if code == "u" else 8
            digits = self.text[self.pos + 2:self.pos + 2 + size]
            self.pos += 2 + size
            return chr(int(digits, 16))
        raise self.fail(f"unknown escape \\{code}")

    def heredoc(self) -> Node:
        match = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_]*)\n").match(self.text, self.pos)
        if match is None:
            raise self.fail("malformed heredoc")
        end = re.compile(rf"^[ \t]*{match.group(2)}[ \t]*$", re.M).search(self.text, match.end())
        if end is None:
            raise self.fail("unterminated heredoc")
        body = self.text[match.end():end.start()]
        self.pos = end.end()
        if match.group(1):
            lines = body.splitlines(keepends=True)
            indent = min((len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()), default=0)
            body = "".join(ln[indent:] for ln in lines)
        escaped = body.replace("\\", "\\\\").replace('"', '\\"')
        return Parser(f'"{escaped}"').template()


def parse(text: str) -> Node:
    """The syntax tree of one expression's text."""
    return Parser(text).parse()


def parse_value_text(text: str) -> Node:
    """The tree of a value python-hcl2 serialized: a quoted template, a ``${...}`` expression, or bare text."""
    stripped = text.strip()
    if stripped.startswith('"') and stripped.endswith('"') and len(stripped) >= 2:
        return parse(stripped)
    if stripped.startswith("${") and stripped.endswith("}") and _closes_at_end(stripped):
        return parse(stripped[2:-1])
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return parse(f'"{escaped}"')


def _closes_at_end(text: str) -> bool:
    """True when the ``${`` opening ``text`` is closed by its last character (not ``${a}-${b}``)."""
    parser = Parser(text[2:])
    try:
        parser.expression()
        parser.skip()
    except ExprError:
        return False
    return parser.pos == len(text) - 3 and text[-1] == "}"
