"""The ``types`` aspect on a matched pair: same kind and same CloudFormation type.

Resources present on one side only are the other half of this aspect; the report lists them
(:attr:`.report.ParityReport.only_a`) and counts them as differences when ``types`` is compared.
"""

from __future__ import annotations

from pytest_infra_parity.parity.aspects.base import Context
from pytest_infra_parity.parity.report import PairResult


def compare_types(context: Context, pair: PairResult) -> None:
    """Kinds and CloudFormation types of the two resources (Terraform/Pulumi types mapped onto CFN)."""
    if pair.a.kind != pair.b.kind:
        pair.differ("types", "kind", pair.a.kind, pair.b.kind)
    if pair.a.cfn_type != pair.b.cfn_type:
        pair.differ("types", "cfn_type", pair.a.cfn_type, pair.b.cfn_type)
