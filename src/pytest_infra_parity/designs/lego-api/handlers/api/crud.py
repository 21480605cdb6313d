"""Generic per-user CRUD over one PostgreSQL table, with a Redis read-through cache and optional search."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import cache
import common
import db
import search


@dataclass(frozen=True)
class Field:
    """One API field: its column, type, whether a create must give it, whether clients may set it."""

    column: str
    kind: type
    required: bool = False
    writable: bool = True


@dataclass(frozen=True)
class Resource:
    """A user-owned collection: table, API fields, cache prefix, optional OpenSearch index."""

    name: str
    table: str
    fields: dict[str, Field]
    order_by: str = "created_at DESC"
    search_index: str | None = None
    decorate: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda item: item)

    def cache_key(self, user: str) -> str:
        return f"{self.name}:{user}"


def to_api(resource: Resource, row: dict[str, Any]) -> dict[str, Any]:
    """A database row as the API's camelCase object (pure)."""
    out: dict[str, Any] = {"id": row["id"], "createdAt": row.get("created_at")}
    for api_name, spec in resource.fields.items():
        out[api_name] = row.get(spec.column)
    return out


def validate(resource: Resource, body: dict[str, Any], partial: bool) -> dict[str, Any]:
    """Column -> value for the fields present in the body; HttpError 400 when invalid (pure)."""
    values: dict[str, Any] = {}
    for api_name, spec in resource.fields.items():
        if not spec.writable:
            continue  # set by the server only (e.g. the S3 key of an image)
        if api_name not in body:
            if spec.required and not partial:
                raise common.HttpError(400, f"{api_name} is required")
            continue
        value = body[api_name]
        bad_int = spec.kind is int and isinstance(value, bool)
        if (
            bad_int
            or not isinstance(value, spec.kind)
            or (isinstance(value, str) and not value.strip() and spec.required)
        ):
            raise common.HttpError(400, f"{api_name} must be a non-empty {spec.kind.__name__}")
        values[spec.column] = value
    if partial and not values:
        raise common.HttpError(400, "nothing to update")
    return values


def list_items(resource: Resource, user: str, text: str | None) -> list[dict[str, Any]]:
    """The user's items, from Redis when cached; a text query goes to OpenSearch, else PostgreSQL."""
    if text:
        return _search(resource, user, text)
    cached = cache.get_json(resource.cache_key(user))
    if cached is not None:
        return list(cached)
    rows = db.query(
        f"SELECT * FROM {resource.table} WHERE user_id = $1 ORDER BY {resource.order_by} LIMIT 100", user
    )
    items = [resource.decorate(to_api(resource, row)) for row in rows]
    cache.set_json(resource.cache_key(user), items, ttl_seconds=300)
    return items


def _search(resource: Resource, user: str, text: str) -> list[dict[str, Any]]:
    if resource.search_index:
        try:
            ids = search.search_ids(resource.search_index, user, text)
            if not ids:
                return []
            rows = db.query(
                f"SELECT * FROM {resource.table} WHERE user_id = $1 AND id::text = ANY($2::text[])",
                user,
                "{" + ",".join(ids) + "}",
            )
            return [resource.decorate(to_api(resource, row)) for row in rows]
        except search.SearchUnavailable:
            pass  # the seed's fallback: PostgreSQL full-text search
    rows = db.query(
        f"SELECT * FROM {resource.table} WHERE user_id = $1 AND to_tsvector('simple', "
        f"{_text_columns(resource)}) @@ plainto_tsquery('simple', $2) ORDER BY {resource.order_by} LIMIT 50",
        user,
        text,
    )
    return [resource.decorate(to_api(resource, row)) for row in rows]


def _text_columns(resource: Resource) -> str:
    columns = [spec.column for spec in resource.fields.values() if spec.kind is str]
    return " || ' ' || ".join(f"coalesce({column}, '')" for column in columns) or "''"


def get_item(resource: Resource, user: str, item_id: str) -> dict[str, Any]:
    rows = db.query(f"SELECT * FROM {resource.table} WHERE user_id = $1 AND id::text = $2", user, item_id)
    if not rows:
        raise common.HttpError(404, f"{resource.name} not found")
    return resource.decorate(to_api(resource, rows[0]))


def create_item(
    resource: Resource, user: str, body: dict[str, Any], extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    values = {**validate(resource, body, partial=False), **(extra or {})}
    columns = ["id", "user_id", *values]
    params = [str(uuid.uuid4()), user, *values.values()]
    placeholders = ", ".join(f"${i}" for i in range(1, len(params) + 1))
    rows = db.query(
        f"INSERT INTO {resource.table} ({', '.join(columns)}) VALUES ({placeholders}) RETURNING *", *params
    )
    item = to_api(resource, rows[0])
    _after_write(resource, user, item)
    return resource.decorate(item)


def update_item(resource: Resource, user: str, item_id: str, body: dict[str, Any]) -> dict[str, Any]:
    values = validate(resource, body, partial=True)
    assignments = ", ".join(f"{column} = ${i}" for i, column in enumerate(values, start=3))
    rows = db.query(
        f"UPDATE {resource.table} SET {assignments} WHERE user_id = $1 AND id::text = $2 RETURNING *",
        user,
        item_id,
        *values.values(),
    )
    if not rows:
        raise common.HttpError(404, f"{resource.name} not found")
    item = to_api(resource, rows[0])
    _after_write(resource, user, item)
    return resource.decorate(item)


def delete_item(resource: Resource, user: str, item_id: str) -> None:
    rows = db.query(
        f"DELETE FROM {resource.table} WHERE user_id = $1 AND id::text = $2 RETURNING id", user, item_id
    )
    if not rows:
        raise common.HttpError(404, f"{resource.name} not found")
    cache.delete(resource.cache_key(user))
    if resource.search_index:
        # the index is rebuilt from PostgreSQL; a stale hit is filtered out by the SQL lookup
        with contextlib.suppress(search.SearchUnavailable):
            search.request("DELETE", f"/{resource.search_index}/_doc/{item_id}")


def _after_write(resource: Resource, user: str, item: dict[str, Any]) -> None:
    cache.delete(resource.cache_key(user))
    if resource.search_index:
        search.index_document(resource.search_index, str(item["id"]), {**item, "userId": user})


def dispatch(resource: Resource, event: dict[str, Any]) -> dict[str, Any]:
    """Route one HTTP API event on method and {id} to the CRUD operations."""
    user = common.user_id(event)
    method, item_id = common.method_of(event), common.path_id(event)
    text = (event.get("queryStringParameters") or {}).get("q")
    if item_id is None and method == "GET":
        return common.response(200, {"items": list_items(resource, user, text)})
    if item_id is None and method == "POST":
        return common.response(201, create_item(resource, user, common.json_body(event)))
    if item_id is not None and method == "GET":
        return common.response(200, get_item(resource, user, item_id))
    if item_id is not None and method in ("PUT", "PATCH"):
        return common.response(200, update_item(resource, user, item_id, common.json_body(event)))
    if item_id is not None and method == "DELETE":
        delete_item(resource, user, item_id)
        return common.response(204)
    raise common.HttpError(405, f"{method} not allowed here")
