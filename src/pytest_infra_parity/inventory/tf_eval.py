"""Evaluation of HCL expression trees against a Terraform module's scope, offline.

Terraform semantics kept (Terraform language docs, "Expressions"): values only known after apply
propagate (an operation on UNKNOWN is UNKNOWN, ``false && x`` is ``false``); references to another
resource's attribute the configuration does not set are :class:`~pytest_infra_parity.inventory.tf_values.Ref`
values; maps are iterated in lexical key order by ``for`` expressions; splats over ``null`` are ``[]``;
numbers print without a trailing ``.0`` in templates; ``==`` compares type and value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from pytest_infra_parity.inventory import tf_expr as ex
from pytest_infra_parity.inventory.model import UNKNOWN
from pytest_infra_parity.inventory.tf_functions import FunctionError, Unsupported, call, file_functions, number, text
from pytest_infra_parity.inventory.tf_values import Partial, Ref, unknown


class EvalError(Exception):
    """An expression that cannot be evaluated (undeclared name, missing attribute, bad call)."""


class NotOffline(EvalError):
    """An expression this evaluator cannot compute offline (unsupported function): never hidden by ``try``."""


class Lazy(Protocol):
    """An object whose attributes are evaluated on demand (a resource instance, a module's outputs)."""

    def attr(self, name: str) -> Any: ...


def get_attr(value: Any, name: str) -> Any:
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, Ref):
        return Ref(value.address, f"{value.attribute}.{name}" if value.attribute else name)
    if isinstance(value, Partial):
        return get_attr(value.value, name)
    if isinstance(value, Mapping):
        if name in value:
            return value[name]
        raise EvalError(f"no attribute {name!r}")
    if hasattr(value, "attr"):
        return value.attr(name)
    raise EvalError(f"cannot read attribute {name!r} of {type(value).__name__}")


def get_index(value: Any, key: Any) -> Any:
    if value is UNKNOWN or unknown(key):
        return UNKNOWN
    if isinstance(value, Ref):
        suffix = f'["{key}"]' if isinstance(key, str) else f"[{key}]"
        return Ref(value.address + suffix, "") if not value.attribute else Ref(value.address, value.attribute + suffix)
    if isinstance(value, Partial):
        return get_index(value.value, key)
    if isinstance(value, (list, tuple)):
        position = int(number(key))
        if not 0 <= position < len(value):
            raise EvalError(f"index {position} out of range (length {len(value)})")
        return value[position]
    if isinstance(value, Mapping):
        if text(key) in value:
            return value[text(key)]
        raise EvalError(f"no key {key!r}")
    if hasattr(value, "attr"):
        return value.attr(text(key))
    raise EvalError(f"cannot index {type(value).__name__}")


def _equal(left: Any, right: Any) -> bool:
    """Terraform ``==``: same type and value (numbers compare by value)."""
    if isinstance(left, (int, float)) and isinstance(right, (int, float)) \
            and not isinstance(left, bool) and not isinstance(right, bool):
        return bool(left == right)
    return type(left) is type(right) and bool(left == right)


