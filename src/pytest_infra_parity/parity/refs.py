"""Resolve a reference to another resource (a KMS key, a dead-letter queue) within its own inventory.

Sources spell references differently: live resources give an ARN or a key id, a template a logical
id (``Key``, ``Key.Arn``, ``${Key.Arn}``), Terraform an expression (``aws_kms_key.this.arn``,
``module.kms.key_arn``), aliases appear as ``alias/name`` or an alias ARN. Comparing those strings
across sources is meaningless; resolving each to the :class:`Resource` of its own inventory, then
asking whether the two resources are a matched pair, is not.

KMS semantics (AWS KMS Developer Guide, "Key identifiers (KeyId)"): a key is named by its key id,
key ARN, alias name (``alias/x``) or alias ARN; an alias points at one key (``TargetKeyId``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from pytest_infra_parity.inventory.model import Inventory, Resource, is_unknown
from pytest_infra_parity.parity.identity import naming_part, split_arn, urn_name

_ATTRIBUTE: Final = re.compile(
    r"\.(?:arn|id|key_id|name|url|Arn|KeyId|QueueUrl|QueueName|QueueArn|TopicArn|target_key_arn|key_arn)$"
)
_PLACEHOLDER: Final = re.compile(r"^\$\{(.+)\}$|^\{\{(.+)\}\}$")
_MODULE_OUTPUT: Final = re.compile(r"^module\.([\w-]+)\.[\w-]+$")
_MODULE_PATH: Final = re.compile(r"^(?:module\.[\w-]+(?:\[[^\]]*\])?\.)+")
_AMBIGUOUS: Final = object()
_ALIAS_TARGET_SETTINGS: Final = ("target_key", "target_key_id", "TargetKeyId")


@dataclass(frozen=True)
class Resolved:
    """The resource a reference names, or why it names none."""

    resource: Resource | None
    reason: str = ""


class References:
    """Resolves references to resources of ``kinds`` (and, for keys, through key aliases)."""

    def __init__(self, inventory: Inventory, kinds: Iterable[str]) -> None:
        self.inventory = inventory
        self.kinds = frozenset(kinds)
        self._index: dict[str, Any] = {}
        self._targets = [r for r in inventory.resources if r.kind in self.kinds]
        for resource in self._targets:
            for name in _names(resource):
                self._add(name, resource)
        if "key" in self.kinds:
            self._index_aliases()

    def _add(self, name: str, resource: Resource) -> None:
        current = self._index.get(name)
        if current is None:
            self._index[name] = resource
        elif current is not resource:
            self._index[name] = _AMBIGUOUS

    def _index_aliases(self) -> None:
        for alias in self.inventory.resources:
            if alias.kind != "key alias":
                continue
            target_ref = next((alias.settings[s] for s in _ALIAS_TARGET_SETTINGS if s in alias.settings), None)
            if not isinstance(target_ref, str):
                continue
            target = self.resolve(target_ref, referrer=alias).resource
            if target is None:
                continue
            for name in _names(alias):
                if name not in self._index:
                    self._add(name, target)

    def _get(self, name: str) -> Resource | object | None:
        return self._index.get(name)

    def resolve(self, ref: Any, referrer: Resource | None = None, *, sole: bool = False) -> Resolved:
        """The resource ``ref`` names (see the module docstring for the spellings understood).

        A Terraform reference is relative to the module of the resource that writes it
        (``aws_kms_key.this.arn`` in ``module.kms``): ``referrer`` gives that module. With ``sole``, a
        ``None`` reference (the source says "a resource this deployment creates" without saying which)
        names the only resource of the kinds when the inventory has exactly one.
        """
        if ref is None:
            if sole and len(self._targets) == 1:
                return Resolved(self._targets[0])
            return Resolved(None, f"{self.inventory.source} does not say which")
        if is_unknown(ref):
            return Resolved(None, "known only after apply")
        if not isinstance(ref, str):
            ref = str(ref)  # a Terraform Ref prints as its address and attribute
        for candidate in _candidates(ref, _module_of(referrer)):
            found = self._get(candidate)
            if found is _AMBIGUOUS:
                return Resolved(None, f"{ref!r} names several resources of {self.inventory.source}")
            if isinstance(found, Resource):
                return Resolved(found)
        module = _MODULE_OUTPUT.match(ref)
        if module is not None:
            inside = [r for r in self._targets if r.name.startswith(f"module.{module.group(1)}.")]
            if len(inside) == 1:
                return Resolved(inside[0])
        address = _ATTRIBUTE.sub("", ref.strip())
        if "." in address and not address.startswith(("arn:", "module.")):
            # A Terraform address written without its module path: the one target it ends.
            ending = [r for r in self._targets if r.name.endswith("." + address)]
            if len(ending) == 1:
                return Resolved(ending[0])
        return Resolved(None, f"{ref!r} is not a {'/'.join(sorted(self.kinds))} of {self.inventory.source}")


def _names(resource: Resource) -> list[str]:
    names = [resource.name]
    for value in (resource.physical_id, resource.arn):
        if isinstance(value, str) and value:
            names += [value, naming_part(value)]
            if value.startswith("alias/"):
                names.append(value)
    urn = urn_name(resource.name)
    if urn:
        names.append(urn)
    return [n for n in dict.fromkeys(names) if n]


def _module_of(resource: Resource | None) -> str:
    """``module.a.module.b.`` of a Terraform address (``""`` for the root module or other sources)."""
    if resource is None or not resource.name.startswith("module."):
        return ""
    found = _MODULE_PATH.match(resource.name)
    return found.group(0) if found else ""


def _candidates(ref: str, module: str = "") -> list[str]:
    """Spellings to look up for ``ref``, most specific first."""
    text = ref.strip()
    out = [text]
    if module and not text.startswith(("module.", "arn:", "alias/", "$", "{")):
        out += [module + text, module + _ATTRIBUTE.sub("", text)]
    placeholder = _PLACEHOLDER.match(text)
    if placeholder:
        text = (placeholder.group(1) or placeholder.group(2)).strip()
        out.append(text)
    stripped = _ATTRIBUTE.sub("", text)
    if stripped != text:
        out.append(stripped)
    split = split_arn(text)
    if split is not None:
        service, resource = split
        if service == "kms" and resource.startswith("alias/"):
            out.append(resource)
        out.append(naming_part(text))
    elif text.startswith("alias/"):
        out.append(text)
    if text.startswith("urn:pulumi:"):
        out.append(urn_name(text) or text)
    return list(dict.fromkeys(out))
