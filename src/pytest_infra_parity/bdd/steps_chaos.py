"""Steps of the chaos room (filled in by its issue)."""

from __future__ import annotations
