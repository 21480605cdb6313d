"""Steps of the cost room (filled in by its issue)."""

from __future__ import annotations
