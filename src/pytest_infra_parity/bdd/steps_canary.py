"""Steps of the canary room (filled in by its issue)."""

from __future__ import annotations
