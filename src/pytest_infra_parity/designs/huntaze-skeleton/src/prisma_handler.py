"""Candidate function (PrismaReadFn): read the user from PostgreSQL, as Prisma's findUnique would."""

from __future__ import annotations

import json
import os
from typing import Any

import pg

_state: dict[str, Any] = {"connection": None}

# Prisma's default mapping of `model User { id, email, name, deletedAt }`: quoted, case-sensitive names.
FIND_USER = 'SELECT "id", "email", "name" FROM "User" WHERE "id" = $1 AND "deletedAt" IS NULL'


def user_id_of(event: dict[str, Any]) -> str | None:
    """The same caller id the control function uses (authorizer userId, JWT sub, parameters) (pure)."""
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    for candidate in (
        authorizer.get("userId"),
        ((authorizer.get("jwt") or {}).get("claims") or {}).get("sub"),
        (event.get("pathParameters") or {}).get("userId"),
        (event.get("queryStringParameters") or {}).get("userId"),
        event.get("userId"),
    ):
        if candidate:
            return str(candidate)
    return None


def to_response(user: dict[str, Any] | None) -> dict[str, Any]:
    """200 with the user, 404 with null, as the seed's handler answers (pure)."""
    return {"statusCode": 200 if user else 404, "body": json.dumps(user)}


def connection() -> Any:
    """The container's connection to DATABASE_URL (resolved from Secrets Manager at deploy time)."""
    if _state["connection"] is None:
        _state["connection"] = pg.connect(pg.parse_database_url(os.environ["DATABASE_URL"]))
    return _state["connection"]


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Lambda entry point."""
    user_id = user_id_of(event)
    try:
        rows = connection().execute(FIND_USER, (user_id,)) if user_id else []
        return to_response(rows[0] if rows else None)
    except (OSError, pg.DatabaseError, ValueError) as exc:
        _state["connection"] = None  # reconnect on the next call
        print("[PRISMA-ERROR]", repr(exc))
        return {"statusCode": 500, "body": json.dumps({"error": "Internal server error"})}
