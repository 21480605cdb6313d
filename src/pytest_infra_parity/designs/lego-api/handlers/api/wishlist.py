"""Wishlist CRUD: ANY /api/wishlist and ANY /api/wishlist/{id} (JWT)."""

from __future__ import annotations

from typing import Any

import common
import crud

WISHLIST = crud.Resource(
    name="wishlist",
    table="wishlist_items",
    fields={
        "setNumber": crud.Field("set_number", str, required=True),
        "name": crud.Field("name", str, required=True),
        "priority": crud.Field("priority", int),
    },
    order_by="priority DESC, created_at DESC",
)


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Lambda entry point of the wishlist function."""
    return common.run(event, "wishlist", lambda e: crud.dispatch(WISHLIST, e))
