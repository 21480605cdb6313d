"""pytest-infra-parity: executable acceptance and chaos tests for AWS infrastructure designs."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
