"""Properties: an inventory is at parity with itself; stage/project renames keep every match."""

from __future__ import annotations

import copy

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pytest_infra_parity.inventory.model import Encryption, Inventory
from pytest_infra_parity.parity.diff import compare
from pytest_infra_parity.parity.names import match_key, rules_for
from tests.parity._build import inv, res

WORDS = ("image", "thumb", "upload", "orders", "billing", "audit", "media", "device", "token", "report", "export",
         "ingest", "resize", "archive", "events", "users", "search", "photo", "invoice", "webhook")
KINDS = ("bucket", "table", "queue", "topic", "function", "log group")
STAGES = ("dev", "staging", "prod", "production", "test", "preview", "sandbox", "pr-42", "qa")

stems = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(WORDS)).map("-".join), min_size=1, max_size=12,
                 unique=True)


@st.composite
def inventories(draw: st.DrawFn) -> Inventory:
    names = draw(stems)
    resources = [res("key", "Key")]
    for i, stem in enumerate(names):
        kind = draw(st.sampled_from(KINDS))
        tags = draw(st.dictionaries(st.sampled_from(("Project", "Env", "Owner", "Team")), st.sampled_from(("a", "b")),
                                    max_size=4))
        mode = draw(st.sampled_from(("none", "service-managed", "customer-managed")))
        enc = Encryption("customer-managed", "Key.Arn") if mode == "customer-managed" else Encryption(mode)  # type: ignore[arg-type]
        alarms = tuple(draw(st.lists(st.sampled_from(("Errors", "Throttles", "5xx")), unique=True, max_size=2)))
        resources.append(res(kind, f"R{i}", physical=f"photoeditor-dev-{stem}", tags=tags, enc=enc, alarms=alarms,
                             retention=draw(st.sampled_from((None, 7, 14)))))
    keys = [(r.kind, match_key(r.physical_id, rules_for("photoeditor"), r.kind)) for r in resources[1:]]
    assume(len(set(keys)) == len(keys))
    return inv("generated", *resources)


@settings(max_examples=40, deadline=None)
@given(inventories())
def test_an_inventory_is_at_parity_with_itself(inventory: Inventory) -> None:
    report = compare(inventory, copy.deepcopy(inventory), aspects=("types", "tags", "encryption", "observability",
                                                                    "settings"))
    assert report.ok, report.format_table()
    assert len(report.pairs) == len(inventory)
    assert report.unknowns == []


@settings(max_examples=40, deadline=None)
@given(inventories(), st.sampled_from(STAGES), st.booleans())
def test_stage_and_address_renames_keep_every_match(inventory: Inventory, stage: str, upper: bool) -> None:
    other = copy.deepcopy(inventory)
    for index, resource in enumerate(other.resources):
        if resource.kind == "key":
            resource.name = "module.kms.aws_kms_key.this"
            continue
        stem = str(resource.physical_id).removeprefix("photoeditor-dev-")
        resource.physical_id = f"photoeditor-{stage}-{stem}".upper() if upper else f"photoeditor-{stage}-{stem}"
        resource.name = f"module.m{index}.aws_thing.this"
        if resource.encryption is not None and resource.encryption.key is not None:
            resource.encryption = Encryption("customer-managed", "module.kms.key_arn")
    report = compare(inventory, other)
    assert report.ok, report.format_table()
    assert {(p.a.name, other.resources.index(p.b)) for p in report.pairs} == {
        (r.name, i) for i, r in enumerate(inventory.resources)}


@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4), st.sampled_from(("-", "_", ".", "/", " ")))
def test_separators_do_not_matter(words: list[str], separator: str) -> None:
    rules = rules_for("photoeditor")
    assert match_key("-".join(words), rules, "queue") == match_key(separator.join(words), rules, "queue")
    assert match_key("-".join(words), rules, "queue") == match_key("".join(w.capitalize() for w in words), rules,
                                                                   "queue")
