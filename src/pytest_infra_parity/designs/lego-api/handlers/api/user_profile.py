"""User profile: GET/PUT/PATCH /api/profile (JWT), cached in Redis."""

from __future__ import annotations

from typing import Any

import cache
import common
import db

FIELDS = {"displayName": "display_name", "bio": "bio", "avatarKey": "avatar_key"}


def profile_view(row: dict[str, Any] | None, user: str) -> dict[str, Any]:
    """The API view of a profile row, or the default profile of a new user (pure)."""
    if not row:
        return {"userId": user, "displayName": "", "bio": "", "avatarKey": None, "updatedAt": None}
    return {
        "userId": row["user_id"],
        "displayName": row["display_name"],
        "bio": row.get("bio", ""),
        "avatarKey": row.get("avatar_key"),
        "updatedAt": row.get("updated_at"),
    }


def _get(user: str) -> dict[str, Any]:
    cached = cache.get_json(f"profile:{user}")
    if cached is not None:
        return dict(cached)
    rows = db.query("SELECT * FROM profiles WHERE user_id = $1", user)
    view = profile_view(rows[0] if rows else None, user)
    cache.set_json(f"profile:{user}", view, ttl_seconds=600)
    return view


def _put(user: str, body: dict[str, Any]) -> dict[str, Any]:
    values = {FIELDS[k]: v for k, v in body.items() if k in FIELDS}
    if not values:
        raise common.HttpError(400, f"expected one of {', '.join(FIELDS)}")
    if any(v is not None and not isinstance(v, str) for v in values.values()):
        raise common.HttpError(400, "profile fields are strings")
    current = _get(user)
    display = values.get("display_name", current["displayName"]) or "LEGO fan"
    rows = db.query(
        "INSERT INTO profiles (user_id, display_name, bio, avatar_key, updated_at) "
        "VALUES ($1, $2, $3, $4, now()) "
        "ON CONFLICT (user_id) DO UPDATE SET display_name = EXCLUDED.display_name, bio = EXCLUDED.bio, "
        "avatar_key = EXCLUDED.avatar_key, updated_at = now() RETURNING *",
        user,
        display,
        values.get("bio", current["bio"]) or "",
        values.get("avatar_key", current["avatarKey"]),
    )
    cache.delete(f"profile:{user}")
    return profile_view(rows[0], user)


def _route(event: dict[str, Any]) -> dict[str, Any]:
    user = common.user_id(event)
    method = common.method_of(event)
    if method == "GET":
        return common.response(200, _get(user))
    if method in ("PUT", "PATCH"):
        return common.response(200, _put(user, common.json_body(event)))
    raise common.HttpError(405, f"{method} not allowed on /api/profile")


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Lambda entry point of the profile function."""
    return common.run(event, "profile", _route)
