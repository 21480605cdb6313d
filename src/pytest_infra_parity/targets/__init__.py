"""Targets: where designs are deployed. One module per target, chosen through a first-result hook."""

from __future__ import annotations

from collections.abc import Callable

from pytest_infra_parity.settings import Settings
from pytest_infra_parity.targets.protocol import Identity, Target


def _moto(settings: Settings) -> Target:
    from pytest_infra_parity.targets.moto import MotoTarget

    return MotoTarget(settings.region)


def _localstack(settings: Settings) -> Target:
    from pytest_infra_parity.targets.localstack import LocalStackTarget

    return LocalStackTarget(settings.region, settings.endpoint, settings.localstack_mode, settings.fallback)


def _aws(settings: Settings) -> Target:
    from pytest_infra_parity.targets.aws import AwsTarget

    return AwsTarget(settings.region, settings.profile, settings.allowed_accounts)


BUILTIN: dict[str, Callable[[Settings], Target]] = {"moto": _moto, "localstack": _localstack, "aws": _aws}
"""The built-in targets by name: the one source of truth for their names."""


def make_builtin_target(settings: Settings) -> Target | None:
    factory = BUILTIN.get(settings.target)
    return factory(settings) if factory else None


__all__ = ["BUILTIN", "Identity", "Target", "make_builtin_target"]
