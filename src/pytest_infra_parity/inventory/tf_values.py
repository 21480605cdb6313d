"""Values of Terraform and Pulumi attributes: references known after apply, partial JSON, nested blocks.

A Terraform configuration read offline knows many values only after apply (a key's ARN, a queue's
URL). They are :data:`~pytest_infra_parity.inventory.model.UNKNOWN` in the model, but where the value
is a reference to another resource's attribute the sources keep *which* attribute it is, as a
:class:`Ref` (``module.kms.aws_kms_key.this.arn``): parity can then tell that two buckets use "the
stack's key", and alarms and redrive policies can be linked to the resource they name.

Nested blocks are lists of objects in Terraform plan/state JSON (``server_side_encryption: [{...}]``)
and single objects in Pulumi (``serverSideEncryption: {...}``): :func:`block` and :func:`blocks` read
both.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from pytest_infra_parity.inventory.model import UNKNOWN

IDENTITY_ATTRIBUTES: Final = frozenset({
    "id", "arn", "name", "bucket", "function_name", "key_id", "alarm_name", "url", "invoke_arn",
    "qualified_arn", "api_id", "table_name", "topic_arn", "queue_url",
})
"""Attributes that identify the resource they belong to: a reference to one of them names it."""


@dataclass(frozen=True)
class Ref:
    """An attribute of another resource, only known after apply: ``address`` + ``attribute``."""

    address: str
    attribute: str

    @property
    def text(self) -> str:
        return f"{self.address}.{self.attribute}" if self.attribute else self.address

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        raise TypeError("a Terraform reference has no truth value: it is known after apply")


@dataclass(frozen=True)
class Partial:
    """A structured value (``jsonencode({...})``) some of whose leaves are only known after apply."""

    value: Any

    def __bool__(self) -> bool:
        raise TypeError("a partially known value has no truth value")


def unknown(value: Any) -> bool:
    """UNKNOWN, a :class:`Ref` or a :class:`Partial`: not a plain known value."""
    return value is UNKNOWN or isinstance(value, (Ref, Partial))


def known(value: Any) -> Any:
    """``value`` itself, or UNKNOWN for a reference; a partial document keeps its known parts."""
    if isinstance(value, Ref):
        return UNKNOWN
    if isinstance(value, Partial):
        return plain(value.value)
    return value


def plain(value: Any) -> Any:
    """``value`` with every :class:`Ref` and :class:`Partial` inside replaced by UNKNOWN / its value."""
    if isinstance(value, Ref):
        return UNKNOWN
    if isinstance(value, Partial):
        return plain(value.value)
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def reference_text(value: Any) -> Any:
    """A key or target as text: a string itself, a :class:`Ref` its ``address.attribute``."""
    if isinstance(value, Ref):
        return value.text
    if isinstance(value, Partial):
        return UNKNOWN
    return value


def identity(value: Any) -> Any:
    """A value naming another resource: a reference to its id/ARN/name becomes its address.

    The address is the resource's ``name`` in the model: the settings readers store it beside the UNKNOWN
    value (``dimension_refs``, ``dlq_ref``) so links resolve offline; a reference to another attribute is
    UNKNOWN.
    """
    if isinstance(value, Ref):
        return value.address if value.attribute in IDENTITY_ATTRIBUTES else UNKNOWN
    return known(value)


def block(values: Mapping[str, Any], name: str) -> Any:
    """The first object of a nested block (a list of one in Terraform, an object in Pulumi).

    ``None`` when absent or empty, UNKNOWN when unknown.
    """
    value = values.get(name)
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, list):
        return value[0] if value and isinstance(value[0], Mapping) else (UNKNOWN if value and value[0] is UNKNOWN
                                                                         else None)
    return value if isinstance(value, Mapping) else None


def blocks(values: Mapping[str, Any], name: str) -> Any:
    """Every object of a repeated nested block (``[]`` when absent), UNKNOWN when unknown."""
    value = values.get(name)
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, Mapping)]
    return []


_MAP_ATTRIBUTES: Final = frozenset({
    "tags", "tags_all", "variables", "dimensions", "default_tags", "environment_variables",
    "request_parameters", "response_parameters", "stage_variables", "labels", "parameters",
})
"""Attributes holding user maps: their keys are data, never converted to snake_case."""


def snake_keys(value: Any, *, inside_map: bool = False) -> Any:
    """Pulumi camelCase inputs/outputs as the Terraform provider's snake_case attributes.

    Keys of user maps (tags, environment variables, alarm dimensions) are kept as written.
    """
    from pytest_infra_parity.inventory.tf_types import snake

    if isinstance(value, Mapping):
        converted: dict[str, Any] = {}
        for key, item in value.items():
            name = key if inside_map else snake(key)
            converted[name] = snake_keys(item, inside_map=name in _MAP_ATTRIBUTES and not inside_map)
        return converted
    if isinstance(value, list):
        return [snake_keys(item) for item in value]
    return value


_ARN: Final = re.compile(r"^arn:(?P<partition>[^:]+):(?P<service>[^:]*):(?P<region>[^:]*):(?P<account>[^:]*):")


def arn_region_account(arn: Any) -> tuple[str | None, str | None]:
    """The region and account of an ARN (``None`` for global ARNs, unknown or missing values)."""
    if not isinstance(arn, str):
        return None, None
    match = _ARN.match(arn)
    if match is None:
        return None, None
    return match.group("region") or None, match.group("account") or None
