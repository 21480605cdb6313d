"""Helpers the provisioner families share that talk to the target.

* reading a resource or raising :class:`ResourceMissing`, deleting idempotently, polling;
* the emulated store (:mod:`._emulated`) as the provisioners use it: a resource kept there because the
  target lacks its service (:func:`emulate`), and *companion* documents: an emulated-store entry beside
  a **real** resource that keeps the declared settings the target accepted but did not store, so
  ``verify`` and the control-plane emulation can read the full configuration back;
* resources the target cannot delete, marked with :data:`~.base.DELETED_TAG` instead (:class:`Tagging`);
* KMS key identifiers compared whatever form each side takes (:func:`key_differences`);
* :class:`Field` tables: how properties map to a create call and to the read-back document.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

from pytest_infra_parity.deploy.provisioners import _emulated
from pytest_infra_parity.deploy.provisioners._emulated import target_lacks
from pytest_infra_parity.deploy.provisioners._shapes import ABSENT, as_kind, dig, subset_differences
from pytest_infra_parity.deploy.provisioners.base import (
    DELETED_TAG,
    ProvisionError,
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    differs,
    error_code,
    is_not_found,
    tag_map,
)

# --------------------------------------------------------------------------- reading, deleting, polling


def read_or_missing(what: str, call: Callable[..., Any], **params: Any) -> Any:
    """Run a read call; a not-found answer becomes :class:`ResourceMissing` naming ``what``."""
    try:
        return call(**params)
    except ClientError as exc:
        if is_not_found(exc):
            raise ResourceMissing(f"{what} does not exist") from exc
        raise


def read_first(what: str, call: Callable[..., Any], key: str, **params: Any) -> dict[str, Any]:
    """The first item of the list ``key`` a describe call answers; :class:`ResourceMissing` when none."""
    items = read_or_missing(what, call, **params)[key]
    if not items:
        raise ResourceMissing(f"{what} does not exist")
    return dict(items[0])


def read_real(what: str, call: Callable[..., Any], **params: Any) -> Any:
    """:func:`read_or_missing` for a resource that may be emulated: ``None`` when the target lacks it."""
    try:
        return call(**params)
    except ClientError as exc:
        if target_lacks(exc):
            return None
        if is_not_found(exc):
            raise ResourceMissing(f"{what} does not exist") from exc
        raise


def ignore_missing(call: Callable[..., Any], **params: Any) -> Any:
    """Run a delete-like call; a not-found answer means the work is already done (``None``)."""
    try:
        return call(**params)
    except ClientError as exc:
        if not is_not_found(exc):
            raise
        return None


def wait_for(what: str, check: Callable[[], bool], timeout: float = 900.0, delay: float = 2.0) -> None:
    """Poll ``check`` until it is true; :class:`ProvisionError` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise ProvisionError(f"{what}: still not done after {timeout:.0f}s")
        time.sleep(delay)


SLOW = (3600.0, 10.0)
"""``wait_for``'s (timeout, delay) for databases, caches and search domains, which take minutes."""

# --------------------------------------------------------------------------- emulated store


def emulate(
    request: ProvisionRequest, physical_id: str, attributes: dict[str, Any], exc: BaseException
) -> ProvisionResult:
    """Keep the declared resource in the emulated store because the target lacks the service."""
    reason = f"the target does not implement {request.resource_type} ({type(exc).__name__})"
    _emulated.put(request, physical_id, attributes, reason)
    return ProvisionResult(physical_id=physical_id, attributes=attributes)


def emulated_differences(request: ProvisionRequest, physical_id: str) -> list[str]:
    """Verify an emulated resource: its stored document must hold the declared properties."""
    stored = _emulated.get(request)
    problems = differs("emulated id", physical_id, stored.physical_id)
    for key in sorted({*request.properties, *stored.properties}):
        problems += differs(f"{key} (emulated)", request.properties.get(key), stored.properties.get(key))
    return problems


def emulated_or_raise(request: ProvisionRequest, physical_id: str, exc: BaseException) -> list[str]:
    """In ``verify``: where the target lacks the read, check the emulated copy; else raise ``exc``."""
    if target_lacks(exc):
        return emulated_differences(request, physical_id)
    raise exc


