"""Steps of the scaling room (filled in by its issue)."""

from __future__ import annotations
