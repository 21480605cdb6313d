"""The lego-api design's handlers: PostgreSQL wire client, Redis degradation, CRUD, health."""

from __future__ import annotations

import ast
import base64
import importlib
import json
import socket
import struct
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cfnlint.decode import decode

import pytest_infra_parity.designs as designs_pkg

DESIGNS = Path(designs_pkg.__file__).parent
HANDLERS = DESIGNS / "lego-api" / "handlers" / "api"
# The pg client ships as a layer; Lambda extracts it under /opt and puts /opt/python on sys.path.
PG_LAYER = DESIGNS / "_layers" / "pg"
MODULES = (
    "common",
    "crud",
    "db",
    "cache",
    "search",
    "pg",
    "mocs",
    "gallery",
    "wishlist",
    "user_profile",
    "health",
)


@pytest.fixture
def lego(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, ModuleType]]:
    """The handler modules, imported as Lambda would: the function's folder, then the layer's python/."""
    for name in MODULES:
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.syspath_prepend(str(PG_LAYER / "python"))
    monkeypatch.syspath_prepend(str(HANDLERS))
    monkeypatch.setenv("STAGE", "test")
    monkeypatch.setenv("METRICS_NAMESPACE", "lego-api/test")
    monkeypatch.setenv("UPLOADS_BUCKET", "lego-api-test-uploads")
    monkeypatch.setenv("REDIS_HOST", "127.0.0.1")
    monkeypatch.setenv("REDIS_PORT", str(_closed_port()))
    monkeypatch.setenv("REDIS_TLS", "false")
    yield {name: importlib.import_module(name) for name in MODULES}
    for name in MODULES:
        sys.modules.pop(name, None)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def jwt_event(method: str, path: str, body: Any = None, item_id: str | None = None) -> dict[str, Any]:
    return {
        "version": "2.0",
        "rawPath": path,
        "requestContext": {
            "http": {"method": method, "path": path},
            "authorizer": {"jwt": {"claims": {"sub": "user-1", "client_id": "abc"}, "scopes": None}},
        },
        "pathParameters": {"id": item_id} if item_id else None,
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


def _imports_of(module: str) -> set[str]:
    """The modules a handler imports, directly or through the other modules of its folder."""
    found: set[str] = set()
    pending = [module]
    while pending:
        source = HANDLERS / f"{pending.pop()}.py"
        if not source.is_file():
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = {alias.name for alias in node.names} if isinstance(node, ast.Import) else set()
            pending += sorted(names - found)
            found |= names
    return found


def test_functions_that_import_pg_get_it_from_the_shared_layer(lego: dict[str, ModuleType]) -> None:
    template, _ = decode(str(HANDLERS.parents[1] / "template.yaml"))
    resources = template["Resources"]
    layer = resources["PgLayer"]["Properties"]
    assert (HANDLERS.parents[1] / layer["Content"]).resolve() == PG_LAYER
    assert layer["CompatibleRuntimes"] == ["python3.12"]
    assert not (HANDLERS / "pg.py").exists()
    assert Path(lego["pg"].__file__ or "") == PG_LAYER / "python" / "pg.py"
    functions = {lid: r["Properties"] for lid, r in resources.items() if r["Type"] == "AWS::Lambda::Function"}
    users = {lid for lid, props in functions.items() if "pg" in _imports_of(props["Handler"].split(".")[0])}
    assert users == {"MocInstructionsFunction", "GalleryFunction", "WishlistFunction", "ProfileFunction"}
    for lid, props in functions.items():
        assert props.get("Layers", []) == ([{"Ref": "PgLayer"}] if lid in users else []), lid


def test_scram_matches_rfc7677_and_urls_parse(lego: dict[str, ModuleType]) -> None:
    pg = lego["pg"]
    final, server_signature = pg.scram_client_final(
        "pencil",
        "n=user,r=rOprNGfwEbeRWgbNEkqO",
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    )
    assert final == (
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
        "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
    )
    assert base64.b64encode(server_signature).decode() == "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
    settings = pg.parse_database_url("postgresql://app:p%40ss@db.internal:6543/huntaze?sslmode=verify-full")
    assert (settings.user, settings.password, settings.host, settings.port) == (
        "app",
        "p@ss",
        "db.internal",
        6543,
    )
    assert (settings.database, settings.sslmode) == ("huntaze", "verify-full")


def _pg_server(sock: socket.socket, seen: dict[str, Any]) -> None:
    """A scripted PostgreSQL server: cleartext auth, then one extended-protocol query answered with a row."""

    def read_message() -> tuple[bytes, bytes]:
        head = sock.recv(5, socket.MSG_WAITALL)
        size = struct.unpack("!I", head[1:])[0]
        return head[:1], sock.recv(size - 4, socket.MSG_WAITALL) if size > 4 else b""

    length = struct.unpack("!I", sock.recv(4, socket.MSG_WAITALL))[0]
    seen["startup"] = sock.recv(length - 4, socket.MSG_WAITALL)
    sock.sendall(b"R" + struct.pack("!II", 8, 3))  # AuthenticationCleartextPassword
    kind, payload = read_message()
    seen["password"] = payload.rstrip(b"\x00").decode()
    sock.sendall(b"R" + struct.pack("!II", 8, 0) + b"Z" + struct.pack("!I", 5) + b"I")
    while True:
        kind, payload = read_message()
        seen.setdefault("kinds", []).append(kind)
        if kind == b"S":
            break
    columns = [(b"id", 25), (b"parts_count", 23), (b"tags", 3802)]
    description = struct.pack("!h", len(columns)) + b"".join(
        name + b"\x00" + struct.pack("!IhIhih", 0, 0, oid, -1, -1, 0) for name, oid in columns
    )
    values = [b"moc-1", b"42", b'["technic"]']
    row = struct.pack("!h", len(values)) + b"".join(struct.pack("!i", len(v)) + v for v in values)
    for kind, body in ((b"1", b""), (b"2", b""), (b"T", description), (b"D", row), (b"C", b"SELECT 1\x00")):
        sock.sendall(kind + struct.pack("!I", len(body) + 4) + body)
    sock.sendall(b"Z" + struct.pack("!I", 5) + b"I")


def test_pg_client_speaks_the_extended_protocol(lego: dict[str, ModuleType]) -> None:
    pg = lego["pg"]
    client_sock, server_sock = socket.socketpair()
    seen: dict[str, Any] = {}
    server = threading.Thread(target=_pg_server, args=(server_sock, seen))
    server.start()
    connection = pg.Connection(client_sock)
    connection.authenticate(pg.ConnectionSettings("h", 5432, "lego_admin", "iam-token", "lego", "disable"))
    rows = connection.execute("SELECT * FROM moc_instructions WHERE user_id = $1", ("user-1",))
    server.join(timeout=5)
    client_sock.close()
    server_sock.close()
    assert b"user\x00lego_admin\x00database\x00lego\x00" in seen["startup"]
    assert seen["password"] == "iam-token"
    assert seen["kinds"] == [b"P", b"B", b"D", b"E", b"S"]
    assert rows == [{"id": "moc-1", "parts_count": 42, "tags": ["technic"]}]


def test_redis_down_falls_back_to_database(
    lego: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cache, db, mocs = lego["cache"], lego["db"], lego["mocs"]
    assert cache.parse_reply(b"$5\r\nhello\r\n") == (b"hello", b"")
    assert cache.encode_command("GET", "k") == b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
    queries: list[tuple[str, tuple[Any, ...]]] = []

    def fake_query(sql: str, *params: Any) -> list[dict[str, Any]]:
        queries.append((sql, params))
        return [
            {
                "id": "m1",
                "created_at": "2025-01-01",
                "title": "Castle",
                "description": "",
                "parts_count": 900,
                "tags": [],
            }
        ]

    monkeypatch.setattr(db, "query", fake_query)
    reply = mocs.handler(jwt_event("GET", "/api/mocs"))

    assert reply["statusCode"] == 200
    assert json.loads(reply["body"])["items"][0] == {
        "id": "m1",
        "createdAt": "2025-01-01",
        "title": "Castle",
        "description": "",
        "partsCount": 900,
        "tags": [],
    }
    assert queries[0][1] == ("user-1",)
    assert "redis unavailable, falling back" in capsys.readouterr().out
    assert cache.get_json("anything") is None  # backed off: no new connection attempt, still a miss


def test_crud_validation_and_gallery_upload(
    lego: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    crud, common, gallery, db = lego["crud"], lego["common"], lego["gallery"], lego["db"]
    with pytest.raises(common.HttpError, match="title is required"):
        crud.validate(lego["mocs"].MOCS, {"description": "x"}, partial=False)
    with pytest.raises(common.HttpError, match="partsCount must be"):
        crud.validate(lego["mocs"].MOCS, {"title": "t", "partsCount": True}, partial=False)
    inserted: list[tuple[Any, ...]] = []

    def fake_query(sql: str, *params: Any) -> list[dict[str, Any]]:
        inserted.append(params)
        return [
            {
                "id": params[0],
                "created_at": "now",
                "title": params[2],
                "description": "",
                "tags": [],
                "s3_key": params[3],
            }
        ]

    class FakeS3:
        def generate_presigned_url(self, operation: str, Params: dict[str, str], ExpiresIn: int) -> str:
            return f"https://s3/{operation}/{Params['Key']}"

    monkeypatch.setattr(db, "query", fake_query)
    monkeypatch.setattr(gallery, "s3", lambda: FakeS3())
    monkeypatch.setattr(lego["search"], "index_document", lambda *args: False)
    reply = gallery.handler(
        jwt_event(
            "POST",
            "/api/images",
            {"title": "Bridge", "fileName": "b r.png", "contentType": "image/png", "s3Key": "evil"},
        )
    )
    assert reply["statusCode"] == 201
    body = json.loads(reply["body"])
    assert body["s3Key"].startswith("uploads/user-1/images/") and body["s3Key"].endswith("/b_r.png")
    assert body["uploadUrl"] == f"https://s3/put_object/{body['s3Key']}"
    assert "evil" not in inserted[0]
    assert (
        gallery.handler(jwt_event("POST", "/api/images", {"title": "x", "contentType": "text/html"}))[
            "statusCode"
        ]
        == 400
    )
    assert gallery.handler({"requestContext": {"http": {"method": "GET"}}})["statusCode"] == 401


def test_health_reports_degraded_dependencies(lego: dict[str, ModuleType]) -> None:
    health = lego["health"]
    assert health.summarize({"redis": True, "database": None}) == "ok"
    assert health.summarize({"redis": False, "database": True}) == "degraded"
    reply = health.handler({"source": "warmup"})
    assert reply["statusCode"] == 200
    body = json.loads(reply["body"])
    assert body["warmup"] is True and body["checks"]["redis"] is False and body["status"] == "degraded"
