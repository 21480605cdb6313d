"""Steps of the inventory room (filled in by its issue)."""

from __future__ import annotations
