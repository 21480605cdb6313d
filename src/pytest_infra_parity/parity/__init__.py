"""Parity of two inventories (types, tags, encryption, observability) and drift of a deployment.

Inner room: works on :mod:`pytest_infra_parity.inventory` models only; no boto3, no outer rooms.
Entry points: :func:`.diff.compare`, :func:`.drift.drift`, :func:`.match.match`,
:func:`.mapping.load_mapping`, :func:`.names.normalize_name`. See docs/parity.md. (``drift`` and
``match`` are not re-exported here: they would hide the submodules of the same name.)
"""

from __future__ import annotations

from pytest_infra_parity.parity.diff import compare
from pytest_infra_parity.parity.mapping import Mapping, load_mapping
from pytest_infra_parity.parity.names import normalize_name
from pytest_infra_parity.parity.report import Difference, ParityReport, UnknownValue

__all__ = ["Difference", "Mapping", "ParityReport", "UnknownValue", "compare", "load_mapping", "normalize_name"]
