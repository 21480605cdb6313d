"""Pair the resources of two inventories: explicit mapping first, then kind + normalized name.

Passes, each over the resources still unpaired, each a dict lookup (linear in the inventory size):

1. the mapping file's pairs (:mod:`.mapping`), then its ``ignore`` patterns remove resources;
2. kind + normalized *physical* name on both sides (the name the resource has, or will have, on AWS:
   physical id, else ARN, else its ``Name`` tag);
3. kind + normalized *logical* name on both sides (logical id, Terraform address, Pulumi name);
4. kind + physical name on one side against logical name on the other (a template without a
   ``QueueName`` against Terraform's ``name = "photoeditor-dev-processing"``).

A key shared by several candidates on one side is *ambiguous*: nothing is guessed, the candidates
are reported (:class:`Ambiguity`) unless a later pass pairs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from pytest_infra_parity.errors import ConfigError
from pytest_infra_parity.inventory.model import Inventory, Resource, kind_of_word
from pytest_infra_parity.parity.mapping import Mapping
from pytest_infra_parity.parity.names import NameRules, infer_prefix, match_key, rules_for

KeyFn = Callable[[Resource], str]
"""A resource's key in one pass; ``""`` when it has none there."""


@dataclass(slots=True)
class Pair:
    """Two resources found to be the same one, and the pass that paired them."""

    a: Resource
    b: Resource
    matched_by: str


@dataclass(frozen=True)
class Ambiguity:
    """A key several resources share on one side: reported, never guessed."""

    kind: str
    key: str
    names_a: tuple[str, ...]
    names_b: tuple[str, ...]
    matched_by: str

    def describe(self) -> str:
        return (f"{self.kind} {self.key!r} ({self.matched_by}): A has {', '.join(self.names_a)}; "
                f"B has {', '.join(self.names_b)}")


@dataclass
class Matching:
    """The outcome: pairs, resources on one side only, ambiguities, mapping warnings."""

    pairs: list[Pair]
    only_a: list[Resource]
    only_b: list[Resource]
    ambiguous: list[Ambiguity] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ignored_a: list[Resource] = field(default_factory=list)
    ignored_b: list[Resource] = field(default_factory=list)
    _to_b: dict[int, Resource] = field(default_factory=dict, repr=False)
    _to_a: dict[int, Resource] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for pair in self.pairs:
            self._to_b[id(pair.a)] = pair.b
            self._to_a[id(pair.b)] = pair.a

    def partner_in_b(self, resource: Resource) -> Resource | None:
        """The resource of B paired with ``resource`` of A."""
        return self._to_b.get(id(resource))

    def partner_in_a(self, resource: Resource) -> Resource | None:
        """The resource of A paired with ``resource`` of B."""
        return self._to_a.get(id(resource))


def physical_name(resource: Resource) -> str:
    """What the resource is called on AWS: physical id, else ARN, else ``Name`` tag; ``""`` if unknown."""
    for value in (resource.physical_id, resource.arn):
        if isinstance(value, str) and value:
            return value
    tags = resource.tags
    name = tags.get("Name") if isinstance(tags, dict) else None
    return name if isinstance(name, str) else ""


def normalize_kinds(kinds: Iterable[str] | None) -> frozenset[str] | None:
    """The kinds a caller names (``"queues"``, ``"S3 bucket"``) as kinds; ConfigError when unknown."""
    if kinds is None:
        return None
    try:
        return frozenset(kind_of_word(k) for k in kinds)
    except ValueError as exc:
        raise ConfigError(f"parity kinds: {exc}") from exc


