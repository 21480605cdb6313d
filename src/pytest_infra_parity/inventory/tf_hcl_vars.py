"""Values of Terraform input variables: defaults, ``.tfvars`` files, given values, type conversion.

Precedence, lowest first (Terraform docs, "Input Variables", "Variable Definition Precedence"): the
``default``, ``terraform.tfvars`` / ``terraform.tfvars.json``, ``*.auto.tfvars(.json)`` in lexical
order, the ``-var-file`` files in the order given, then ``-var`` values (here: the ``variables``
mapping). ``TF_VAR_*`` environment variables are not read (a test run must not depend on them).
Values given as text (the command line) are converted to the declared ``type`` as Terraform does:
``number`` and ``bool`` from their text, collections parsed as HCL (``-var 'ids=["a","b"]'``); object
attributes declared ``optional(type, default)`` get their default. ``validation`` blocks are checked
and a failing condition is a :class:`~pytest_infra_parity.errors.SourceError` with its error message.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_infra_parity.errors import SourceError
from pytest_infra_parity.inventory import tf_expr as ex
from pytest_infra_parity.inventory.tf_eval import EvalError, Evaluator
from pytest_infra_parity.inventory.tf_functions import FunctionError, number, text
from pytest_infra_parity.inventory.tf_hcl_body import Block, read_attributes
from pytest_infra_parity.inventory.tf_values import unknown


class ConversionError(Exception):
    """A value that does not convert to the declared type."""


def _no_names(name: str) -> Any:
    raise EvalError(f"{name} cannot be used in a variable value")


def literal(node: ex.Node, base: Path) -> Any:
    """The value of a literal expression (tfvars values, defaults, command-line collections)."""
    return Evaluator(_no_names, base).eval(node)


def _parse_text(value: Any, base: Path) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return literal(ex.parse(value), base)
    except (ex.ExprError, EvalError) as exc:
        raise ConversionError(f"{value!r} is not an HCL value: {exc}") from exc


def convert(value: Any, type_node: ex.Node | None, base: Path) -> Any:
    """``value`` converted to the type ``type_node`` declares (``None``: any)."""
    if value is None or unknown(value) or type_node is None:
        return value
    kind, args = _type_parts(type_node)
    try:
        if kind == "string":
            return text(value)
        if kind == "number":
            return number(value)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if value in ("true", "false"):
                return value == "true"
            raise ConversionError(f"{value!r} is not a bool")
    except FunctionError as exc:
        raise ConversionError(str(exc)) from exc
    if kind in ("list", "set", "tuple", "map", "object"):
        return _collection(kind, args, _parse_text(value, base), base)
    return value


def _collection(kind: str, args: tuple[ex.Node, ...], value: Any, base: Path) -> Any:
    if unknown(value):
        return value
    if kind in ("list", "set", "tuple"):
        if not isinstance(value, list):
            raise ConversionError(f"a {kind} is expected, not {type(value).__name__}")
        if kind == "tuple" and args and isinstance(args[0], ex.Tup):
            return [convert(v, t, base) for v, t in zip(value, args[0].items, strict=False)]
        return [convert(v, args[0] if args else None, base) for v in value]
    if not isinstance(value, Mapping):
        raise ConversionError(f"a {kind} is expected, not {type(value).__name__}")
    if kind == "map":
        return {str(k): convert(v, args[0] if args else None, base) for k, v in value.items()}
    return _object(args[0] if args else None, value, base)


def _object(spec: ex.Node | None, value: Mapping[str, Any], base: Path) -> dict[str, Any]:
    if not isinstance(spec, ex.Obj):
        return dict(value)
    result: dict[str, Any] = {}
    for key_node, type_node in spec.items:
        key = str(key_node.value) if isinstance(key_node, ex.Lit) else str(key_node)
        attr_kind, attr_args = _type_parts(type_node)
        if attr_kind == "optional":
            inner = attr_args[0] if attr_args else None
            default = literal(attr_args[1], base) if len(attr_args) > 1 else None
            result[key] = convert(value[key], inner, base) if key in value and value[key] is not None \
                else convert(default, inner, base)
        else:
            result[key] = convert(value.get(key), type_node, base)
    return result


def _type_parts(node: ex.Node) -> tuple[str, tuple[ex.Node, ...]]:
    if isinstance(node, ex.Name):
        return node.name, ()
    if isinstance(node, ex.Lit) and isinstance(node.value, str):
        return node.value, ()
    if isinstance(node, ex.Call):
        return node.name, node.args
    return "any", ()


def file_values(root: Path, var_files: list[Path]) -> dict[str, tuple[ex.Node, Path]]:
    """Variable expressions from the automatically loaded ``.tfvars`` files, then ``var_files``."""
    automatic = [root / "terraform.tfvars", root / "terraform.tfvars.json"]
    automatic += sorted(p for p in root.glob("*.auto.tfvars*")
                        if p.name.endswith((".auto.tfvars", ".auto.tfvars.json")))
    found: dict[str, tuple[ex.Node, Path]] = {}
    for path in [p for p in automatic if p.is_file()] + list(var_files):
        if not path.is_file():
            raise SourceError("variable file not found", path=path)
        for name, node in read_attributes(path).items():
            found[name] = (node, path)
    return found


def variable_value(block: Block, given: Mapping[str, Any], files: Mapping[str, tuple[ex.Node, Path]],
                   base: Path) -> tuple[Any, bool]:
    """(value, known): the given value, else the files', else the default, converted and validated."""
    name = block.labels[0]
    type_node = block.body.attributes.get("type")
    try:
        if name in given:
            value, where = given[name], "the given value"
        elif name in files:
            value, where = literal(files[name][0], base), str(files[name][1])
        elif "default" in block.body.attributes:
            value, where = literal(block.body.attributes["default"], base), "its default"
        else:
            return None, False
        converted = convert(value, type_node, base)
    except (ConversionError, EvalError) as exc:
        raise SourceError(f"variable {name!r} ({where}): {exc}", path=block.file, line=block.line) from exc
    _validate(block, converted, base)
    return converted, True


def _validate(block: Block, value: Any, base: Path) -> None:
    name = block.labels[0]

    def lookup(root: str) -> Any:
        if root == "var":
            return {name: value}
        raise EvalError(f"{root} cannot be used in a validation")

    for validation in block.body.blocks_of("validation"):
        condition = validation.body.attributes.get("condition")
        if condition is None:
            continue
        try:
            result = Evaluator(lookup, base).eval(condition)
        except EvalError:
            continue
        if result is False:
            message_node = validation.body.attributes.get("error_message")
            message = literal(message_node, base) if message_node is not None else "validation failed"
            raise SourceError(f"variable {name!r} = {value!r}: {message}", path=block.file, line=block.line)
