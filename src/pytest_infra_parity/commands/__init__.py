"""Subcommands of ``infra-parity`` beyond the core ones, one module per room.

Each module listed in :data:`MODULES` defines ``register(subparsers) -> handler``: it adds its
sub-parser(s) and returns ``{command name: handler(args) -> exit code}``. Heavy imports stay inside
the handlers.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_infra_parity.settings import Settings
    from pytest_infra_parity.targets.protocol import Target

MODULES = (
    "pytest_infra_parity.commands.inventory",
    "pytest_infra_parity.commands.chaos",
    "pytest_infra_parity.commands.localstack",
    "pytest_infra_parity.commands.cost",
    "pytest_infra_parity.commands.report",
)


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The settings the ``--target``/``--region``/``--profile``/``--endpoint``/``--allowed-account``
    options of a subcommand describe (no ini file: the command line and the environment only)."""
    from pytest_infra_parity.settings import build_settings

    values = {"infra_target": args.target, "infra_region": args.region, "infra_profile": args.profile,
              "infra_endpoint": args.endpoint, "infra_allowed_account": args.allowed_account}
    return build_settings(values.get, lambda name: None, Path.cwd())


def start_target(settings: Settings) -> Target:
    """The built-in target ``settings`` name, started."""
    from pytest_infra_parity.targets import make_builtin_target

    target = make_builtin_target(settings)
    assert target is not None
    target.start()
    return target
