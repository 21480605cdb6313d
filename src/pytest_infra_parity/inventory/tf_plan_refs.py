"""Values "known after apply" of a Terraform plan traced back to the attribute they come from.

A plan's ``after`` omits or nulls what is only known after apply; ``after_unknown`` marks those leaves
(Terraform docs, "JSON Output Format", "Change Representation"). The plan's ``configuration`` gives,
for each argument, the ``references`` of its expression (``["aws_kms_key.this.arn", "aws_kms_key.this"]``,
``["var.kms_key_arn"]``, ``["module.kms.key_arn", "module.kms"]``; "Expression Representation"). Following
``var.*`` to the module call's argument and ``module.*.<output>`` to the output's expression, an unknown
key id becomes a :class:`~pytest_infra_parity.inventory.tf_values.Ref` such as
``module.kms.aws_kms_key.this.arn``, the same text the HCL source gives.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pytest_infra_parity.inventory.model import UNKNOWN
from pytest_infra_parity.inventory.tf_values import Partial, Ref

_PART = re.compile(r'([^.\[]+)((?:\[[^\]]*\])*)')


def merge_unknown(after: Any, unknown: Any) -> Any:
    """``after`` with each leaf ``after_unknown`` marks replaced by UNKNOWN."""
    if unknown is True:
        return UNKNOWN
    if isinstance(unknown, Mapping) and (isinstance(after, Mapping) or after is None):
        base = dict(after or {})
        for key, mark in unknown.items():
            base[key] = merge_unknown(base.get(key), mark)
        return base
    if isinstance(unknown, list) and (isinstance(after, list) or after is None):
        items = list(after or [])
        items += [None] * (len(unknown) - len(items))
        return [merge_unknown(item, mark) for item, mark in zip(items, unknown + [False] * len(items), strict=False)]
    return after


def split_reference(text: str) -> list[str]:
    """``module.x["k"].aws_y.z[0].arn`` -> ``['module', 'x["k"]', 'aws_y', 'z[0]', 'arn']``."""
    return [name + index for name, index in _PART.findall(text)]


class ConfigModule:
    """One module of the plan's ``configuration``, with the call that instantiated it."""

    def __init__(self, body: Mapping[str, Any], prefix: str = "", parent: ConfigModule | None = None,
                 call: Mapping[str, Any] | None = None) -> None:
        self.body = body
        self.prefix = prefix
        self.parent = parent
        self.call = call or {}

    def child(self, name: str, instance: str | None = None) -> ConfigModule | None:
        call = (self.body.get("module_calls") or {}).get(name)
        if not isinstance(call, Mapping) or not isinstance(call.get("module"), Mapping):
            return None
        return ConfigModule(call["module"], f"{self.prefix}module.{instance or name}.", self, call)

    def resource(self, tf_type: str, name: str) -> Mapping[str, Any] | None:
        for resource in self.body.get("resources") or []:
            if resource.get("type") == tf_type and resource.get("name") == name and resource.get("mode") != "data":
                return dict(resource)
        return None

    def resolve(self, references: list[str], depth: int = 0) -> Any:
        """The Ref the first reference leads to, or UNKNOWN when it cannot be followed (locals, each)."""
        if len(direct_references(references)) != 1 or depth > 20:
            return UNKNOWN
        parts = split_reference(references[0])
        if parts[0] == "var" and len(parts) > 1 and self.parent is not None:
            expression = (self.call.get("expressions") or {}).get(parts[1])
            return self.parent.resolve(_references(expression), depth + 1)
        if parts[0] == "module" and len(parts) > 2:
            name = parts[1].split("[", 1)[0]
            child = self.child(name, parts[1])
            output = (child.body.get("outputs") or {}).get(parts[2]) if child else None
            if child is None or not isinstance(output, Mapping):
                return UNKNOWN
            return child.resolve(_references(output.get("expression")), depth + 1)
        if parts[0] == "data" and len(parts) > 3:
            return Ref(f"{self.prefix}data.{parts[1]}.{parts[2]}", ".".join(parts[3:]))
        if parts[0].startswith("aws_") and len(parts) > 2:
            return Ref(f"{self.prefix}{parts[0]}.{parts[1]}", ".".join(parts[2:]))
        return UNKNOWN


def direct_references(references: list[str]) -> list[str]:
    """The traversals of an expression, without the shorter forms Terraform lists after each one.

    Exactly one means the value may be that reference itself (``kms_key_id = var.key``); an expression
    combining several (``jsonencode({target = aws_sqs_queue.dlq.arn, count = var.n})``) is only known
    after apply as a whole.
    """
    return [r for r in references if not any(o != r and o.startswith((r + ".", r + "[")) for o in references)]


def _references(expression: Any) -> list[str]:
    if isinstance(expression, Mapping) and isinstance(expression.get("references"), list):
        return [str(r) for r in expression["references"]]
    return []


def module_for(root: ConfigModule, module_address: str | None) -> ConfigModule | None:
    """The configuration module of a resource change's ``module_address`` (``module.a["k"].module.b``)."""
    module: ConfigModule | None = root
    parts = split_reference(module_address or "")
    for index in range(0, len(parts) - 1, 2):
        if module is None or parts[index] != "module":
            return None
        module = module.child(parts[index + 1].split("[", 1)[0], parts[index + 1])
    return module


def redrive_target(expressions: Any, module: ConfigModule) -> Any:
    """A redrive policy known after apply whose expression reads one queue's ARN: that queue, count unknown."""
    expression = expressions.get("redrive_policy") if isinstance(expressions, Mapping) else None
    targets = set()
    for reference in direct_references(_references(expression)):
        found = module.resolve([reference])
        if isinstance(found, Ref) and found.attribute == "arn" and ".aws_sqs_queue." in f".{found.address}":
            targets.add(found)
    if len(targets) != 1:
        return UNKNOWN
    return Partial({"deadLetterTargetArn": targets.pop(), "maxReceiveCount": UNKNOWN})


def _is_expression(value: Any) -> bool:
    return isinstance(value, Mapping) and bool(value) and set(value) <= {"references", "constant_value"}


def trace_unknown(values: Any, expressions: Any, module: ConfigModule, depth: int = 0) -> Any:
    """``values`` with unknown leaves replaced by the Ref their expression leads to.

    An unknown leaf of a nested block that the configuration does not set is a provider default
    computed at apply (``server_side_encryption[0].kms_key_arn`` left empty): it becomes ``None``.
    """
    if values is UNKNOWN:
        if _is_expression(expressions):
            return module.resolve(_references(expressions))
        return None if expressions is None and depth > 1 else UNKNOWN
    if _is_expression(expressions) and isinstance(values, (Mapping, list)):
        return _with_expression(values, expressions, module)
    if isinstance(values, Mapping):
        found = expressions if isinstance(expressions, Mapping) else {}
        return {k: trace_unknown(v, found.get(k), module, depth + 1) for k, v in values.items()}
    if isinstance(values, list):
        items = expressions if isinstance(expressions, list) else []
        return [trace_unknown(v, items[i] if i < len(items) else (items[0] if len(items) == 1 else None),
                              module, depth + 1) for i, v in enumerate(values)]
    return values


def _with_expression(values: Any, expression: Mapping[str, Any], module: ConfigModule) -> Any:
    """A map or list given by one expression: its unknown parts come from that expression."""
    if values is UNKNOWN:
        return module.resolve(_references(expression))
    if isinstance(values, Mapping):
        return {k: _with_expression(v, expression, module) for k, v in values.items()}
    if isinstance(values, list):
        return [_with_expression(v, expression, module) for v in values]
    return values
