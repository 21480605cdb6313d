"""A minimal PostgreSQL client (protocol 3.0) on the standard library: TLS, password/MD5/SCRAM auth.

Lambda functions here ship with stdlib + boto3 only, so there is no driver to import. This client
speaks just what the handlers need: the extended query protocol with text parameters (no SQL
string building), and text results converted for the common types. It works through RDS Proxy
with IAM authentication (the token is sent as a cleartext password over TLS) and with plain
password authentication (MD5 or SCRAM-SHA-256).

Shipped once as a Lambda layer (``_layers/pg``): the runtime puts the layer's ``python/`` folder,
extracted under ``/opt``, on ``sys.path``, so the handlers of lego-api and huntaze-skeleton
``import pg`` as if it sat next to them.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import socket
import ssl
import struct
import urllib.parse
from dataclasses import dataclass
from typing import Any

SSL_REQUEST_CODE = 80877103
PROTOCOL_VERSION = 196608
_INT_TYPES = {20, 21, 23, 26}
_FLOAT_TYPES = {700, 701, 1700}
_JSON_TYPES = {114, 3802}


class DatabaseError(Exception):
    """The server answered an ErrorResponse, or the protocol could not proceed."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ConnectionSettings:
    """Where and how to connect."""

    host: str
    port: int
    user: str
    password: str
    database: str
    sslmode: str = "verify-full"  # disable | require (encrypt, no verification) | verify-full
    timeout: float = 5.0