class _Pending:
    """The resources of one side not paired yet, in inventory order."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self.items: dict[int, Resource] = {id(r): r for r in resources}

    def take(self, resource: Resource) -> None:
        del self.items[id(resource)]

    def __contains__(self, resource: Resource) -> bool:
        return id(resource) in self.items

    def index(self, key: KeyFn) -> dict[tuple[str, str], list[Resource]]:
        found: dict[tuple[str, str], list[Resource]] = {}
        for resource in self.items.values():
            k = key(resource)
            if k:
                found.setdefault((resource.kind, k), []).append(resource)
        return found


@dataclass
class _State:
    a: _Pending
    b: _Pending
    pairs: list[Pair] = field(default_factory=list)
    ambiguous: list[Ambiguity] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def pair(self, a: Resource, b: Resource, how: str) -> None:
        self.a.take(a)
        self.b.take(b)
        self.pairs.append(Pair(a, b, how))

    def run(self, key_a: KeyFn, key_b: KeyFn, how: str) -> None:
        """One pass: unique key on both sides -> pair; several on a side -> ambiguity."""
        index_b = self.b.index(key_b)
        if not index_b:
            return
        for kk, candidates_a in self.a.index(key_a).items():
            candidates_b = index_b.get(kk)
            if candidates_b is None:
                continue
            if len(candidates_a) == 1 and len(candidates_b) == 1:
                self.pair(candidates_a[0], candidates_b[0], how)
            else:
                self.ambiguous.append(Ambiguity(kk[0], kk[1], tuple(r.name for r in candidates_a),
                                                tuple(r.name for r in candidates_b), how))

    def matching(self, ignored_a: list[Resource], ignored_b: list[Resource]) -> Matching:
        only_a, only_b = list(self.a.items.values()), list(self.b.items.values())
        left_a, left_b = {r.name for r in only_a}, {r.name for r in only_b}
        ambiguous: dict[tuple[str, str], Ambiguity] = {}
        for amb in self.ambiguous:
            names_a = tuple(n for n in amb.names_a if n in left_a)
            names_b = tuple(n for n in amb.names_b if n in left_b)
            if (names_a and names_b) and (len(names_a) > 1 or len(names_b) > 1):
                ambiguous.setdefault((amb.kind, amb.key), Ambiguity(amb.kind, amb.key, names_a, names_b,
                                                                    amb.matched_by))
        return Matching(self.pairs, only_a, only_b, list(ambiguous.values()), self.warnings, ignored_a, ignored_b)


def _ignored(resource: Resource, patterns: Sequence[str]) -> bool:
    names = [resource.name] + [v for v in (resource.physical_id, resource.arn) if isinstance(v, str)]
    return any(fnmatchcase(name, pattern) for pattern in patterns for name in names)


def _split_ignored(resources: Iterable[Resource], patterns: Sequence[str],
                   kinds: frozenset[str] | None) -> tuple[list[Resource], list[Resource]]:
    kept: list[Resource] = []
    ignored: list[Resource] = []
    for resource in resources:
        if kinds is not None and resource.kind not in kinds:
            continue
        (ignored if patterns and _ignored(resource, patterns) else kept).append(resource)
    return kept, ignored


class _Names:
    """The resources of one side by name, physical id and ARN (for the mapping file's entries)."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self.by_name: dict[str, list[Resource]] = {}
        self.by_physical: dict[str, list[Resource]] = {}
        for resource in resources:
            self.by_name.setdefault(resource.name, []).append(resource)
            texts = [v for v in (resource.physical_id, resource.arn) if isinstance(v, str) and v]
            for value in dict.fromkeys(texts):
                self.by_physical.setdefault(value, []).append(resource)

    def lookup(self, pending: _Pending, name: str, kind: str | None) -> list[Resource]:
        """The unpaired resources called ``name`` (logical name first, then physical id or ARN)."""
        for table in (self.by_name, self.by_physical):
            found = [r for r in table.get(name, ()) if r in pending and (kind is None or r.kind == kind)]
            if found:
                return found
        return []


def _apply_mapping(state: _State, mapping: Mapping, source_a: str, source_b: str) -> None:
    if not mapping.pairs:
        return
    names_a, names_b = _Names(state.a.items.values()), _Names(state.b.items.values())
    for entry in mapping.pairs:
        found_a = names_a.lookup(state.a, entry.a, entry.kind)
        found_b = names_b.lookup(state.b, entry.b, entry.kind)
        if len(found_a) > 1 and len(found_b) == 1:
            found_a = [r for r in found_a if r.kind == found_b[0].kind]
        if len(found_b) > 1 and len(found_a) == 1:
            found_b = [r for r in found_b if r.kind == found_a[0].kind]
        sides = ((found_a, entry.a, "A", source_a), (found_b, entry.b, "B", source_b))
        problems = [p for found, name, side, source in sides if (p := _mapping_problem(found, name, side, source))]
        if problems:
            state.warnings.append(f"{mapping.where(entry)}: " + "; ".join(problems))
            continue
        state.pair(found_a[0], found_b[0], "mapping")


def _mapping_problem(found: list[Resource], name: str, side: str, source: str) -> str:
    if not found:
        return f"{name!r} is not an unpaired resource of {side} ({source})"
    if len(found) > 1:
        kinds = ", ".join(sorted({r.kind for r in found}))
        return f"{name!r} names {len(found)} resources of {side} ({kinds}): add 'kind:'"
    return ""


class _Keys:
    """The physical and logical key functions, shared by both sides.

    Without an explicit project, the prefixes to strip are inferred (lazily: a pass that finds nothing
    pending never needs them) from A's names, B's names and both together, and stripped on both
    sides: the project is common to the two sources even when one of them has too few names to show
    it, and a prefix only one side uses (a CloudFormation stack name) costs nothing on the other.
    """

    def __init__(self, a: Sequence[Resource], b: Sequence[Resource], rules: NameRules, infer: bool) -> None:
        self.a, self.b, self.rules, self.infer = a, b, rules, infer
        self._rules: dict[str, NameRules] = {}

    def _rules_of(self, which: str, name: Callable[[Resource], str]) -> NameRules:
        found = self._rules.get(which)
        if found is None:
            prefixes: tuple[str, ...] = ()
            if self.infer:
                names_a, names_b = [name(r) for r in _sample(self.a)], [name(r) for r in _sample(self.b)]
                inferred = (infer_prefix(names_a, self.rules.stages), infer_prefix(names_b, self.rules.stages),
                            infer_prefix(names_a + names_b, self.rules.stages))
                prefixes = tuple(dict.fromkeys(k for p in inferred for k in _keys(p)))
            found = self._rules[which] = NameRules(self.rules.project, self.rules.stages,
                                                   self.rules.prefixes + prefixes)
        return found

    def physical(self, resource: Resource) -> str:
        name = physical_name(resource)
        if not name:
            return ""
        return match_key(name, self._rules_of("physical", physical_name), resource.kind)

    def logical(self, resource: Resource) -> str:
        return match_key(resource.name, self._rules_of("logical", _logical_name), resource.kind)


_SAMPLE = 1000


def _sample(resources: Sequence[Resource]) -> Sequence[Resource]:
    """At most ``_SAMPLE`` resources spread over the inventory: a prefix shared by most names shows in
    any even sample, and inference then costs the same for 100 or 10,000 resources."""
    step = max(1, len(resources) // _SAMPLE)
    return resources[::step]


def _logical_name(resource: Resource) -> str:
    return resource.name


def _keys(prefix: str) -> tuple[str, ...]:
    key = "".join(ch for ch in prefix if ch.isalnum())
    return (key,) if key else ()


def match(a: Inventory, b: Inventory, *, mapping: Mapping | None = None, project: str | None = None,
          stages: Iterable[str] | None = None, kinds: Iterable[str] | None = None) -> Matching:
    """Pair the resources of ``a`` and ``b`` (see the module docstring for the passes)."""
    mapping = mapping or Mapping()
    wanted = normalize_kinds(kinds)
    kept_a, ignored_a = _split_ignored(a.resources, mapping.ignore_a, wanted)
    kept_b, ignored_b = _split_ignored(b.resources, mapping.ignore_b, wanted)
    state = _State(_Pending(kept_a), _Pending(kept_b))
    _apply_mapping(state, mapping, a.source, b.source)
    explicit = project or mapping.project
    rules = rules_for(explicit, stages=tuple(stages or ()) + mapping.stages)
    keys = _Keys(kept_a, kept_b, rules, infer=explicit is None)
    state.run(keys.physical, keys.physical, "physical name")
    state.run(keys.logical, keys.logical, "logical name")
    state.run(keys.physical, keys.logical, "physical name (A) = logical name (B)")
    state.run(keys.logical, keys.physical, "logical name (A) = physical name (B)")
    return state.matching(ignored_a, ignored_b)


def match_exact(a: Inventory, b: Inventory, *, kinds: Iterable[str] | None = None,
                passes: Sequence[tuple[KeyFn, str]] = ()) -> Matching:
    """Pair by exact keys only (drift: the same deployment seen twice), with the given passes."""
    wanted = normalize_kinds(kinds)
    kept_a, _ = _split_ignored(a.resources, (), wanted)
    kept_b, _ = _split_ignored(b.resources, (), wanted)
    state = _State(_Pending(kept_a), _Pending(kept_b))
    for key, how in passes:
        state.run(key, key, how)
    return state.matching([], [])
