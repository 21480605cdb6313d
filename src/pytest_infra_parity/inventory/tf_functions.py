"""Terraform built-in functions, for evaluating configurations offline.

Semantics follow the Terraform language documentation ("Functions"): ``merge`` lets later maps win,
``lookup`` falls back to its default, ``jsonencode`` writes compact JSON with object keys sorted,
``toset`` keeps unique values, ``coalesce`` takes the first non-null non-empty argument, etc. A call
whose arguments are only known after apply is UNKNOWN, except for the functions in :data:`TOLERANT`
that keep their structure (``merge``, ``concat``, ``jsonencode`` of a document with an unknown ARN in it
gives a :class:`~pytest_infra_parity.inventory.tf_values.Partial` document). Functions that depend on
the run (``timestamp``, ``uuid``) are UNKNOWN; unsupported ones raise :class:`FunctionError`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pytest_infra_parity.inventory.model import UNKNOWN
from pytest_infra_parity.inventory.tf_values import Partial, Ref, unknown


class FunctionError(Exception):
    """A call that fails (wrong arguments) or a function this evaluator does not implement."""


class Unsupported(FunctionError):
    """A function this evaluator does not implement: ``try``/``can`` do not hide it."""


def has_unknown(value: Any) -> bool:
    if unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(has_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_unknown(v) for v in value)
    return False


def text(value: Any) -> str:
    """A primitive as Terraform converts it to string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float, str)):
        return str(value)
    raise FunctionError(f"cannot use {type(value).__name__} as a string")


def number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise FunctionError("a bool is not a number")
    if isinstance(value, (int, float)):
        return value
    try:
        parsed = float(str(value))
    except ValueError:
        raise FunctionError(f"{value!r} is not a number") from None
    return int(parsed) if parsed.is_integer() else parsed


def _merge(*maps: Any) -> Any:
    result: dict[str, Any] = {}
    for item in maps:
        if item is None:
            continue
        if unknown(item):
            return UNKNOWN
        if not isinstance(item, Mapping):
            raise FunctionError("merge takes maps or objects")
        result.update(item)
    return result


def _concat(*lists: Any) -> Any:
    result: list[Any] = []
    for item in lists:
        if unknown(item):
            return UNKNOWN
        result.extend(item)
    return result