def _truth(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise EvalError(f"{value!r} is not a bool")


def _arith(op: str, left: Any, right: Any) -> Any:
    a, b = number(left), number(right)
    if op == "+":
        result = a + b
    elif op == "-":
        result = a - b
    elif op == "*":
        result = a * b
    elif op == "/":
        result = a / b
    else:
        result = a % b
    return int(result) if isinstance(result, float) and result.is_integer() else result


class Evaluator:
    """Evaluates trees with a root lookup (``var``, ``local``, ``aws_x``...) and local names (``each``...)."""

    def __init__(self, lookup: Callable[[str], Any], base: Path) -> None:
        self.lookup = lookup
        self.functions = file_functions(base)

    def eval(self, node: ex.Node, env: Mapping[str, Any] | None = None) -> Any:
        env = env or {}
        method = getattr(self, f"_{type(node).__name__.lower()}")
        try:
            return method(node, env)
        except Unsupported as exc:
            raise NotOffline(str(exc)) from exc
        except FunctionError as exc:
            raise EvalError(str(exc)) from exc

    def _lit(self, node: ex.Lit, env: Mapping[str, Any]) -> Any:
        return node.value

    def _bad(self, node: ex.Bad, env: Mapping[str, Any]) -> Any:
        raise EvalError(f"unsupported expression: {node.message}")

    def _tmpl(self, node: ex.Tmpl, env: Mapping[str, Any]) -> Any:
        pieces: list[str] = []
        for part in node.parts:
            value = part if isinstance(part, str) else self.eval(part, env)
            if unknown(value):
                return UNKNOWN
            if value is None:
                raise EvalError("a template interpolates null")
            try:
                pieces.append(text(value))
            except FunctionError as exc:
                raise EvalError(str(exc)) from exc
        return "".join(pieces)

    def _name(self, node: ex.Name, env: Mapping[str, Any]) -> Any:
        if node.name in env:
            return env[node.name]
        return self.lookup(node.name)

    def _attr(self, node: ex.Attr, env: Mapping[str, Any]) -> Any:
        return get_attr(self.eval(node.obj, env), node.name)

    def _index(self, node: ex.Index, env: Mapping[str, Any]) -> Any:
        return get_index(self.eval(node.obj, env), self.eval(node.key, env))

    def _splat(self, node: ex.Splat, env: Mapping[str, Any]) -> Any:
        value = self.eval(node.obj, env)
        if unknown(value):
            return UNKNOWN if not isinstance(value, Ref) else get_attr(value, "*")
        if value is None:
            return []
        items = list(value.values()) if isinstance(value, Mapping) and not hasattr(value, "attr") else \
            value if isinstance(value, list) else [value]
        return [self.eval(node.each, {**env, ex.SPLAT_ITEM: item}) for item in items]

    def _call(self, node: ex.Call, env: Mapping[str, Any]) -> Any:
        if node.name in ("try", "can"):
            return self._try(node, env)
        args = [self.eval(arg, env) for arg in node.args]
        if node.expand and args:
            last = args.pop()
            if unknown(last):
                return UNKNOWN
            args.extend(last)
        if node.name.startswith("provider::"):
            return UNKNOWN
        return call(node.name, args, self.functions)

    def _try(self, node: ex.Call, env: Mapping[str, Any]) -> Any:
        for arg in node.args:
            try:
                value = self.eval(arg, env)
            except NotOffline:
                raise
            except EvalError:
                continue
            return True if node.name == "can" else value
        if node.name == "can":
            return False
        raise EvalError("try(): no argument could be evaluated")

    def _tup(self, node: ex.Tup, env: Mapping[str, Any]) -> Any:
        return [self.eval(item, env) for item in node.items]

    def _obj(self, node: ex.Obj, env: Mapping[str, Any]) -> Any:
        result: dict[str, Any] = {}
        for key_node, value_node in node.items:
            key = self.eval(key_node, env)
            if unknown(key):
                return UNKNOWN
            result[text(key)] = self.eval(value_node, env)
        return result

    def _unary(self, node: ex.Unary, env: Mapping[str, Any]) -> Any:
        value = self.eval(node.operand, env)
        if unknown(value):
            return UNKNOWN
        return (not _truth(value)) if node.op == "!" else -number(value)

    def _binary(self, node: ex.Binary, env: Mapping[str, Any]) -> Any:
        left = self.eval(node.left, env)
        if node.op in ("&&", "||"):
            if not unknown(left) and _truth(left) == (node.op == "||"):
                return node.op == "||"
            right = self.eval(node.right, env)
            if unknown(left) or unknown(right):
                return UNKNOWN if unknown(right) or _truth(right) == (node.op == "&&") else right
            return _truth(right)
        right = self.eval(node.right, env)
        if unknown(left) or unknown(right):
            return UNKNOWN
        if node.op in ("==", "!="):
            return _equal(left, right) == (node.op == "==")
        if node.op in ("<", ">", "<=", ">="):
            a, b = number(left), number(right)
            return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[node.op]
        return _arith(node.op, left, right)

    def _cond(self, node: ex.Cond, env: Mapping[str, Any]) -> Any:
        test = self.eval(node.test, env)
        if unknown(test):
            return UNKNOWN
        return self.eval(node.then if _truth(test) else node.otherwise, env)

    def _for(self, node: ex.For, env: Mapping[str, Any]) -> Any:
        collection = self.eval(node.collection, env)
        if unknown(collection):
            return UNKNOWN
        if isinstance(collection, Mapping):
            pairs = [(k, collection[k]) for k in sorted(collection)]
        elif isinstance(collection, (list, tuple)):
            pairs = list(enumerate(collection))
        else:
            raise EvalError(f"cannot iterate over {type(collection).__name__}")
        results: list[tuple[Any, Any]] = []
        for key, value in pairs:
            scope = {**env, node.value_var: value}
            if node.key_var is not None:
                scope[node.key_var] = key
            if node.condition is not None:
                keep = self.eval(node.condition, scope)
                if unknown(keep):
                    return UNKNOWN
                if not _truth(keep):
                    continue
            results.append((self.eval(node.key, scope) if node.key else None, self.eval(node.value, scope)))
        return self._for_result(node, results)

    @staticmethod
    def _for_result(node: ex.For, results: list[tuple[Any, Any]]) -> Any:
        if not node.is_object:
            return [value for _, value in results]
        if any(unknown(key) for key, _ in results):
            return UNKNOWN
        grouped: dict[str, Any] = {}
        for key, value in results:
            if node.group:
                grouped.setdefault(text(key), []).append(value)
            elif text(key) in grouped:
                raise EvalError(f"duplicate key {key!r} in a for expression (use ... to group)")
            else:
                grouped[text(key)] = value
        return grouped
