"""Resolve CloudFormation intrinsic functions, pseudo parameters and dynamic references.

A :class:`Resolver` turns a template value into plain data, asking a :class:`ResolveContext` for what
only the deployment knows (physical ids, attributes, AZs, exports, SSM / Secrets Manager values).
``AWS::NoValue`` removes the mapping key or list item it stands for; a whole value that resolves to
it becomes ``None``.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from pytest_infra_parity.deploy.conditions import (
    CONDITION_FUNCTIONS,
    Conditions,
    coerce_parameters,
    scalar_text,
)
from pytest_infra_parity.deploy.graph import SUB_VARIABLE, references, resource_dependencies
from pytest_infra_parity.deploy.template import LANGUAGE_EXTENSIONS, ResourceDecl, Template
from pytest_infra_parity.errors import TemplateError

__all__ = [
    "NO_VALUE",
    "PSEUDO_PARAMETERS",
    "ResolveContext",
    "Resolver",
    "references",
    "resource_dependencies",
]

PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
        "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
    }
)
DYNAMIC_SERVICES = frozenset({"ssm", "ssm-secure", "secretsmanager"})
_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:([^:{}]+):([^{}]*?)\}\}")


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Any = _NoValue()
"""What ``Ref: AWS::NoValue`` resolves to inside the resolver; never left in a resolved value."""


class ResolveContext(Protocol):
    """What the deployment knows and the template does not."""

    region: str
    account_id: str
    stack_name: str
    stack_id: str
    partition: str
    url_suffix: str
    notification_arns: list[str]

    def ref(self, logical_id: str) -> Any: ...

    def get_att(self, logical_id: str, attribute: str) -> Any: ...

    def azs(self, region: str) -> list[str]: ...

    def import_value(self, name: str) -> Any: ...

    def dynamic_reference(self, service: str, reference: str) -> str: ...


class Resolver:
    """Resolves the values of one template for one deployment (parameters checked up front)."""

    def __init__(self, template: Template, parameters: Mapping[str, Any], ctx: ResolveContext) -> None:
        self.template = template
        self.ctx = ctx
        self.parameters = coerce_parameters(template, parameters, lambda n: ctx.dynamic_reference("ssm", n))
        self._conditions = Conditions(template, self._condition_value)
        self._in_condition = 0
        self._functions: dict[str, Callable[[Any, str], Any]] = {
            "Ref": self._ref, "Fn::GetAtt": self._get_att, "Fn::Sub": self._sub, "Fn::Join": self._join,
            "Fn::Select": self._select, "Fn::Split": self._split, "Fn::GetAZs": self._get_azs,
            "Fn::Base64": self._base64, "Fn::FindInMap": self._find_in_map, "Fn::If": self._if,
            "Fn::Cidr": self._cidr, "Fn::ImportValue": self._import_value, "Fn::Length": self._length,
            "Fn::ToJsonString": self._to_json_string,
        }

    # ---- public API ------------------------------------------------------------------------------

    def condition(self, name: str) -> bool:
        """The value of a named condition (cached); an unknown name is a :class:`TemplateError`."""
        return self._conditions.evaluate(name)

    def is_enabled(self, decl: ResourceDecl) -> bool:
        """False when the resource's ``Condition`` is false."""
        return decl.condition is None or self.condition(decl.condition)

    def resolve(self, value: Any, *, where: str) -> Any:
        """``value`` with every intrinsic resolved; ``where`` (``"Bucket.Properties"``) names it in errors."""
        result = self._walk(value, where)
        return None if result is NO_VALUE else result

    def outputs(self) -> dict[str, Any]:
        """The value of every output whose condition holds."""
        return {
            name: self.resolve(out.value, where=f"Outputs.{name}.Value")
            for name, out in self.template.outputs.items()
            if out.condition is None or self.condition(out.condition)
        }

    def exports(self) -> dict[str, Any]:
        """Export name -> value of every exported output whose condition holds."""
        values = self.outputs()
        return {
            scalar_text(self.resolve(out.export_name, where=f"Outputs.{name}.Export.Name")): values[name]
            for name, out in self.template.outputs.items()
            if out.export_name is not None and name in values
        }

    # ---- walking ---------------------------------------------------------------------------------

    def error(self, where: str, message: str) -> TemplateError:
        """A :class:`TemplateError` naming ``where``, at the line of the resource or section it is in."""
        return TemplateError(f"{where}: {message}", path=self.template.path, line=self._line(where))

    def _line(self, where: str) -> int | None:
        head, _, rest = where.partition(".")
        if head in ("Outputs", "Conditions", "Parameters"):
            return self.template.lines.get(f"{head}.{rest.split('.')[0]}")
        return self.template.line_of(head)

    def _walk(self, value: Any, where: str) -> Any:
        if isinstance(value, dict):
            fn = next(iter(value)) if len(value) == 1 else None
            if fn is not None and (fn == "Ref" or fn.startswith("Fn::")):
                return self._call(fn, value[fn], where)
            bad = [k for k in value if k == "Ref" or k.startswith("Fn::")]
            if bad:
                raise self.error(where, f"{bad[0]} must be the only key of its mapping")
            out = {}
            for key, item in value.items():
                resolved = self._walk(item, f"{where}.{key}")
                if resolved is not NO_VALUE:
                    out[key] = resolved
            return out
        if isinstance(value, list):
            items = (self._walk(item, f"{where}[{i}]") for i, item in enumerate(value))
            return [item for item in items if item is not NO_VALUE]
        if isinstance(value, str):
            return self._dynamic(value, where)
        return value

    def _call(self, fn: str, args: Any, where: str) -> Any:
        handler = self._functions.get(fn)
        if handler is None:
            if fn in CONDITION_FUNCTIONS:
                raise self.error(where, f"{fn} can only be used in the Conditions section")
            if fn == "Fn::Transform":
                raise self.error(where, "Fn::Transform (macros, AWS::Include) is not supported")
            raise self.error(where, f"unknown intrinsic function {fn}")
        if fn in ("Fn::Length", "Fn::ToJsonString") and LANGUAGE_EXTENSIONS not in self.template.transforms:
            raise self.error(where, f"{fn} needs 'Transform: {LANGUAGE_EXTENSIONS}' in the template")
        try:
            return handler(args, f"{where}.{fn}" if fn != "Ref" else where)
        except TemplateError as exc:
            raise self._locate(exc, where) from None

    def _locate(self, exc: TemplateError, where: str) -> TemplateError:
        """An error of the context (or of a nested call) located at this value, file and line."""
        if exc.line is not None:
            return exc
        message = exc.message if exc.message.startswith(where) else f"{where}: {exc.message}"
        return TemplateError(message, path=exc.path or self.template.path, line=self._line(where))

    def _dynamic(self, text: str, where: str) -> str:
        if "{{resolve:" not in text:
            return text

        def replace(match: re.Match[str]) -> str:
            service, reference = match.group(1), match.group(2)
            if service not in DYNAMIC_SERVICES:
                raise self.error(where, f"dynamic reference {match.group(0)}: unknown service {service!r}")
            try:
                return self.ctx.dynamic_reference(service, reference)
            except TemplateError as exc:
                raise self._locate(exc, where) from None

        return _DYNAMIC_REFERENCE.sub(replace, text)

    def _string(self, value: Any, where: str, what: str) -> str:
        resolved = self._walk(value, where)
        if isinstance(resolved, (dict, list)) or resolved is NO_VALUE or resolved is None:
            raise self.error(where, f"{what} must resolve to a string, not {resolved!r}")
        return scalar_text(resolved)

    def _list(self, value: Any, where: str, what: str) -> list[Any]:
        resolved = self._walk(value, where)
        if not isinstance(resolved, list):
            raise self.error(where, f"{what} must resolve to a list, not {resolved!r}")
        return resolved

    def _args(self, args: Any, where: str, fn: str, counts: tuple[int, ...]) -> list[Any]:
        if not isinstance(args, list) or len(args) not in counts:
            sizes = " or ".join(str(c) for c in counts)
            raise self.error(where, f"{fn} takes a list of {sizes} arguments, not {args!r}")
        return args

    def _condition_value(self, value: Any, where: str) -> Any:
        self._in_condition += 1
        try:
            return self._walk(value, where)
        finally:
            self._in_condition -= 1

    # ---- functions -------------------------------------------------------------------------------

    def _pseudo(self, name: str) -> Any:
        ctx = self.ctx
        return {
            "AWS::AccountId": ctx.account_id, "AWS::Region": ctx.region, "AWS::StackName": ctx.stack_name,
            "AWS::StackId": ctx.stack_id, "AWS::Partition": ctx.partition, "AWS::URLSuffix": ctx.url_suffix,
            "AWS::NotificationARNs": list(ctx.notification_arns), "AWS::NoValue": NO_VALUE,
        }[name]

    def _ref(self, name: Any, where: str) -> Any:
        if not isinstance(name, str):
            raise self.error(where, f"Ref takes a name, not {name!r}")
        if name in PSEUDO_PARAMETERS:
            return self._pseudo(name)
        if name in self.parameters:
            value = self.parameters[name]
            return list(value) if isinstance(value, list) else value
        return self.ctx.ref(self._resource(name, where, "Ref"))

    def _resource(self, name: str, where: str, fn: str) -> str:
        decl = self.template.resources.get(name)
        if decl is None:
            raise self.error(where, f"{fn} to {name!r}: no parameter or resource has that name")
        if self._in_condition:
            raise self.error(where, f"{fn} to resource {name}: conditions can only use parameters")
        if not self.is_enabled(decl):
            why = f"condition {decl.condition} is false"
            raise self.error(where, f"{fn} to {name}, which is not created ({why})")
        return name

    def _get_att(self, args: Any, where: str) -> Any:
        if isinstance(args, str) and "." in args:
            args = args.split(".", 1)
        args = self._args(args, where, "Fn::GetAtt", (2,))
        if not isinstance(args[0], str):
            raise self.error(where, f"Fn::GetAtt takes a logical id, not {args[0]!r}")
        attribute = self._string(args[1], where, "the attribute name")
        return self.ctx.get_att(self._resource(args[0], where, "Fn::GetAtt"), attribute)

    def _sub(self, args: Any, where: str) -> str:
        if isinstance(args, str):
            text, variables = args, {}
        else:
            text, raw_vars = self._args(args, where, "Fn::Sub", (2,))
            if not isinstance(text, str) or not isinstance(raw_vars, dict):
                raise self.error(where, "Fn::Sub takes a string, or a list of a string and a mapping")
            variables = {k: self._walk(v, f"{where}.{k}") for k, v in raw_vars.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            name = name.strip()
            if name in variables:
                value = variables[name]
            elif name in PSEUDO_PARAMETERS or name in self.parameters or "." not in name:
                value = self._ref(name, where)
            else:
                value = self._get_att(name.split(".", 1), where)
            if isinstance(value, (dict, list)) or value is NO_VALUE or value is None:
                raise self.error(where, f"${{{name}}} must resolve to a string, not {value!r}")
            return scalar_text(value)

        return self._dynamic(SUB_VARIABLE.sub(replace, text), where)

    def _join(self, args: Any, where: str) -> str:
        delimiter, items = self._args(args, where, "Fn::Join", (2,))
        if not isinstance(delimiter, str):
            raise self.error(where, f"Fn::Join delimiter must be a string, not {delimiter!r}")
        values = self._list(items, where, "the Fn::Join list")
        for value in values:
            if isinstance(value, (dict, list)) or value is None:
                raise self.error(where, f"Fn::Join can only join strings, not {value!r}")
        return delimiter.join(scalar_text(v) for v in values)

    def _select(self, args: Any, where: str) -> Any:
        index_arg, items = self._args(args, where, "Fn::Select", (2,))
        index_text = self._string(index_arg, where, "the Fn::Select index")
        if not index_text.isdigit():
            raise self.error(where, f"Fn::Select index must be a non-negative integer, not {index_text!r}")
        values = self._list(items, where, "the Fn::Select list")
        index = int(index_text)
        if index >= len(values):
            raise self.error(where, f"Fn::Select index {index} is out of range (the list has {len(values)})")
        return values[index]

    def _split(self, args: Any, where: str) -> list[str]:
        delimiter, source = self._args(args, where, "Fn::Split", (2,))
        if not isinstance(delimiter, str) or not delimiter:
            raise self.error(where, f"Fn::Split delimiter must be a non-empty string, not {delimiter!r}")
        return self._string(source, where, "the Fn::Split source").split(delimiter)

    def _get_azs(self, args: Any, where: str) -> list[str]:
        region = self._string(args, where, "the Fn::GetAZs region") if args not in (None, "") else ""
        return list(self.ctx.azs(region or self.ctx.region))

    def _base64(self, args: Any, where: str) -> str:
        return base64.b64encode(self._string(args, where, "the Fn::Base64 value").encode()).decode()

    def _find_in_map(self, args: Any, where: str) -> Any:
        args = self._args(args, where, "Fn::FindInMap", (3, 4))
        default = NO_VALUE
        if len(args) == 4:
            if not isinstance(args[3], dict) or set(args[3]) != {"DefaultValue"}:
                raise self.error(where, "the 4th argument of Fn::FindInMap must be {DefaultValue: ...}")
            if LANGUAGE_EXTENSIONS not in self.template.transforms:
                raise self.error(where, f"DefaultValue needs 'Transform: {LANGUAGE_EXTENSIONS}'")
            default = args[3]["DefaultValue"]
        keys = [self._string(arg, where, "a Fn::FindInMap key") for arg in args[:3]]
        mapping = self.template.mappings.get(keys[0])
        if mapping is None:
            raise self.error(where, f"Fn::FindInMap: no mapping named {keys[0]!r}")
        top = mapping.get(keys[1]) if isinstance(mapping, dict) else None
        value = top.get(keys[2], NO_VALUE) if isinstance(top, dict) else NO_VALUE
        if value is NO_VALUE:
            if default is not NO_VALUE:
                return self._walk(default, where)
            missing = keys[1] if not isinstance(top, dict) else keys[2]
            raise self.error(where, f"mapping {keys[0]} has no key {missing!r} (looked up {'/'.join(keys)})")
        return self._walk(value, where)

    def _if(self, args: Any, where: str) -> Any:
        name, when_true, when_false = self._args(args, where, "Fn::If", (3,))
        if not isinstance(name, str):
            raise self.error(where, f"Fn::If takes a condition name first, not {name!r}")
        chosen = when_true if self._conditions.evaluate(name, where=where) else when_false
        return self._walk(chosen, where)

    def _cidr(self, args: Any, where: str) -> list[str]:
        block, count_arg, bits_arg = self._args(args, where, "Fn::Cidr", (3,))
        text = self._string(block, where, "the Fn::Cidr ipBlock")
        try:
            network = ipaddress.ip_network(text, strict=False)
            count = int(self._string(count_arg, where, "count"))
            bits = int(self._string(bits_arg, where, "cidrBits"))
        except ValueError as exc:
            raise self.error(where, f"Fn::Cidr: {exc}") from None
        if not 1 <= count <= 256:
            raise self.error(where, f"Fn::Cidr count must be between 1 and 256, not {count}")
        prefix = network.max_prefixlen - bits
        if bits <= 0 or prefix < network.prefixlen:
            raise self.error(where, f"Fn::Cidr cidrBits {bits} does not fit in {network}")
        available = 2 ** (prefix - network.prefixlen)
        if count > available:
            raise self.error(where, f"{network} holds only {available} /{prefix} blocks, not {count}")
        subnets = network.subnets(new_prefix=prefix)
        return [str(next(subnets)) for _ in range(count)]

    def _import_value(self, args: Any, where: str) -> Any:
        return self.ctx.import_value(self._string(args, where, "the Fn::ImportValue name"))

    def _length(self, args: Any, where: str) -> int:
        return len(self._list(args, where, "the Fn::Length argument"))

    def _to_json_string(self, args: Any, where: str) -> str:
        value = self._walk(args, where)
        if not isinstance(value, (dict, list)):
            raise self.error(where, f"Fn::ToJsonString takes a mapping or a list, not {value!r}")
        return json.dumps(value, separators=(",", ":"))
