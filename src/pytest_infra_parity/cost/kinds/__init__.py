"""One small pricing function per resource kind, registered by kind (or by CloudFormation type).

A kind is the inventory model's word (``function``, ``service``, ``load balancer``...); types without a
kind in the model (``other``) are looked up by their CloudFormation type. A resource whose kind and type
have no pricing function is listed as unpriced, never dropped.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from pytest_infra_parity.cost.context import Pricer

MODULES = ("compute", "network", "data", "observability", "databases", "services", "free")

_REGISTRY: dict[str, Pricer] = {}
_LOADED: list[bool] = []


def pricer(*keys: str) -> Callable[[Pricer], Pricer]:
    """Register a pricing function for kinds or CloudFormation types."""

    def register(function: Pricer) -> Pricer:
        for key in keys:
            known = _REGISTRY.get(key)
            if known is not None and (known.__module__, known.__qualname__) != (function.__module__,
                                                                                 function.__qualname__):
                raise RuntimeError(f"two pricing functions for {key!r}")
            _REGISTRY[key] = function
        return function

    return register


def registry() -> dict[str, Pricer]:
    """Every pricing function by kind or type (the kind modules imported on first use)."""
    if not _LOADED:
        for module in MODULES:
            importlib.import_module(f"{__name__}.{module}")
        _LOADED.append(True)
    return dict(_REGISTRY)


def pricer_for(kind: str, cfn_type: str) -> Pricer | None:
    found = registry()
    return found.get(kind) or found.get(cfn_type)
