"""HCL expressions as python-hcl2 serializes them, parsed and evaluated with Terraform's semantics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_infra_parity.inventory import tf_expr as ex
from pytest_infra_parity.inventory.model import UNKNOWN
from pytest_infra_parity.inventory.tf_eval import EvalError, Evaluator
from pytest_infra_parity.inventory.tf_values import Partial, Ref

SCOPE: dict[str, Any] = {
    "var": {"project": "photoeditor", "stage": "dev", "n": 3, "tags": {"Owner": "me"}, "names": ["b", "a"],
            "unknown": UNKNOWN, "maybe": None},
    "key": Ref("aws_kms_key.this", ""),
}


def evaluate(text: str) -> Any:
    def lookup(name: str) -> Any:
        if name in SCOPE:
            return SCOPE[name]
        raise EvalError(f"unknown name {name}")

    return Evaluator(lookup, Path(".")).eval(ex.parse_value_text(text))


@pytest.mark.parametrize(("text", "expected"), [
    ('"${var.project}-${var.stage}"', "photoeditor-dev"),
    ('"a\\"b\\\\c $${literal} %%{x}"', 'a"b\\c ${literal} %{x}'),
    ("${var.n * 2 + 1}", 7),
    ("${var.n > 2 && !false ? \"big\" : \"small\"}", "big"),
    ("${merge(var.tags, {Name = \"x\", \"kubernetes.io/role\" = 1})}", {"Owner": "me", "Name": "x",
                                                                        "kubernetes.io/role": 1}),
    ("${[for s in var.names : upper(s)]}", ["B", "A"]),
    ("${{for i, s in sort(var.names) : s => i if s != \"z\"}}", {"a": 0, "b": 1}),
    ("${{for s in [\"a\", \"b\", \"a\"] : s => s...}}", {"a": ["a", "a"], "b": ["b"]}),
    ("${[{id = 1}, {id = 2}][*].id}", [1, 2]),
    ("${var.maybe[*]}", []),
    ("${lookup(var.tags, \"Team\", \"none\")}", "none"),
    ("${try(var.tags.Team, \"fallback\")}", "fallback"),
    ("${can(regex(\"^[a-z]+$\", var.project))}", True),
    ("${var.maybe == null}", True),
    ("${1 == \"1\"}", False),
    ("${jsonencode({b = 1, a = [true, null]})}", '{"a":[true,null],"b":1}'),
    ("${format(\"%s-%03d\", var.stage, 7)}", "dev-007"),
    ("${length(var.names) > 0 ? 1 : 0}", 1),
    ("${coalesce(\"\", var.stage)}", "dev"),
    ("bare ${var.stage} text", "bare dev text"),
])
def test_expressions(text: str, expected: Any) -> None:
    assert evaluate(text) == expected


def test_unknown_values_propagate_and_short_circuit() -> None:
    assert evaluate('"${var.unknown}-x"') is UNKNOWN
    assert evaluate("${var.unknown + 1}") is UNKNOWN
    assert evaluate("${false && var.unknown}") is False
    assert evaluate("${true || var.unknown}") is True
    assert evaluate("${var.unknown ? 1 : 2}") is UNKNOWN
    assert evaluate("${upper(var.unknown)}") is UNKNOWN
    assert evaluate("${merge(var.tags, {Key = var.unknown})}") == {"Owner": "me", "Key": UNKNOWN}


def test_references_keep_their_attribute_path_and_jsonencode_keeps_the_known_parts() -> None:
    assert evaluate("${key.arn}") == Ref("aws_kms_key.this", "arn")
    document = evaluate("${jsonencode({Resource = key.arn, Effect = \"Deny\"})}")
    assert isinstance(document, Partial)
    assert document.value == {"Resource": Ref("aws_kms_key.this", "arn"), "Effect": "Deny"}


@pytest.mark.parametrize("text", ["${var.missing}", "${nosuch(1)}", "${[1, 2][5]}", '"${var.maybe}"'])
def test_errors_are_eval_errors(text: str) -> None:
    with pytest.raises(EvalError):
        evaluate(text)


def test_an_unsupported_function_is_not_hidden_by_can() -> None:
    with pytest.raises(EvalError, match="not supported offline"):
        evaluate("${can(cidrnetmask(\"10.0.0.0/8\"))}")


def test_heredoc_and_template_directive() -> None:
    node = ex.parse('<<-EOT\n    {"a": "${var.stage}"}\n  EOT\n')
    assert json.loads(Evaluator(lambda n: SCOPE[n], Path(".")).eval(node)) == {"a": "dev"}
    with pytest.raises(ex.ExprError, match="directives"):
        ex.parse('"%{ if true }x%{ endif }"')
