"""Subcommands of ``infra-parity`` beyond the core ones, one module per room.

Each module listed in :data:`MODULES` defines ``register(subparsers) -> handler``: it adds its
sub-parser(s) and returns ``{command name: handler(args) -> exit code}``. Heavy imports stay inside
the handlers.
"""

from __future__ import annotations

MODULES = (
    "pytest_infra_parity.commands.inventory",
    "pytest_infra_parity.commands.chaos",
    "pytest_infra_parity.commands.localstack",
    "pytest_infra_parity.commands.cost",
)
