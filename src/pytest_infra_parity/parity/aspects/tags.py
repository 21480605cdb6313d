"""The ``tags`` aspect: the effective tags of both resources, key by key.

Effective tags are what AWS holds on the resource: for Terraform, resource tags merged over the
provider's ``default_tags`` (Terraform AWS provider docs, "default_tags"); the inventory sources
compute them, and leave out the ``aws:`` prefixed tags AWS adds itself (AWS Tagging Best Practices,
"Tag naming limits and requirements": the ``aws:`` prefix is reserved).
"""

from __future__ import annotations

from pytest_infra_parity.inventory.model import is_unknown
from pytest_infra_parity.parity.aspects.base import Context
from pytest_infra_parity.parity.report import PairResult


def compare_tags(context: Context, pair: PairResult) -> None:
    """Missing, extra and different tag keys (both values shown); unknown maps or values -> unknown."""
    a, b = pair.a, pair.b
    if not (a.taggable and b.taggable):
        return
    if is_unknown(a.tags) or is_unknown(b.tags):
        pair.unknown("tags", "tags", a.tags if is_unknown(a.tags) else "(known)",
                     b.tags if is_unknown(b.tags) else "(known)", "the whole tag map is known only after apply")
        return
    tags_a, tags_b = a.tags, b.tags
    assert isinstance(tags_a, dict) and isinstance(tags_b, dict)
    if tags_a == tags_b:
        return
    for key in sorted(tags_a.keys() | tags_b.keys()):
        value_a, value_b = tags_a.get(key), tags_b.get(key)
        if value_a == value_b or context.tag_ignored(key):
            continue
        if is_unknown(value_a) or is_unknown(value_b):
            pair.unknown("tags", key, value_a, value_b, "the tag value is known only after apply")
        else:
            pair.differ("tags", key, value_a, value_b)
