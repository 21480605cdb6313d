"""A Redis stand-in: a small RESP server (TLS) for functions whose ElastiCache moto cannot run.

It speaks the Redis serialization protocol ("RESP protocol specification", redis.io) for the commands
a cache client uses: ``PING``, ``GET``, ``SET`` (with ``EX``/``PX``), ``DEL``, ``EXISTS``, ``EXPIRE``,
``TTL``, ``INCR``, ``FLUSHALL``, and accepts ``AUTH``, ``SELECT``, ``CLIENT`` and ``HELLO`` 2. Stopping
it closes every client connection, which is what a client sees when the node goes down.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from typing import Any

__all__ = ["RedisStandIn", "encode", "parse_command"]


def encode(value: Any) -> bytes:
    """A RESP reply: None is a null bulk string, int an integer, str a simple string, bytes a bulk string."""
    if value is None:
        return b"$-1\r\n"
    if isinstance(value, int):
        return b":%d\r\n" % value
    if isinstance(value, Exception):
        return f"-ERR {value}\r\n".encode()
    if isinstance(value, str):
        return f"+{value}\r\n".encode()
    return b"$%d\r\n%s\r\n" % (len(value), value)


def parse_command(buffer: bytes) -> tuple[list[bytes], bytes] | None:
    """One array of bulk strings from ``buffer`` and the rest, or None when it is incomplete."""
    if not buffer.startswith(b"*"):
        line, sep, rest = buffer.partition(b"\r\n")
        return (line.split(), rest) if sep else None
    head, sep, rest = buffer.partition(b"\r\n")
    if not sep:
        return None
    parts: list[bytes] = []
    for _ in range(int(head[1:])):
        size_line, sep, rest = rest.partition(b"\r\n")
        if not sep or len(rest) < int(size_line[1:]) + 2:
            return None
        size = int(size_line[1:])
        parts.append(rest[:size])
        rest = rest[size + 2:]
    return parts, rest


class RedisStandIn:
    """Serves RESP on 127.0.0.1 (TLS when given a server context)."""

    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        self._context = context
        self._data: dict[bytes, tuple[bytes, float | None]] = {}
        self._lock = threading.Lock()
        self._clients: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.port = 0
        self.commands = 0

    @property
    def running(self) -> bool:
        return self._listener is not None

    def start(self) -> RedisStandIn:
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        self.port = int(listener.getsockname()[1])
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), name="infra-parity-redis", daemon=True).start()
        return self

    def stop(self) -> None:
        """Close the listener and every connection (clients see the node go down)."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread; close alone would not
            listener.close()
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
            client.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                raw, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        try:
            conn = self._context.wrap_socket(raw, server_side=True) if self._context else raw
        except (OSError, ssl.SSLError):
            raw.close()
            return
        with self._lock:
            self._clients.append(conn)
        buffer = b""
        try:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
                while (parsed := parse_command(buffer)) is not None:
                    command, buffer = parsed
                    conn.sendall(encode(self.execute(command)))
        except (OSError, ssl.SSLError):
            return
        finally:
            conn.close()

    def _live(self, key: bytes) -> bytes | None:
        found = self._data.get(key)
        if found is None:
            return None
        if found[1] is not None and found[1] <= time.monotonic():
            del self._data[key]
            return None
        return found[0]

    def execute(self, command: list[bytes]) -> Any:
        """The reply to one command."""
        if not command:
            return ValueError("empty command")
        name, args = command[0].upper().decode(), command[1:]
        with self._lock:
            self.commands += 1
            if name == "PING":
                return "PONG" if not args else args[0]
            if name in ("AUTH", "SELECT", "CLIENT", "HELLO", "FLUSHALL"):
                if name == "FLUSHALL":
                    self._data.clear()
                return "OK"
            if name == "GET":
                return self._live(args[0])
            if name == "SET":
                return self._set(args)
            if name == "DEL":
                gone = [key for key in args if self._live(key) is not None]
                for key in gone:
                    del self._data[key]
                return len(gone)
            if name == "EXISTS":
                return sum(1 for key in args if self._live(key) is not None)
            if name == "INCR":
                value = int(self._live(args[0]) or b"0") + 1
                self._data[args[0]] = (str(value).encode(), None)
                return value
            if name in ("EXPIRE", "TTL"):
                return self._expiry(name, args)
        return ValueError(f"unknown command '{name}'")

    def _set(self, args: list[bytes]) -> Any:
        expires: float | None = None
        options = [a.upper() for a in args[2:]]
        for option, value in zip(options, args[3:], strict=False):
            if option == b"EX":
                expires = time.monotonic() + float(value)
            elif option == b"PX":
                expires = time.monotonic() + float(value) / 1000
        self._data[args[0]] = (args[1], expires)
        return "OK"

    def _expiry(self, name: str, args: list[bytes]) -> int:
        value = self._live(args[0])
        if value is None:
            return -2 if name == "TTL" else 0
        if name == "EXPIRE":
            self._data[args[0]] = (value, time.monotonic() + float(args[1]))
            return 1
        expires = self._data[args[0]][1]
        return -1 if expires is None else int(expires - time.monotonic())
