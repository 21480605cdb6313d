"""A pack that takes an id with the prefix reserved for built-in policies."""

from __future__ import annotations

from pytest_infra_parity.policies import BasePolicy, register_policy


@register_policy
class Squatter(BasePolicy):
    policy_id = "IPP_S3_900"
    title = "Squats a built-in id"
    kinds = ("bucket",)
