"""One Terraform module instance read offline: its blocks, variables, locals, providers and resource instances.

Terraform semantics kept (Terraform language docs): ``count`` instances are addressed ``[0]``, ``[1]``...
and ``for_each`` instances ``["key"]`` (a set of strings gives each.key = each.value); ``dynamic`` blocks
repeat their ``content`` with the ``iterator`` (default: the block label) holding ``key`` and ``value``;
modules with a local ``source`` (``./``, ``../``) are read from that folder, their resources addressed
``module.<name>[key].<type>.<name>``; a module inherits the default ``aws`` provider unless its call
passes ``providers = { aws = aws.<alias> }``; a resource uses ``provider = aws.<alias>`` when given.
Provider ``default_tags`` and ``region`` are kept per provider configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_infra_parity.errors import SourceError
from pytest_infra_parity.inventory import tf_expr as ex
from pytest_infra_parity.inventory.model import UNKNOWN
from pytest_infra_parity.inventory.tf_eval import EvalError, Evaluator
from pytest_infra_parity.inventory.tf_hcl_body import Block, Body, read_blocks
from pytest_infra_parity.inventory.tf_hcl_objects import (
    META,
    DataSources,
    Locals,
    ModuleCalls,
    ResourceType,
    Variables,
    index_suffix,
)
from pytest_infra_parity.inventory.tf_hcl_vars import ConversionError, convert, variable_value
from pytest_infra_parity.inventory.tf_values import unknown

MODULE_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})


@dataclass
class Provider:
    default_tags: Any = None
    region: Any = None
    account: Any = None
    """The account when ``allowed_account_ids`` lists exactly one."""


@dataclass
class Loader:
    """What every module of one configuration shares."""

    root: Path
    given: Mapping[str, Any]
    files: Mapping[str, tuple[ex.Node, Path]]
    warnings: list[str] = field(default_factory=list)
    in_progress: set[tuple[str, str]] = field(default_factory=set)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)


def provider_key(node: ex.Node | None) -> str:
    """``aws`` or ``aws.<alias>`` of a ``provider`` / ``providers`` value."""
    if isinstance(node, ex.Attr) and isinstance(node.obj, ex.Name):
        return f"{node.obj.name}.{node.name}"
    if isinstance(node, ex.Name):
        return node.name
    return "aws"


class Module:
    """A module instance: its folder, address prefix and evaluated inputs."""

    def __init__(self, loader: Loader, folder: Path, prefix: str = "", inputs: Mapping[str, Any] | None = None,
                 providers: Mapping[str, Provider] | None = None) -> None:
        self.loader, self.folder, self.prefix = loader, folder, prefix
        self.evaluator = Evaluator(self._lookup, loader.root)
        self.variables: dict[str, Block] = {}
        self.resources: dict[tuple[str, str], Block] = {}
        self.data: dict[tuple[str, str], Block] = {}
        self.calls: dict[str, Block] = {}
        self.outputs: dict[str, Block] = {}
        self.locals: dict[str, ex.Node] = {}
        self.provider_blocks: list[Block] = []
        self._read(folder)
        self.var_values: dict[str, Any] = {}
        self._local_values: dict[str, Any] = {}
        self._collections: dict[int, Any] = {}
        self._children: dict[tuple[str, str], Module | None] = {}
        self._outputs: dict[str, Any] = {}
        self._set_variables(inputs)
        self.providers = dict(providers or {})
        for block in self.provider_blocks:
            self.providers[self._provider_name(block)] = self._provider(block)

    def _read(self, folder: Path) -> None:
        files = sorted(folder.glob("*.tf"))
        if not files:
            raise SourceError("no Terraform configuration (.tf files) in this folder", path=folder)
        for path in files:
            for block in read_blocks(path):
                self._register(block)

    def _register(self, block: Block) -> None:
        labels = block.labels
        if block.type in ("resource", "data") and len(labels) == 2:
            target = self.resources if block.type == "resource" else self.data
            if labels in target:
                raise SourceError(f"duplicate {block.type} {labels[0]}.{labels[1]}", path=block.file, line=block.line)
            target[(labels[0], labels[1])] = block
        elif block.type == "variable" and labels:
            self.variables[labels[0]] = block
        elif block.type == "module" and labels:
            self.calls[labels[0]] = block
        elif block.type == "output" and labels:
            self.outputs[labels[0]] = block
        elif block.type == "locals":
            self.locals.update(block.body.attributes)
        elif block.type == "provider" and labels:
            self.provider_blocks.append(block)

    def _set_variables(self, inputs: Mapping[str, Any] | None) -> None:
        for name, block in self.variables.items():
            if inputs is None:
                value, is_known = variable_value(block, self.loader.given, self.loader.files, self.loader.root)
            else:
                value, is_known = self._input(block, inputs)
            if not is_known:
                self.loader.warn(f"{self.prefix}var.{name} has no value (no default, not given): unknown")
                value = UNKNOWN
            self.var_values[name] = value

    def _input(self, block: Block, inputs: Mapping[str, Any]) -> tuple[Any, bool]:
        name = block.labels[0]
        if name not in inputs:
            return variable_value(block, {}, {}, self.loader.root)
        try:
            return convert(inputs[name], block.body.attributes.get("type"), self.loader.root), True
        except ConversionError as exc:
            raise SourceError(f"{self.prefix}var.{name}: {exc}", path=block.file, line=block.line) from exc

    @staticmethod
    def _provider_name(block: Block) -> str:
        alias = block.body.attributes.get("alias")
        name = block.labels[0]
        return f"{name}.{alias.value}" if isinstance(alias, ex.Lit) and alias.value else name

    def _provider(self, block: Block) -> Provider:
        provider = Provider()
        attributes = block.body.attributes
        if "region" in attributes:
            provider.region = self.safe_eval(attributes["region"], {}, f"provider {block.labels[0]}")
        if "allowed_account_ids" in attributes:
            accounts = self.safe_eval(attributes["allowed_account_ids"], {}, f"provider {block.labels[0]}")
            if isinstance(accounts, list) and len(accounts) == 1 and isinstance(accounts[0], str):
                provider.account = accounts[0]
        for tags_block in block.body.blocks_of("default_tags"):
            tags = tags_block.body.attributes.get("tags")
            if tags is not None:
                provider.default_tags = self.safe_eval(tags, {}, "provider default_tags")
        return provider

    def provider_for(self, block: Block) -> Provider:
        return self.providers.get(provider_key(block.body.attributes.get("provider")), Provider())

    def _lookup(self, name: str) -> Any:
        objects: dict[str, Callable[[], Any]] = {
            "var": lambda: Variables(self), "local": lambda: Locals(self), "module": lambda: ModuleCalls(self),
            "data": lambda: DataSources(self), "self": lambda: UNKNOWN,
            "path": lambda: {"module": self._relative(), "root": ".", "cwd": str(self.loader.root)},
            "terraform": lambda: {"workspace": "default"},
        }
        if name in objects:
            return objects[name]()
        if any(t == name for t, _ in self.resources) or "_" in name:
            return ResourceType(self, name, data=False)
        raise EvalError(f"unknown name {name!r}")

    def _relative(self) -> str:
        try:
            return str(self.folder.relative_to(self.loader.root)) or "."
        except ValueError:
            return str(self.folder)

    def safe_eval(self, node: ex.Node, env: Mapping[str, Any], where: str) -> Any:
        """The value, or UNKNOWN with a warning when it cannot be evaluated offline."""
        try:
            return self.evaluator.eval(node, env)
        except EvalError as exc:
            self.loader.warn(f"{where}: {exc}; taken as unknown")
            return UNKNOWN

    def local(self, name: str) -> Any:
        if name not in self.locals:
            raise EvalError(f"reference to an undeclared local value {name!r}")
        if name not in self._local_values:
            self._local_values[name] = UNKNOWN
            self._local_values[name] = self.safe_eval(self.locals[name], {}, f"{self.prefix}local.{name}")
        return self._local_values[name]

    def output_value(self, name: str) -> Any:
        block = self.outputs.get(name)
        if block is None:
            raise EvalError(f"module {self.prefix.rstrip('.')} has no output {name!r}")
        if name not in self._outputs:
            self._outputs[name] = UNKNOWN
            value = block.body.attributes.get("value")
            self._outputs[name] = self.safe_eval(value, {}, f"{self.prefix}output.{name}") if value else None
        return self._outputs[name]

    def expand(self, block: Block) -> list[tuple[Any, dict[str, Any]]]:
        """The instance keys of a block and the ``each``/``count`` scope of each."""
        attributes, where = block.body.attributes, f"{self.prefix}{'.'.join(block.labels)}"
        if "count" in attributes:
            count = self.safe_eval(attributes["count"], {}, f"{where}.count")
            if unknown(count) or not isinstance(count, (int, float)):
                self.loader.warn(f"{where}: count is only known after apply; read as one instance")
                return [(None, {"count": {"index": UNKNOWN}})]
            return [(i, {"count": {"index": i}}) for i in range(int(count))]
        if "for_each" in attributes:
            items = self.safe_eval(attributes["for_each"], {}, f"{where}.for_each")
            if isinstance(items, Mapping):
                return [(k, {"each": {"key": k, "value": items[k]}}) for k in sorted(items)]
            if isinstance(items, list) and not any(unknown(i) for i in items):
                return [(str(i), {"each": {"key": str(i), "value": i}}) for i in items]
            self.loader.warn(f"{where}: for_each is only known after apply; read as one instance")
            return [(None, {"each": {"key": UNKNOWN, "value": UNKNOWN}})]
        return [(None, {})]

    def collection(self, block: Block, make: Callable[[Any, dict[str, Any]], Any]) -> Any:
        """One object, a list (``count``) or a map (``for_each``) of instances of a block."""
        if id(block) not in self._collections:
            instances = self.expand(block)
            if "count" in block.body.attributes and instances[0][0] is not None:
                self._collections[id(block)] = [make(key, env) for key, env in instances]
            elif "for_each" in block.body.attributes and (not instances or instances[0][0] is not None):
                self._collections[id(block)] = {key: make(key, env) for key, env in instances}
            else:
                self._collections[id(block)] = make(*instances[0]) if instances else []
        return self._collections[id(block)]

    def body_values(self, body: Body, env: Mapping[str, Any], where: str) -> dict[str, Any]:
        """Arguments and nested blocks (``dynamic`` ones expanded) of a body, as plan/state JSON has them."""
        values: dict[str, Any] = {}
        for name, node in body.attributes.items():
            if name not in META:
                values[name] = self.safe_eval(node, env, f"{where}.{name}")
        for block in body.blocks:
            if block.type in META:
                continue
            if block.type == "dynamic" and block.labels:
                expanded = self._dynamic(block, env, where)
                current = values.get(block.labels[0], [])
                values[block.labels[0]] = expanded if unknown(expanded) or unknown(current) else current + expanded
            else:
                values.setdefault(block.type, []).append(self.body_values(block.body, env, f"{where}.{block.type}"))
        return values

    def _dynamic(self, block: Block, env: Mapping[str, Any], where: str) -> Any:
        label = block.labels[0]
        items = self.safe_eval(block.body.attributes.get("for_each", ex.Lit(None)), env, f"{where}.dynamic.{label}")
        if unknown(items):
            return UNKNOWN
        iterator = block.body.attributes.get("iterator")
        name = iterator.name if isinstance(iterator, ex.Name) else label
        pairs = sorted(items.items()) if isinstance(items, Mapping) else list(enumerate(items or []))
        contents = block.body.blocks_of("content")
        if not contents:
            return []
        return [self.body_values(contents[0].body, {**env, name: {"key": k, "value": v}}, f"{where}.{label}")
                for k, v in pairs]

    def child(self, call: Block, key: Any, env: Mapping[str, Any]) -> Module | None:
        """The module instance a call creates (``None`` for a source this reader cannot fetch)."""
        token = (call.labels[0], repr(key))
        if token not in self._children:
            self._children[token] = None
            self._children[token] = self._make_child(call, key, env)
        return self._children[token]

    def _make_child(self, call: Block, key: Any, env: Mapping[str, Any]) -> Module | None:
        name, attributes = call.labels[0], call.body.attributes
        source = self.safe_eval(attributes["source"], {}, f"module.{name}.source") if "source" in attributes else None
        if not isinstance(source, str) or not source.startswith(("./", "../")):
            self.loader.warn(f"{self.prefix}module.{name}: source {source!r} is not a local folder; its resources "
                             "are not read")
            return None
        folder = (self.folder / source).resolve()
        if not folder.is_dir():
            raise SourceError(f"module {name!r}: source folder {source} not found", path=call.file, line=call.line)
        prefix = f"{self.prefix}module.{name}{index_suffix(key)}."
        inputs = {arg: self.safe_eval(node, env, f"{prefix.rstrip('.')}.{arg}")
                  for arg, node in attributes.items() if arg not in MODULE_META}
        providers = {"aws": self.providers.get("aws", Provider())}
        passed = attributes.get("providers")
        if isinstance(passed, ex.Obj):
            for key_node, value_node in passed.items:
                child_name = str(key_node.value) if isinstance(key_node, ex.Lit) else "aws"
                providers[child_name] = self.providers.get(provider_key(value_node), Provider())
        return Module(self.loader, folder, prefix, inputs, providers)

    def instance_blocks(self) -> Iterator[tuple[Block, Any, dict[str, Any]]]:
        """Every managed resource block instance of this module (not of its children)."""
        for block in self.resources.values():
            for key, env in self.expand(block):
                yield block, key, env

    def children(self) -> Iterator[Module]:
        for call in self.calls.values():
            for key, env in self.expand(call):
                child = self.child(call, key, env)
                if child is not None:
                    yield child
