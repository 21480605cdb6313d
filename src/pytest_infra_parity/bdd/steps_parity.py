"""Steps of the parity room (filled in by its issue)."""

from __future__ import annotations