def _jsonencode(value: Any) -> Any:
    if has_unknown(value):
        return Partial(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if unknown(mapping) or unknown(key):
        return UNKNOWN
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise FunctionError(f"lookup: no key {key!r}")


def _coalesce(*values: Any) -> Any:
    for value in values:
        if unknown(value):
            return UNKNOWN
        if value is not None and value != "":
            return value
    raise FunctionError("coalesce: no non-null argument")


def _toset(values: Any) -> Any:
    if unknown(values):
        return UNKNOWN
    seen: list[Any] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def _flatten(values: Any) -> Any:
    if unknown(values):
        return UNKNOWN
    flat: list[Any] = []
    for value in values:
        flat.extend(_flatten(value) if isinstance(value, list) else [value])
    return flat


def _length(value: Any) -> Any:
    return UNKNOWN if unknown(value) else len(value)


def _element(values: Any, index: Any) -> Any:
    if unknown(values) or unknown(index):
        return UNKNOWN
    return values[int(number(index)) % len(values)]


_VERB = re.compile(r"%([-+ #0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])")


def _format(spec: str, *args: Any) -> str:
    """Terraform ``format``: ``%s %v %q %d %t %f %e %g %x`` with flags and width, ``%%`` a percent sign."""
    values = list(args)

    def one(match: re.Match[str]) -> str:
        flags, width, precision, verb = match.groups()
        if verb == "%":
            return "%"
        if not values:
            raise FunctionError("format: too few arguments")
        value = values.pop(0)
        if verb in "sv":
            converted: Any = text(value)
            verb = "s"
        elif verb == "q":
            converted, verb = json.dumps(text(value)), "s"
        elif verb == "t":
            converted, verb = ("true" if value is True or value == "true" else "false"), "s"
        elif verb in "dxXob":
            converted = int(number(value))
            verb = "d" if verb == "b" else verb
        else:
            converted = float(number(value))
        return str(("%" + flags + width + (f".{precision}" if precision else "") + verb) % converted)

    return _VERB.sub(one, spec)


def _replace(value: str, search: str, replacement: str) -> str:
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        return re.sub(search[1:-1], replacement.replace("$", "\\"), value)
    return value.replace(search, replacement)


def _regex(pattern: str, value: str) -> Any:
    """Terraform ``regex``: the match, its unnamed groups as a list or its named groups as a map."""
    match = re.search(pattern, value)
    if match is None:
        raise FunctionError(f"regex: pattern {pattern!r} does not match {value!r}")
    if match.groupdict():
        return match.groupdict()
    return list(match.groups()) if match.groups() else match.group(0)


def _regexall(pattern: str, value: str) -> list[Any]:
    return [m.groupdict() or (list(m.groups()) if m.groups() else m.group(0)) for m in re.finditer(pattern, value)]


def _one(values: Any) -> Any:
    if len(values) > 1:
        raise FunctionError("one: more than one element")
    return values[0] if values else None


def _tomap(value: Any) -> Any:
    return UNKNOWN if unknown(value) else dict(value)


def _tolist(value: Any) -> Any:
    return UNKNOWN if unknown(value) else list(value)


def _tobool(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if value in ("true", "false"):
        return value == "true"
    raise FunctionError(f"tobool: {value!r} is not a bool")


def _keys(value: Any) -> Any:
    return UNKNOWN if unknown(value) else sorted(value)


def _values(value: Any) -> Any:
    return UNKNOWN if unknown(value) else [value[k] for k in sorted(value)]


def file_functions(base: Path) -> dict[str, Callable[..., Any]]:
    """``file``/``fileexists``/``filebase64sha256``... resolved against the root module folder."""

    def resolve(path: str) -> Path:
        candidate = Path(path)
        return candidate if candidate.is_absolute() else base / candidate

    def read(path: str) -> bytes:
        try:
            return resolve(path).read_bytes()
        except OSError as exc:
            raise FunctionError(f"cannot read {path}: {exc.strerror or exc}") from exc

    return {
        "file": lambda p: read(p).decode("utf-8"),
        "fileexists": lambda p: resolve(p).is_file(),
        "filebase64": lambda p: base64.b64encode(read(p)).decode(),
        "filebase64sha256": lambda p: base64.b64encode(hashlib.sha256(read(p)).digest()).decode(),
        "filesha256": lambda p: hashlib.sha256(read(p)).hexdigest(),
        "filemd5": lambda p: hashlib.md5(read(p)).hexdigest(),
        "abspath": lambda p: str(resolve(p).resolve()),
    }


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "merge": _merge, "concat": _concat, "jsonencode": _jsonencode, "lookup": _lookup, "coalesce": _coalesce,
    "toset": _toset, "tolist": _tolist, "tomap": _tomap, "flatten": _flatten, "length": _length,
    "element": _element, "keys": _keys, "values": _values, "sensitive": lambda v: v, "nonsensitive": lambda v: v,
    "jsondecode": lambda v: json.loads(v), "format": _format, "formatlist": lambda s, *a: [
        _format(s, *items) for items in zip(*a, strict=False)],
    "join": lambda sep, items: sep.join(text(i) for i in items), "split": lambda sep, v: v.split(sep),
    "lower": lambda v: v.lower(), "upper": lambda v: v.upper(), "title": lambda v: v.title(),
    "replace": _replace, "trimspace": lambda v: v.strip(), "trimprefix": lambda v, p: v.removeprefix(p),
    "trimsuffix": lambda v, s: v.removesuffix(s), "trim": lambda v, chars: v.strip(chars),
    "chomp": lambda v: v.rstrip("\r\n"), "startswith": lambda v, p: v.startswith(p),
    "endswith": lambda v, s: v.endswith(s), "strcontains": lambda v, s: s in v, "strrev": lambda v: v[::-1],
    "substr": lambda v, o, n: v[int(o):] if int(n) < 0 else v[int(o):int(o) + int(n)],
    "tostring": lambda v: None if v is None else text(v), "tonumber": lambda v: None if v is None else number(v),
    "tobool": _tobool, "contains": lambda items, v: v in items, "distinct": _toset,
    "compact": lambda items: [i for i in items if i not in (None, "")], "reverse": lambda items: list(items)[::-1],
    "sort": lambda items: sorted(text(i) for i in items), "slice": lambda items, a, b: list(items)[int(a):int(b)],
    "index": lambda items, v: list(items).index(v), "zipmap": lambda k, v: dict(zip(k, v, strict=True)),
    "regex": _regex, "regexall": _regexall,
    "range": lambda *a: list(range(*(int(number(x)) for x in a))), "one": _one,
    "alltrue": lambda items: all(i is True or i == "true" for i in items),
    "anytrue": lambda items: any(i is True or i == "true" for i in items),
    "setunion": lambda *sets: _toset([i for s in sets for i in s]),
    "setintersection": lambda first, *rest: [i for i in first if all(i in r for r in rest)],
    "setsubtract": lambda a, b: [i for i in a if i not in b],
    "min": lambda *a: min(number(x) for x in a), "max": lambda *a: max(number(x) for x in a),
    "abs": lambda v: abs(number(v)), "ceil": lambda v: -int(-number(v) // 1), "floor": lambda v: int(number(v) // 1),
    "pow": lambda a, b: number(a) ** number(b), "signum": lambda v: (number(v) > 0) - (number(v) < 0),
    "parseint": lambda v, base: int(v, int(base)), "sum": lambda items: sum(number(i) for i in items),
    "base64encode": lambda v: base64.b64encode(v.encode()).decode(),
    "base64decode": lambda v: base64.b64decode(v).decode(), "sha256": lambda v: hashlib.sha256(v.encode()).hexdigest(),
    "md5": lambda v: hashlib.md5(v.encode()).hexdigest(),
    "basename": lambda p: os.path.basename(p), "dirname": lambda p: os.path.dirname(p),
    "timestamp": lambda: UNKNOWN, "uuid": lambda: UNKNOWN, "plantimestamp": lambda: UNKNOWN,
    "templatefile": lambda *a: UNKNOWN, "cidrsubnet": lambda *a: UNKNOWN, "cidrhost": lambda *a: UNKNOWN,
}

TOLERANT = frozenset({
    "merge", "concat", "jsonencode", "lookup", "coalesce", "toset", "tolist", "tomap", "flatten", "length",
    "element", "keys", "values", "sensitive", "nonsensitive",
})
"""Functions that receive arguments holding values known after apply (the others then give UNKNOWN)."""


def call(name: str, args: list[Any], extra: Mapping[str, Callable[..., Any]]) -> Any:
    """``name(*args)`` with Terraform's handling of unknown arguments."""
    function = extra.get(name) or FUNCTIONS.get(name)
    if function is None:
        raise Unsupported(f"function {name}() is not supported offline")
    if name not in TOLERANT and any(has_unknown(a) for a in args):
        return UNKNOWN
    if name in ("sensitive", "nonsensitive") and args and isinstance(args[0], Ref):
        return args[0]
    try:
        return function(*args)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError) as exc:
        raise FunctionError(f"{name}(): {exc}") from exc
