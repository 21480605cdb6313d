"""The aspects two inventories are compared on, one module each, behind one registry.

Each aspect is a function ``(context, pair) -> None`` that records on the pair its differences
(:meth:`.report.PairResult.differ`) and the values it cannot compare
(:meth:`.report.PairResult.unknown`). ``types``, ``tags``, ``encryption`` and ``observability`` are
the aspects of the parity contract (seed ADR 0008, "Parity Validation"); ``settings`` is optional.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from pytest_infra_parity.parity.aspects.base import Context
from pytest_infra_parity.parity.aspects.encryption import compare_encryption
from pytest_infra_parity.parity.aspects.observability import compare_observability
from pytest_infra_parity.parity.aspects.settings import compare_settings
from pytest_infra_parity.parity.aspects.tags import compare_tags
from pytest_infra_parity.parity.aspects.types import compare_types
from pytest_infra_parity.parity.report import PairResult

Aspect = Callable[[Context, PairResult], None]

ASPECTS: Final[dict[str, Aspect]] = {
    "types": compare_types,
    "tags": compare_tags,
    "encryption": compare_encryption,
    "observability": compare_observability,
    "settings": compare_settings,
}
DEFAULT_ASPECTS: Final = ("types", "tags", "encryption", "observability")

__all__ = ["ASPECTS", "DEFAULT_ASPECTS", "Aspect", "Context"]