def settle_delete(request: ProvisionRequest, exc: BaseException, done: tuple[str, ...] = ()) -> None:
    """In ``delete``: where the target lacks the call, drop the emulated copy; a not-found answer (or an
    error code of ``done``) means the work is done; anything else is raised again."""
    if target_lacks(exc):
        _emulated.delete(request)
    elif not (is_not_found(exc) or error_code(exc) in done):
        raise exc


def delete_and_wait(
    request: ProvisionRequest,
    what: str,
    gone: Callable[[], bool],
    call: Callable[..., Any],
    done: tuple[str, ...] = (),
    **params: Any,
) -> None:
    """Run a slow delete call (see :func:`settle_delete`), then wait until ``gone`` says ``what`` is gone."""
    try:
        call(**params)
    except (ClientError, ResponseParserError) as exc:
        settle_delete(request, exc, done)
        return
    wait_for(f"{request.logical_id}: {what} deleted", gone, *SLOW)


def keep_companion(request: ProvisionRequest, physical_id: str, dropped: Mapping[str, Any]) -> None:
    """Keep what the target accepted but did not store in a companion document of the real resource."""
    if not dropped:
        return
    reason = (
        f"companion of the real {request.resource_type} {physical_id}: the target does not store "
        + ", ".join(sorted(dropped))
    )
    _emulated.put(request, physical_id, {"Dropped": dict(dropped)}, reason)


def companion_values(request: ProvisionRequest) -> dict[str, Any]:
    """The settings :func:`keep_companion` kept for this resource (``{}`` when there are none)."""
    try:
        stored = _emulated.get(request)
    except ResourceMissing:
        return {}
    return dict(stored.attributes.get("Dropped") or {})


def kept_differences(name: str, declared: Any, live: Any, companion: Mapping[str, Any]) -> list[str]:
    """Compare a setting the target may have dropped: the live value, else the companion's copy."""
    if declared is None:
        return []
    if live is None:
        if name in companion:
            return differs(f"{name} (kept in the companion document)", declared, companion[name])
        return [f"{name} is missing (declared {declared!r})"]
    return subset_differences(name, declared, live)


# --------------------------------------------------------------------------- undeletable resources


@dataclass(frozen=True)
class Tagging:
    """How one service reads, adds and removes the (``[{Key, Value}]``) tags of a resource, by ARN."""

    client: Any
    arn_param: str
    """``ResourceArn``, ``ResourceName``..."""
    calls: tuple[str, str, str]
    """The list, add and remove operations (``list_tags_for_resource``, ``tag_resource``...)."""
    listed: str = "Tags"
    """The key of the tags in the list operation's answer (``Tags``, ``TagList``...)."""

    def read(self, arn: str) -> dict[str, str]:
        answer = getattr(self.client, self.calls[0])(**{self.arn_param: arn})
        return {t["Key"]: t["Value"] for t in answer.get(self.listed) or []}

    def add(self, arn: str, tags: Mapping[str, str]) -> None:
        pairs = [{"Key": k, "Value": v} for k, v in tags.items()]
        getattr(self.client, self.calls[1])(**{self.arn_param: arn, "Tags": pairs})

    def remove(self, arn: str, keys: list[str]) -> None:
        getattr(self.client, self.calls[2])(**{self.arn_param: arn, "TagKeys": keys})


def mark_deleted(tagging: Tagging, arn: str) -> None:
    """Mark a resource the target cannot delete as deleted: ``verify`` treats it as gone from now on."""
    tagging.add(arn, {DELETED_TAG: "true"})


def refuse_marked(what: str, tags: Mapping[str, str]) -> None:
    """:class:`ResourceMissing` for a resource :func:`mark_deleted` marked (``what`` names it)."""
    if DELETED_TAG in tags:
        raise ResourceMissing(f"{what} (marked deleted)")


def take_back(request: ProvisionRequest, tagging: Tagging, arn: str) -> bool:
    """Take back a resource this plugin marked deleted: unmark it and give it the request's tags.

    False when it is not marked (someone else's resource: the caller raises its ``AlreadyExists``).
    """
    if DELETED_TAG not in tagging.read(arn):
        return False
    tagging.remove(arn, [DELETED_TAG])
    tagging.add(arn, tag_map(request))
    return True


