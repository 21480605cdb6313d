"""Provisioners, one module per AWS service family, registered by CloudFormation type.

Each module decorates its provisioner classes with :func:`register`. The registry imports every
module of this package once, on first lookup, so adding a file is enough to add a type.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TypeVar

from pytest_infra_parity.deploy.provisioners.base import (
    Provisioner,
    ProvisionError,
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
)

__all__ = [
    "ProvisionError",
    "ProvisionRequest",
    "ProvisionResult",
    "Provisioner",
    "ResourceMissing",
    "get",
    "register",
    "supported_types",
]

_REGISTRY: dict[str, Provisioner] = {}
_loaded = False

P = TypeVar("P")


def register(cls: type[P]) -> type[P]:
    """Class decorator: register one instance of the provisioner under its ``resource_type``."""
    instance = cls()
    resource_type: str = instance.resource_type  # type: ignore[attr-defined]
    if resource_type in _REGISTRY and type(_REGISTRY[resource_type]) is not cls:
        raise RuntimeError(f"two provisioners for {resource_type}: {type(_REGISTRY[resource_type])} and {cls}")
    _REGISTRY[resource_type] = instance  # type: ignore[assignment]
    return cls


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base" and not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    _loaded = True


def get(resource_type: str) -> Provisioner | None:
    """The provisioner for a CloudFormation type, or ``None`` when the applier does not support it."""
    _load_all()
    return _REGISTRY.get(resource_type)


def supported_types() -> list[str]:
    """Every CloudFormation type the applier can create, sorted."""
    _load_all()
    return sorted(_REGISTRY)
