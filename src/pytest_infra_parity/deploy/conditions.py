"""Parameter values and conditions of a template: type coercion, constraints, ``Fn::Equals/And/Or/Not``.

Number parameters resolve to ``int`` / ``float`` (not strings as in CloudFormation): the applier has no
resource schemas to turn strings back into numbers, and boto3 refuses a string where it wants one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pytest_infra_parity.errors import TemplateError

if TYPE_CHECKING:
    from pytest_infra_parity.deploy.template import ParameterDecl, Template

SCALAR_PARAMETER_TYPES = frozenset(
    {
        "String", "Number", "CommaDelimitedList", "AWS::SSM::Parameter::Name",
        "AWS::EC2::AvailabilityZone::Name", "AWS::EC2::Image::Id", "AWS::EC2::Instance::Id",
        "AWS::EC2::KeyPair::KeyName", "AWS::EC2::SecurityGroup::GroupName", "AWS::EC2::SecurityGroup::Id",
        "AWS::EC2::Subnet::Id", "AWS::EC2::Volume::Id", "AWS::EC2::VPC::Id", "AWS::Route53::HostedZone::Id",
    }
)
SSM_VALUE_PREFIX = "AWS::SSM::Parameter::Value<"
CONDITION_FUNCTIONS = frozenset({"Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition", "Fn::Condition"})


def parameter_type_known(ptype: str) -> bool:
    """A parameter type CloudFormation accepts (``String``, ``List<Number>``, SSM value types...)."""
    if ptype.startswith(SSM_VALUE_PREFIX) and ptype.endswith(">"):
        inner = ptype[len(SSM_VALUE_PREFIX) : -1]
        return inner == "List<String>" or parameter_type_known(inner)
    if ptype.startswith("List<") and ptype.endswith(">"):
        inner = ptype[5:-1]
        return inner == "Number" or (inner.startswith("AWS::") and inner in SCALAR_PARAMETER_TYPES)
    return ptype in SCALAR_PARAMETER_TYPES


def is_list_type(ptype: str) -> bool:
    """Parameter types whose value is a list."""
    if ptype.startswith(SSM_VALUE_PREFIX):
        ptype = ptype[len(SSM_VALUE_PREFIX) : -1]
    return ptype == "CommaDelimitedList" or ptype.startswith("List<")


def scalar_text(value: Any) -> str:
    """How CloudFormation writes a scalar into a string (``true``, ``5``, ``0.5``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def coerce_parameters(
    template: Template, given: Mapping[str, Any], ssm: Callable[[str], str]
) -> dict[str, Any]:
    """Every parameter's value (given, else default), checked against its type and constraints."""
    unknown = sorted(set(given) - set(template.parameters))
    if unknown:
        known = ", ".join(template.parameters) or "none"
        raise TemplateError(
            f"unknown parameter(s) {', '.join(unknown)} (the template declares: {known})", path=template.path
        )
    values: dict[str, Any] = {}
    for name, decl in template.parameters.items():
        line = template.lines.get(f"Parameters.{name}")
        if name in given:
            raw, origin = given[name], "value"
        elif decl.default is not None:
            raw, origin = decl.default, "Default"
        else:
            message = f"parameter {name} has no Default and no value was given"
            raise TemplateError(message, path=template.path, line=line)
        try:
            values[name] = _coerce(decl, raw, ssm)
        except ValueError as exc:
            raise TemplateError(f"parameter {name}: {origin} {exc}", path=template.path, line=line) from None
        except TemplateError as exc:  # an SSM parameter type whose parameter the target does not have
            raise TemplateError(f"parameter {name}: {exc.message}", path=template.path, line=line) from None
    return values


def _shown(decl: ParameterDecl, value: Any) -> str:
    return "'****'" if decl.no_echo else repr(value)


def _split(decl: ParameterDecl, raw: Any) -> list[Any]:
    if isinstance(raw, (list, tuple)):
        return list(raw)
    if isinstance(raw, str):
        return [] if raw == "" else [part.strip() for part in raw.split(",")]
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return [raw]
    raise ValueError(f"{_shown(decl, raw)} is not a list or a comma-delimited string")


def _number(decl: ParameterDecl, raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise ValueError(f"{_shown(decl, raw)} is not a number")
    if isinstance(raw, (int, float)):
        return raw
    text = str(raw).strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{_shown(decl, raw)} is not a number") from None


def _coerce(decl: ParameterDecl, raw: Any, ssm: Callable[[str], str]) -> Any:
    ptype = decl.type
    if ptype.startswith(SSM_VALUE_PREFIX):
        name = str(raw)
        resolved = ssm(name)
        return [p.strip() for p in resolved.split(",")] if is_list_type(ptype) else resolved
    if ptype == "Number":
        value: Any = _number(decl, raw)
        _check_number(decl, value)
        return value
    if ptype == "List<Number>":
        numbers = [_number(decl, item) for item in _split(decl, raw)]
        for number in numbers:
            _check_number(decl, number)
        return numbers
    if is_list_type(ptype):
        items = [scalar_text(item) for item in _split(decl, raw)]
        for item in items:
            _check_text(decl, item)
        return items
    if isinstance(raw, (list, tuple, dict)) or raw is None:
        raise ValueError(f"{_shown(decl, raw)} is not a string")
    text = scalar_text(raw)
    _check_text(decl, text)
    return text


def _check_allowed(decl: ParameterDecl, value: Any) -> None:
    if decl.allowed_values is None:
        return
    allowed = ", ".join(scalar_text(v) for v in decl.allowed_values)
    if scalar_text(value) not in {scalar_text(v) for v in decl.allowed_values}:
        raise ValueError(f"{_shown(decl, value)} is not one of the AllowedValues [{allowed}]{_hint(decl)}")


def _hint(decl: ParameterDecl) -> str:
    return f" ({decl.constraint_description})" if decl.constraint_description else ""


def _check_text(decl: ParameterDecl, text: str) -> None:
    _check_allowed(decl, text)
    pattern = decl.allowed_pattern
    if pattern is not None:
        try:
            matched = re.fullmatch(pattern, text) is not None
        except re.error as exc:
            raise ValueError(f"cannot be checked: AllowedPattern {pattern!r} is invalid: {exc}") from None
        if not matched:
            raise ValueError(f"{_shown(decl, text)} does not match AllowedPattern {pattern!r}{_hint(decl)}")
    if decl.min_length is not None and len(text) < decl.min_length:
        raise ValueError(f"{_shown(decl, text)} is shorter than MinLength {decl.min_length}{_hint(decl)}")
    if decl.max_length is not None and len(text) > decl.max_length:
        raise ValueError(f"{_shown(decl, text)} is longer than MaxLength {decl.max_length}{_hint(decl)}")


def _check_number(decl: ParameterDecl, number: float) -> None:
    _check_allowed(decl, number)
    if decl.min_value is not None and number < decl.min_value:
        raise ValueError(f"{_shown(decl, number)} is below MinValue {decl.min_value:g}{_hint(decl)}")
    if decl.max_value is not None and number > decl.max_value:
        raise ValueError(f"{_shown(decl, number)} is above MaxValue {decl.max_value:g}{_hint(decl)}")


class Conditions:
    """Evaluates the ``Conditions`` section lazily, once per name, with cycle detection."""

    def __init__(self, template: Template, value: Callable[[Any, str], Any]) -> None:
        self._template = template
        self._value = value
        self._cache: dict[str, bool] = {}
        self._active: list[str] = []

    def evaluate(self, name: str, *, where: str = "") -> bool:
        """The value of a named condition; an unknown name is a :class:`TemplateError`."""
        if isinstance(name, str) and name in self._cache:
            return self._cache[name]
        if not isinstance(name, str) or name not in self._template.conditions:
            prefix = f"{where}: " if where else ""
            known = ", ".join(self._template.conditions) or "none"
            message = f"{prefix}unknown condition {name!r} (declared: {known})"
            raise TemplateError(message, path=self._template.path)
        if name in self._active:
            cycle = " -> ".join([*self._active[self._active.index(name) :], name])
            raise self._error(name, f"conditions refer to each other in a cycle: {cycle}")
        self._active.append(name)
        try:
            result = self._eval(self._template.conditions[name], f"Conditions.{name}")
        finally:
            self._active.pop()
        self._cache[name] = result
        return result

    def _error(self, name: str, message: str) -> TemplateError:
        line = self._template.lines.get(f"Conditions.{name}")
        return TemplateError(message, path=self._template.path, line=line)

    def _eval(self, expr: Any, where: str) -> bool:
        name = where.split(".")[1]
        if not isinstance(expr, dict) or len(expr) != 1:
            raise self._error(name, f"{where}: expected Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition")
        ((fn, args),) = expr.items()
        if fn in ("Condition", "Fn::Condition"):
            return self.evaluate(args, where=where)
        if fn == "Fn::Equals":
            if not isinstance(args, list) or len(args) != 2:
                raise self._error(name, f"{where}: Fn::Equals takes a list of two values")
            left, right = (self._comparable(self._value(arg, f"{where}.Fn::Equals"), where) for arg in args)
            return bool(left == right)
        if fn == "Fn::Not":
            if not isinstance(args, list) or len(args) != 1:
                raise self._error(name, f"{where}: Fn::Not takes a list of one condition")
            return not self._eval(args[0], f"{where}.Fn::Not")
        if fn in ("Fn::And", "Fn::Or"):
            if not isinstance(args, list) or not 2 <= len(args) <= 10:
                raise self._error(name, f"{where}: {fn} takes a list of 2 to 10 conditions")
            results = (self._eval(arg, f"{where}.{fn}") for arg in args)
            return all(results) if fn == "Fn::And" else any(results)
        raise self._error(name, f"{where}: {fn} is not a condition function")

    def _comparable(self, value: Any, where: str) -> Any:
        if isinstance(value, list):
            return tuple(self._comparable(v, where) for v in value)
        if isinstance(value, dict):
            raise self._error(where.split(".")[1], f"{where}: Fn::Equals cannot compare a mapping")
        return scalar_text(value)