# --------------------------------------------------------------------------- KMS key identifiers


def key_arn(request: ProvisionRequest, key_id: str) -> str | None:
    """The ARN of the key a key id, key ARN, alias name or alias ARN designates, or ``None``."""
    try:
        return str(request.client("kms").describe_key(KeyId=key_id)["KeyMetadata"]["Arn"])
    except ClientError as exc:
        if is_not_found(exc):
            return None
        raise


def _names_key(name: str, other: str) -> bool:
    """True when ``other`` is the key id or key ARN of the key ``name`` (a key id or key ARN) names."""
    tail = name.rsplit(":key/", 1)[-1]
    return other == tail or other.endswith(f":key/{tail}")


def same_key(request: ProvisionRequest, declared: Any, live: Any) -> bool:
    """True when a declared key id, key ARN, alias name or alias ARN designates the live key (any form).

    Services echo back whichever form they were given: both sides are resolved through ``DescribeKey``
    when their text does not already say they are the same key.
    """
    if declared == live:
        return True
    if not isinstance(declared, str) or not isinstance(live, str):
        return False
    if _names_key(declared, live):
        return True
    declared_arn = key_arn(request, declared)
    if declared_arn is None:
        return False
    return _names_key(declared_arn, live) or declared_arn == key_arn(request, live)


def key_differences(
    request: ProvisionRequest, name: str, declared: Any, live: Any, default: str | None = None
) -> list[str]:
    """``[]`` when ``declared`` and ``live`` designate the same KMS key, whatever form each takes.

    ``default`` is the key the service uses when it reports none (``alias/aws/secretsmanager``...).
    """
    if declared is None:
        return []
    live = live or default
    if live is None:
        return [f"{name} is not set, declared {declared!r}"]
    if same_key(request, str(declared), str(live)):
        return []
    declared_arn, live_arn = key_arn(request, str(declared)), key_arn(request, str(live))
    return [f"{name} is {live!r} (key {live_arn}), declared {declared!r} (key {declared_arn})"]


# --------------------------------------------------------------------------- field tables


@dataclass(frozen=True)
class Field:
    """How one CloudFormation property maps to the create call and to the read-back document."""

    cfn: str
    api: str | None = None
    """Parameter of the create call (default: same name); ``""`` when the provisioner passes it itself."""
    kind: str = "str"
    """``str``, ``int``, ``float``, ``bool``, ``list`` (see :func:`~._shapes.as_kind`) or ``raw``."""
    live: str | None = None
    """Path in the described document (``A.B``, ``A[].B``); ``None`` when it cannot be read back."""
    compare: str = "eq"
    """``eq``, ``ci`` (case-insensitive), ``set`` (order-insensitive list), ``kms`` (any key id form)."""
    optional: bool = False
    """Only checked when the target reports the field (see the ``# moto:`` note where it is set)."""


def build_params(request: ProvisionRequest, fields: tuple[Field, ...]) -> dict[str, Any]:
    """Create-call parameters for every declared property of ``fields``."""
    params: dict[str, Any] = {}
    for f in fields:
        if f.cfn in request.properties and f.api != "":
            params[f.api or f.cfn] = as_kind(request.properties[f.cfn], f.kind)
    return params


def _same(request: ProvisionRequest, f: Field, declared: Any, live: Any) -> bool:
    if f.compare == "ci":
        return str(declared).lower() == str(live).lower()
    if f.compare == "set":
        return sorted(map(str, declared)) == sorted(map(str, live or []))
    if f.compare == "kms":
        return same_key(request, declared, live)
    return bool(declared == live)


def field_differences(
    request: ProvisionRequest, fields: tuple[Field, ...], live: Mapping[str, Any]
) -> list[str]:
    """One line per declared property of ``fields`` whose read-back value differs."""
    problems: list[str] = []
    for f in fields:
        if f.cfn not in request.properties or f.live is None:
            continue
        declared = as_kind(request.properties[f.cfn], f.kind)
        value = dig(live, f.live)
        if value is ABSENT:
            if not f.optional:
                problems.append(f"{f.cfn} is not reported by the target (declared {declared!r})")
            continue
        if not _same(request, f, declared, value):
            problems.append(f"{f.cfn} is {value!r}, declared {declared!r}")
    return problems