def parse_database_url(url: str) -> ConnectionSettings:
    """``postgresql://user:password@host:port/db?sslmode=require`` -> settings (pure)."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"not a PostgreSQL URL: {parsed.scheme}://...")
    query = urllib.parse.parse_qs(parsed.query)
    return ConnectionSettings(
        host=parsed.hostname or "localhost",
        port=parsed.port or 5432,
        user=urllib.parse.unquote(parsed.username or ""),
        password=urllib.parse.unquote(parsed.password or ""),
        database=parsed.path.lstrip("/") or "postgres",
        sslmode=query.get("sslmode", ["require"])[0],
    )


def scram_client_final(password: str, client_first_bare: str, server_first: str) -> tuple[str, bytes]:
    """SCRAM-SHA-256 (RFC 5802/7677): the client-final message and the server signature to expect (pure)."""
    fields = dict(item.split("=", 1) for item in server_first.split(","))
    nonce, salt, iterations = fields["r"], base64.b64decode(fields["s"]), int(fields["i"])
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    without_proof = f"c=biws,r={nonce}"
    auth_message = f"{client_first_bare},{server_first},{without_proof}".encode()
    signature = hmac.new(stored_key, auth_message, hashlib.sha256).digest()
    proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    expected = hmac.new(server_key, auth_message, hashlib.sha256).digest()
    return f"{without_proof},p={base64.b64encode(proof).decode()}", expected


def convert(type_oid: int, raw: bytes | None) -> Any:
    """A text-format column value as a Python value (pure)."""
    if raw is None:
        return None
    text = raw.decode()
    if type_oid == 16:
        return text == "t"
    if type_oid in _INT_TYPES:
        return int(text)
    if type_oid in _FLOAT_TYPES:
        return float(text)
    if type_oid in _JSON_TYPES:
        return json.loads(text)
    return text


def _message(kind: bytes, payload: bytes) -> bytes:
    return kind + struct.pack("!I", len(payload) + 4) + payload


def _cstr(value: str) -> bytes:
    return value.encode() + b"\x00"


class Connection:
    """One connection; use :func:`connect`."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = b""

    # ------------------------------------------------------------------ wire
    def _recv_exact(self, size: int) -> bytes:
        while len(self._buffer) < size:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise DatabaseError("connection closed by the server")
            self._buffer += chunk
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def _read(self) -> tuple[bytes, bytes]:
        header = self._recv_exact(5)
        length = struct.unpack("!I", header[1:])[0]
        return header[:1], self._recv_exact(length - 4)

    def _send(self, data: bytes) -> None:
        self._sock.sendall(data)

    @staticmethod
    def _error(payload: bytes) -> DatabaseError:
        fields = {part[:1].decode(): part[1:].decode() for part in payload.split(b"\x00") if part}
        return DatabaseError(fields.get("M", "database error"), fields.get("C", ""))

    # ------------------------------------------------------------------ auth
    def authenticate(self, settings: ConnectionSettings) -> None:
        params = _cstr("user") + _cstr(settings.user) + _cstr("database") + _cstr(settings.database)
        body = (
            struct.pack("!I", PROTOCOL_VERSION) + params + _cstr("client_encoding") + _cstr("UTF8") + b"\x00"
        )
        self._send(struct.pack("!I", len(body) + 4) + body)
        scram: tuple[str, str] | None = None
        expected = b""
        while True:
            kind, payload = self._read()
            if kind == b"E":
                raise self._error(payload)
            if kind == b"Z":
                return
            if kind != b"R":
                continue  # ParameterStatus, BackendKeyData, NoticeResponse
            code = struct.unpack("!I", payload[:4])[0]
            if code == 3:
                self._send(_message(b"p", _cstr(settings.password)))
            elif code == 5:
                inner = hashlib.md5((settings.password + settings.user).encode()).hexdigest()
                outer = hashlib.md5(inner.encode() + payload[4:8]).hexdigest()
                self._send(_message(b"p", _cstr("md5" + outer)))
            elif code == 10:
                nonce = base64.b64encode(os.urandom(18)).decode()
                scram = (f"n=,r={nonce}", "")
                first = f"n,,{scram[0]}".encode()
                self._send(_message(b"p", _cstr("SCRAM-SHA-256") + struct.pack("!I", len(first)) + first))
            elif code == 11 and scram:
                final, expected = scram_client_final(settings.password, scram[0], payload[4:].decode())
                self._send(_message(b"p", final.encode()))
            elif code == 12:
                signature = base64.b64decode(payload[4:].decode().split("v=", 1)[1])
                if not hmac.compare_digest(signature, expected):
                    raise DatabaseError("SCRAM server signature mismatch")
            elif code != 0:
                raise DatabaseError(f"unsupported authentication method {code}")

    # ------------------------------------------------------------------ queries
    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """Run one statement with $1..$n text parameters; return the rows as dicts."""
        encoded = b""
        for value in params:
            if value is None:
                encoded += struct.pack("!i", -1)
                continue
            text = json.dumps(value) if isinstance(value, dict | list) else str(value)
            if isinstance(value, bool):
                text = "true" if value else "false"
            data = text.encode()
            encoded += struct.pack("!i", len(data)) + data
        bind = _cstr("") + _cstr("") + struct.pack("!hh", 0, len(params)) + encoded + struct.pack("!h", 0)
        self._send(
            _message(b"P", _cstr("") + _cstr(sql) + struct.pack("!h", 0))
            + _message(b"B", bind)
            + _message(b"D", b"P" + _cstr(""))
            + _message(b"E", _cstr("") + struct.pack("!I", 0))
            + _message(b"S", b"")
        )
        return self._collect_rows()

    def _collect_rows(self) -> list[dict[str, Any]]:
        columns: list[tuple[str, int]] = []
        rows: list[dict[str, Any]] = []
        error: DatabaseError | None = None
        while True:
            kind, payload = self._read()
            if kind == b"T":
                columns = self._row_description(payload)
            elif kind == b"D":
                rows.append(self._data_row(payload, columns))
            elif kind == b"E":
                error = self._error(payload)
            elif kind == b"Z":
                if error:
                    raise error
                return rows

    @staticmethod
    def _row_description(payload: bytes) -> list[tuple[str, int]]:
        count = struct.unpack("!h", payload[:2])[0]
        offset, columns = 2, []
        for _ in range(count):
            end = payload.index(b"\x00", offset)
            name = payload[offset:end].decode()
            type_oid = struct.unpack("!I", payload[end + 7 : end + 11])[0]
            columns.append((name, type_oid))
            offset = end + 19
        return columns

    @staticmethod
    def _data_row(payload: bytes, columns: list[tuple[str, int]]) -> dict[str, Any]:
        count = struct.unpack("!h", payload[:2])[0]
        offset, row = 2, {}
        for index in range(count):
            size = struct.unpack("!i", payload[offset : offset + 4])[0]
            offset += 4
            raw = None if size < 0 else payload[offset : offset + size]
            offset += max(size, 0)
            name, type_oid = columns[index]
            row[name] = convert(type_oid, raw)
        return row

    def close(self) -> None:
        with contextlib.suppress(OSError):  # already closed: nothing to terminate
            self._send(_message(b"X", b""))
        self._sock.close()


def connect(settings: ConnectionSettings) -> Connection:
    """Open a connection, negotiate TLS unless sslmode is disable, authenticate."""
    raw = socket.create_connection((settings.host, settings.port), timeout=settings.timeout)
    sock: socket.socket = raw
    if settings.sslmode != "disable":
        raw.sendall(struct.pack("!II", 8, SSL_REQUEST_CODE))
        if raw.recv(1) != b"S":
            raw.close()
            raise DatabaseError("server refused TLS")
        context = ssl.create_default_context()
        if settings.sslmode == "require":
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        sock = context.wrap_socket(raw, server_hostname=settings.host)
    connection = Connection(sock)
    try:
        connection.authenticate(settings)
    except (DatabaseError, OSError):
        sock.close()
        raise
    return connection
