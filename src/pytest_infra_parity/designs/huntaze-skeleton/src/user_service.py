"""The control path's in-memory user service (the seed's simpleUserService, the pre-Prisma mock)."""

from __future__ import annotations

import hashlib
from typing import Any


def get_user_by_id(user_id: str | None) -> dict[str, Any] | None:
    """A deterministic mock user for an id; None when there is no id (pure)."""
    if not user_id:
        return None
    digest = hashlib.sha256(user_id.encode()).hexdigest()[:8]
    return {"id": user_id, "email": f"{user_id}@huntaze.test", "name": f"Creator {digest}"}
