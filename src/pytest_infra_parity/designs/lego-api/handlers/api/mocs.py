"""MOC instructions CRUD: ANY /api/mocs and ANY /api/mocs/{id} (JWT)."""

from __future__ import annotations

from typing import Any

import common
import crud

MOCS = crud.Resource(
    name="mocs",
    table="moc_instructions",
    fields={
        "title": crud.Field("title", str, required=True),
        "description": crud.Field("description", str),
        "partsCount": crud.Field("parts_count", int),
        "tags": crud.Field("tags", list),
    },
    search_index="moc-instructions",
)


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Lambda entry point of the mocInstructions function."""
    return common.run(event, "mocInstructions", lambda e: crud.dispatch(MOCS, e))
