"""What every aspect needs besides the pair: the matching and each side's reference resolvers."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.inventory.model import Inventory, is_unknown
from pytest_infra_parity.parity.match import Matching
from pytest_infra_parity.parity.refs import References
from pytest_infra_parity.parity.report import PairResult


@dataclass
class Context:
    """The two inventories, their matching, options, and reference resolvers built on first use."""

    a: Inventory
    b: Inventory
    matching: Matching
    ignore_tags: Sequence[str] = ()
    labels: tuple[str, str] = ("A", "B")
    _refs: dict[tuple[str, frozenset[str]], References] = field(default_factory=dict, repr=False)
    _ignored_tag: re.Pattern[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.ignore_tags:
            self._ignored_tag = re.compile("|".join(fnmatch.translate(p) for p in self.ignore_tags))

    def tag_ignored(self, key: str) -> bool:
        """Whether ``key`` matches one of the ``ignore_tags`` glob patterns (case-sensitive)."""
        return self._ignored_tag is not None and self._ignored_tag.match(key) is not None

    def references(self, side: str, kinds: frozenset[str]) -> References:
        """The resolver of side ``"a"`` or ``"b"`` for references to resources of ``kinds``."""
        cached = self._refs.get((side, kinds))
        if cached is None:
            cached = References(self.a if side == "a" else self.b, kinds)
            self._refs[(side, kinds)] = cached
        return cached

    def compare_reference(self, pair: PairResult, aspect: str, attribute: str, ref_a: Any, ref_b: Any,
                          kinds: frozenset[str], *, sole: bool = False) -> None:
        """Resolve ``ref_a`` in A and ``ref_b`` in B; they agree when the two resources are a pair.

        An unresolvable side is an unknown, not a difference (``sole``: see :meth:`References.resolve`).
        """
        if ref_a is None and ref_b is None and not sole:
            return
        got_a = self.references("a", kinds).resolve(ref_a, referrer=pair.a, sole=sole)
        got_b = self.references("b", kinds).resolve(ref_b, referrer=pair.b, sole=sole)
        if got_a.resource is None or got_b.resource is None:
            sides = ((self.labels[0], got_a), (self.labels[1], got_b))
            reasons = [f"{label}: {r.reason}" for label, r in sides if r.resource is None]
            pair.unknown(aspect, attribute, _shown(ref_a), _shown(ref_b), "; ".join(reasons))
            return
        if self.matching.partner_in_b(got_a.resource) is got_b.resource:
            return
        partner = self.matching.partner_in_b(got_a.resource)
        pair.differ(aspect, attribute, got_a.resource.name,
                    got_b.resource.name + (f" (A's is paired with {partner.name})" if partner else ""))


def _shown(ref: Any) -> Any:
    return ref if ref is None or is_unknown(ref) or isinstance(ref, str) else str(ref)

