"""What names in a Terraform module refer to, evaluated on demand: resources, data sources, modules, locals.

A reference ``aws_s3_bucket.this.bucket`` evaluates the bucket's own ``bucket`` argument; an attribute
the configuration does not set (``arn``, ``id``) is computed by the provider and becomes a
:class:`~pytest_infra_parity.inventory.tf_values.Ref`, except where the provider documents it as a
function of the arguments: ``id`` is another argument for the types of
:data:`~pytest_infra_parity.inventory.tf_types.ID_ATTRIBUTE`; ARNs of
:data:`~pytest_infra_parity.inventory.tf_types.ARN_FORMATS` (and a queue's URL) are built from the name,
the provider's ``region`` and its account when ``allowed_account_ids`` names exactly one (Terraform
refuses any other); ``data.aws_region`` gives the provider's Region, ``data.aws_partition`` its
partition and ``data.aws_caller_identity`` that account.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pytest_infra_parity.inventory.model import UNKNOWN
from pytest_infra_parity.inventory.tf_eval import EvalError
from pytest_infra_parity.inventory.tf_types import ARN_FORMATS, ID_ATTRIBUTE, NAME_ATTRIBUTE
from pytest_infra_parity.inventory.tf_values import Ref

if TYPE_CHECKING:
    from pytest_infra_parity.inventory.tf_hcl_body import Block
    from pytest_infra_parity.inventory.tf_hcl_module import Module

META = frozenset({"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"})


def partition_of(region: Any) -> Any:
    """The AWS partition of a region (``aws``, ``aws-cn``, ``aws-us-gov``...), UNKNOWN if it is unknown."""
    if not isinstance(region, str):
        return UNKNOWN
    for prefix, partition in (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"), ("us-isob-", "aws-iso-b"),
                              ("us-iso-", "aws-iso"), ("eu-isoe-", "aws-iso-e")):
        if region.startswith(prefix):
            return partition
    return "aws"


def index_suffix(key: Any) -> str:
    return "" if key is None else f"[{json.dumps(key)}]"


class ResourceObject:
    """One instance of a resource or data block, its attributes evaluated on demand."""

    def __init__(self, module: Module, block: Block, key: Any, env: dict[str, Any], *, data: bool) -> None:
        self.module, self.block, self.key, self.env, self.data = module, block, key, env, data
        self.tf_type, self.name = block.labels[0], block.labels[1]
        self.address = f"{module.prefix}{'data.' if data else ''}{self.tf_type}.{self.name}{index_suffix(key)}"

    def attr(self, name: str) -> Any:
        if self.data:
            return self._data_attr(name)
        token = (self.address, name)
        if token in self.module.loader.in_progress:
            return Ref(self.address, name)
        self.module.loader.in_progress.add(token)
        try:
            return self._managed_attr(name)
        finally:
            self.module.loader.in_progress.discard(token)

    def _managed_attr(self, name: str) -> Any:
        attributes = self.block.body.attributes
        if name in attributes and name not in META:
            return self.module.evaluator.eval(attributes[name], self.env)
        nested = self.block.body.blocks_of(name)
        if nested or any(b.labels[:1] == (name,) for b in self.block.body.blocks_of("dynamic")):
            return self.module.body_values(self.block.body, self.env, self.address).get(name, [])
        if name == "id" and self.tf_type in ID_ATTRIBUTE:
            return self.attr(ID_ATTRIBUTE[self.tf_type])
        derivable = name == "arn" and self.tf_type in ARN_FORMATS
        if derivable or (name in ("id", "url") and self.tf_type == "aws_sqs_queue"):
            return self._derived(name)
        return Ref(self.address, name)

    def _derived(self, name: str) -> Any:
        """An ARN (or queue URL) built from the name, the provider's Region and its only allowed account."""
        provider = self.module.provider_for(self.block)
        parts = {"name": self.attr(NAME_ATTRIBUTE.get(self.tf_type, "name")), "region": provider.region,
                 "account": provider.account, "partition": partition_of(provider.region)}
        template = ARN_FORMATS[self.tf_type] if name == "arn" else "https://sqs.{region}.amazonaws.com/{account}/{name}"
        needed = [key for key in parts if "{" + key + "}" in template]
        if all(isinstance(parts[key], str) for key in needed):
            return template.format(**parts)
        return Ref(self.address, name)

    def _data_attr(self, name: str) -> Any:
        region = self.module.provider_for(self.block).region
        if self.tf_type == "aws_caller_identity" and name == "account_id":
            account = self.module.provider_for(self.block).account
            return account if isinstance(account, str) else Ref(self.address, name)
        if self.tf_type == "aws_region" and name in ("name", "id", "region"):
            return region if isinstance(region, str) else Ref(self.address, name)
        if self.tf_type == "aws_partition" and name in ("partition", "id", "dns_suffix"):
            partition = partition_of(region)
            if partition is UNKNOWN:
                return Ref(self.address, name)
            return {"partition": partition, "id": partition,
                    "dns_suffix": "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"}[name]
        return Ref(self.address, name)


class ResourceType:
    """``aws_s3_bucket`` (or ``data.aws_region``): its blocks by name, each as one or many instances."""

    def __init__(self, module: Module, tf_type: str, *, data: bool) -> None:
        self.module, self.tf_type, self.data = module, tf_type, data

    def attr(self, name: str) -> Any:
        blocks = self.module.data if self.data else self.module.resources
        block = blocks.get((self.tf_type, name))
        if block is None:
            kind = "data source" if self.data else "resource"
            raise EvalError(f"reference to an undeclared {kind} {self.tf_type}.{name}")
        return self.module.collection(block, lambda key, env: ResourceObject(self.module, block, key, env,
                                                                           data=self.data))


class DataSources:
    def __init__(self, module: Module) -> None:
        self.module = module

    def attr(self, name: str) -> Any:
        return ResourceType(self.module, name, data=True)


class Outputs:
    """A module instance's outputs."""

    def __init__(self, module: Module) -> None:
        self.module = module

    def attr(self, name: str) -> Any:
        return self.module.output_value(name)


class ModuleCalls:
    """``module.<name>``: the outputs of one module call (a list/map of them with count/for_each)."""

    def __init__(self, module: Module) -> None:
        self.module = module

    def attr(self, name: str) -> Any:
        block = self.module.calls.get(name)
        if block is None:
            raise EvalError(f"reference to an undeclared module {name!r}")

        def outputs(key: Any, env: dict[str, Any]) -> Any:
            child = self.module.child(block, key, env)
            return Outputs(child) if child is not None else UNKNOWN

        return self.module.collection(block, outputs)


class Locals:
    def __init__(self, module: Module) -> None:
        self.module = module

    def attr(self, name: str) -> Any:
        return self.module.local(name)


class Variables:
    def __init__(self, module: Module) -> None:
        self.module = module

    def attr(self, name: str) -> Any:
        if name not in self.module.variables:
            raise EvalError(f"reference to an undeclared variable {name!r}")
        return self.module.var_values.get(name, UNKNOWN)
