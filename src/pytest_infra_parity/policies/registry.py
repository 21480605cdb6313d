"""The policy registry: keyed by resource kind, filled by an explicit decorator and by policy packs.

Built-in policies live one per module in :mod:`pytest_infra_parity.policies.aws` and are decorated
with :func:`register_policy`; third-party packs are named by the entry-point group
``pytest_infra_parity.policies`` (the entry point names a module holding decorated classes, a policy
class, or a list of them). Everything is loaded lazily, once, on the first lookup; a pack that does
not load gives a :class:`~pytest_infra_parity.errors.ConfigError` naming it.

Ids are stable: a policy that is withdrawn keeps its id in :data:`RETIRED_IDS`, never reused.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import pkgutil
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Final, TypeVar

from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.policies.base import POLICY_ID_PATTERN, Policy

ENTRY_POINT_GROUP: Final = "pytest_infra_parity.policies"
BUILTIN_PACKAGE: Final = "pytest_infra_parity.policies.aws"
BUILTIN_PREFIX: Final = "IPP_"
RETIRED_IDS: Final[frozenset[str]] = frozenset()
"""Ids of withdrawn policies: registering one of them again is refused."""

_MARK: Final = "__ipp_policy__"
P = TypeVar("P")


@dataclass
class _State:
    by_id: dict[str, Policy] = field(default_factory=dict)
    loaded: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    """Guards ``by_id``; held only for a lookup-and-set, never across an import."""
    load_lock: threading.RLock = field(default_factory=threading.RLock)
    """Serializes the one lazy load (which imports modules)."""


_STATE = _State()


def _origin(policy: object) -> str:
    cls = type(policy)
    return f"{cls.__module__}.{cls.__qualname__}"


def _validate(policy: object, origin: str) -> Policy:
    if not isinstance(policy, Policy):
        raise ConfigError(f"{origin} is not a policy: it needs policy_id, title, kinds, severity, passes, "
                          "fails, unknown_when, applies_to() and check()")
    pid = policy.policy_id
    if not POLICY_ID_PATTERN.match(pid):
        raise ConfigError(f"{origin}: policy id {pid!r} is not of the form <PREFIX>_<SERVICE>_<NNN>")
    if pid.startswith(BUILTIN_PREFIX) and not origin.startswith("pytest_infra_parity."):
        raise ConfigError(f"{origin}: policy id {pid!r} uses the prefix {BUILTIN_PREFIX} reserved for built-ins")
    if pid in RETIRED_IDS:
        raise ConfigError(f"{origin}: policy id {pid!r} was retired and is never reused")
    if not policy.title or not policy.kinds:
        raise ConfigError(f"{origin}: policy {pid} needs a title and at least one kind")
    return policy


def _add(policy: object) -> None:
    origin = _origin(policy)
    checked = _validate(policy, origin)
    with _STATE.lock:
        known = _STATE.by_id.get(checked.policy_id)
        if known is not None and _origin(known) != origin:
            raise ConfigError(f"policy id {checked.policy_id} is defined twice: by {_origin(known)} and {origin}")
        _STATE.by_id[checked.policy_id] = checked


def register_policy(cls: type[P]) -> type[P]:
    """Class decorator: register one instance of the policy class (instantiated without arguments)."""
    setattr(cls, _MARK, True)
    _add(cls())
    return cls


def _register_module(module: ModuleType) -> int:
    """Register the decorated classes defined in ``module`` (also when it was imported before)."""
    count = 0
    for value in vars(module).values():
        if isinstance(value, type) and value.__dict__.get(_MARK) and value.__module__ == module.__name__:
            _add(value())
            count += 1
    return count


def _load_builtins() -> None:
    package = importlib.import_module(BUILTIN_PACKAGE)
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            _register_module(importlib.import_module(f"{BUILTIN_PACKAGE}.{info.name}"))


def _entry_points() -> Iterable[importlib.metadata.EntryPoint]:
    return importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)


def _register_loaded(loaded: Any, label: str) -> None:
    if isinstance(loaded, ModuleType):
        if not _register_module(loaded):
            raise ConfigError(f"{label}: module {loaded.__name__} defines no @register_policy class")
    elif isinstance(loaded, type):
        _add(loaded())
    elif isinstance(loaded, list | tuple):
        for item in loaded:
            _add(item() if isinstance(item, type) else item)
    else:
        raise ConfigError(f"{label}: names {loaded!r}; expected a module, a policy class or a list of them")


def _load_pack(entry: importlib.metadata.EntryPoint) -> None:
    label = f"policy pack {entry.name!r} ({entry.value}, entry point group {ENTRY_POINT_GROUP})"
    try:
        loaded = entry.load()
    except Exception as exc:  # any error of third-party code: re-raised, naming the pack
        raise ConfigError(f"{label} cannot be loaded: {type(exc).__name__}: {exc}") from exc
    try:
        _register_loaded(loaded, label)
    except ConfigError as exc:
        if exc.message.startswith(label):
            raise
        raise ConfigError(f"{label}: {exc.message}") from exc


def _ensure_loaded() -> None:
    if _STATE.loaded:
        return
    with _STATE.load_lock:
        if not _STATE.loaded:  # another thread may have loaded them while this one waited
            _load_builtins()
            for entry in sorted(_entry_points(), key=lambda e: e.name):
                _load_pack(entry)
            _STATE.loaded = True


def all_policies() -> list[Policy]:
    """Every registered policy, sorted by id."""
    _ensure_loaded()
    return [_STATE.by_id[pid] for pid in sorted(_STATE.by_id)]


def policies_for(kind: str) -> list[Policy]:
    """The policies on a kind, including the ``*`` policies, sorted by id."""
    return [p for p in all_policies() if kind in p.kinds or "*" in p.kinds]


def known_kinds() -> set[str]:
    """The kinds some policy is registered for (``*`` included)."""
    return {kind for policy in all_policies() for kind in policy.kinds}


def get_policy(policy_id: str) -> Policy:
    """The policy with this id; an unknown id raises :class:`ConfigError` listing the known ones."""
    _ensure_loaded()
    policy = _STATE.by_id.get(policy_id.strip())
    if policy is None:
        raise ConfigError(f"unknown policy {policy_id!r}; known policies: {', '.join(sorted(_STATE.by_id))}")
    return policy
