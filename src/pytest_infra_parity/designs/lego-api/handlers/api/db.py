"""Database access through RDS Proxy with IAM authentication, and the schema (created on first use)."""

from __future__ import annotations

import os
from typing import Any

import boto3
import pg

_state: dict[str, Any] = {"connection": None, "schema": False}

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS moc_instructions (
        id uuid PRIMARY KEY, user_id text NOT NULL, title text NOT NULL, description text NOT NULL DEFAULT '',
        parts_count integer NOT NULL DEFAULT 0, tags jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX IF NOT EXISTS moc_instructions_user ON moc_instructions (user_id, created_at DESC)",
    """CREATE TABLE IF NOT EXISTS gallery_images (
        id uuid PRIMARY KEY, user_id text NOT NULL, title text NOT NULL,
        description text NOT NULL DEFAULT '', s3_key text NOT NULL, tags jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX IF NOT EXISTS gallery_images_user ON gallery_images (user_id, created_at DESC)",
    """CREATE TABLE IF NOT EXISTS wishlist_items (
        id uuid PRIMARY KEY, user_id text NOT NULL, set_number text NOT NULL, name text NOT NULL,
        priority integer NOT NULL DEFAULT 0, created_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX IF NOT EXISTS wishlist_items_user ON wishlist_items (user_id, priority DESC)",
    """CREATE TABLE IF NOT EXISTS profiles (
        user_id text PRIMARY KEY, display_name text NOT NULL, bio text NOT NULL DEFAULT '',
        avatar_key text, updated_at timestamptz NOT NULL DEFAULT now())""",
)


def settings() -> pg.ConnectionSettings:
    """Proxy endpoint + an IAM auth token as password (valid 15 minutes, signed locally by boto3)."""
    host = os.environ["DB_PROXY_ENDPOINT"]
    port = int(os.environ.get("DB_PORT", "5432"))
    user = os.environ["DB_USER"]
    token = boto3.client("rds").generate_db_auth_token(DBHostname=host, Port=port, DBUsername=user)
    return pg.ConnectionSettings(
        host=host, port=port, user=user, password=token, database=os.environ["DB_NAME"], sslmode="verify-full"
    )


def connection() -> Any:
    """The container's connection, opened (and the schema ensured) on first use."""
    if _state["connection"] is None:
        opened = pg.connect(settings())
        if not _state["schema"]:
            for statement in SCHEMA:
                opened.execute(statement)
            _state["schema"] = True
        _state["connection"] = opened
    return _state["connection"]


def query(sql: str, *params: Any) -> list[dict[str, Any]]:
    """Run a statement; reconnect once if the proxy closed the idle connection."""
    try:
        rows: list[dict[str, Any]] = connection().execute(sql, params)
        return rows
    except (OSError, pg.DatabaseError) as exc:
        if isinstance(exc, pg.DatabaseError) and exc.code:
            raise  # an SQL error from the server, not a dropped connection
        _state["connection"] = None
        rows = connection().execute(sql, params)
        return rows
