"""Redis cache with graceful degradation: a tiny RESP client over TLS (ElastiCache in-transit encryption).

Every public function swallows connection and protocol errors *by design* (the seed's "graceful
degradation when Redis unavailable"): a cache miss is returned instead, the error is logged, and the
next calls skip Redis for a short back-off so a dead cache does not add a timeout to each request.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import time
from typing import Any

_state: dict[str, Any] = {"sock": None, "down_until": 0.0}
BACKOFF_SECONDS = 30.0


class RedisError(Exception):
    """The server answered an error, or the reply could not be parsed."""


def encode_command(*parts: str | bytes) -> bytes:
    """A RESP array of bulk strings (pure)."""
    out = [f"*{len(parts)}\r\n".encode()]
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        out.append(f"${len(data)}\r\n".encode() + data + b"\r\n")
    return b"".join(out)


def parse_reply(data: bytes) -> tuple[Any, bytes]:
    """Parse one RESP reply (simple/bulk string, error, integer, array) -> (value, rest) (pure)."""
    if b"\r\n" not in data:
        raise RedisError("incomplete reply")
    line, rest = data.split(b"\r\n", 1)
    kind, body = line[:1], line[1:].decode()
    if kind == b"+":
        return body, rest
    if kind == b"-":
        raise RedisError(body)
    if kind == b":":
        return int(body), rest
    if kind == b"$":
        size = int(body)
        if size < 0:
            return None, rest
        if len(rest) < size + 2:
            raise RedisError("incomplete reply")
        return rest[:size], rest[size + 2 :]
    if kind == b"*":
        items = []
        for _ in range(max(int(body), 0)):
            item, rest = parse_reply(rest)
            items.append(item)
        return items, rest
    raise RedisError(f"unknown reply type {kind!r}")


def _connect() -> socket.socket:
    host = os.environ["REDIS_HOST"]
    port = int(os.environ.get("REDIS_PORT", "6379"))
    timeout = float(os.environ.get("REDIS_TIMEOUT_SECONDS", "0.3"))
    raw = socket.create_connection((host, port), timeout=timeout)
    if os.environ.get("REDIS_TLS", "true") == "true":
        return ssl.create_default_context().wrap_socket(raw, server_hostname=host)
    return raw


def _call(*parts: str | bytes) -> Any:
    sock = _state["sock"] or _connect()
    _state["sock"] = sock
    sock.sendall(encode_command(*parts))
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            raise RedisError("connection closed")
        data += chunk
        try:
            value, _rest = parse_reply(data)
        except RedisError as exc:
            if str(exc) == "incomplete reply":
                continue
            raise
        return value


def _guarded(*parts: str | bytes) -> tuple[bool, Any]:
    """(True, reply) or (False, None) when Redis is unavailable (then back off)."""
    if not os.environ.get("REDIS_HOST") or time.monotonic() < _state["down_until"]:
        return False, None
    try:
        return True, _call(*parts)
    except (OSError, RedisError) as exc:  # degrade: the caller falls back to the database
        print(json.dumps({"level": "warn", "message": "redis unavailable, falling back", "error": str(exc)}))
        if _state["sock"] is not None:
            _state["sock"].close()
        _state["sock"] = None
        _state["down_until"] = time.monotonic() + BACKOFF_SECONDS
        return False, None


def get_json(key: str) -> Any:
    """The cached JSON value, or None on a miss or when Redis is down."""
    ok, raw = _guarded("GET", key)
    return json.loads(raw) if ok and raw is not None else None


def set_json(key: str, value: Any, ttl_seconds: int = 300) -> bool:
    """Cache a JSON value; False when Redis is down."""
    ok, _ = _guarded("SET", key, json.dumps(value, default=str), "EX", str(ttl_seconds))
    return ok


def delete(*keys: str) -> bool:
    """Invalidate keys; False when Redis is down."""
    ok, _ = _guarded("DEL", *keys)
    return ok


def ping() -> bool:
    """True when Redis answers PONG."""
    ok, reply = _guarded("PING")
    return ok and reply == "PONG"
