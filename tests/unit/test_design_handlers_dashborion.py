"""The dashborion design's Lambda handlers, run with fake boto3 clients."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import pytest_infra_parity.designs as designs_pkg

HANDLERS = Path(designs_pkg.__file__).parent / "dashborion" / "handlers"


def load(path: Path, name: str) -> ModuleType:
    """Import a handler module from its file, under a unique name."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class FakeDynamoDB:
    def __init__(self, items: dict[str, dict[str, Any]] | None = None) -> None:
        self.items = items or {}
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def get_item(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("get_item", kwargs))
        key = json.dumps(kwargs["Key"], sort_keys=True)
        return {"Item": self.items[key]} if key in self.items else {}

    def put_item(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("put_item", kwargs))
        return {}


class FakeEcs:
    def list_clusters(self) -> dict[str, Any]:
        return {"clusterArns": ["arn:aws:ecs:eu-west-3:123456789012:cluster/staging"]}

    def list_services(self, cluster: str) -> dict[str, Any]:
        return {"serviceArns": [f"{cluster}/service/s{i}" for i in range(12)]}

    def describe_services(self, cluster: str, services: list[str]) -> dict[str, Any]:
        assert len(services) <= 10
        return {
            "services": [
                {
                    "serviceName": arn.rsplit("/", 1)[-1],
                    "status": "ACTIVE",
                    "desiredCount": 1,
                    "runningCount": 1,
                }
                for arn in services
            ]
        }


def http_event(method: str, path: str, body: str | None = None) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "headers": {"content-type": "application/json"},
        "requestContext": {"http": {"method": method, "path": path}, "stage": "$default"},
        "body": body,
        "isBase64Encoded": False,
    }


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("STAGE", "test")
    monkeypatch.setenv("CACHE_TABLE", "dashborion-test-cache")
    monkeypatch.setenv("PREFERENCES_TABLE", "dashborion-test-preferences")
    return load(HANDLERS / "api" / "app.py", "dashborion_api_app")


def test_resolve_route_maps_api_paths() -> None:
    module = load(HANDLERS / "api" / "app.py", "dashborion_api_routes")
    assert module.resolve_route("GET", "/api/health") == ("health", {})
    assert module.resolve_route("GET", "/api/snapshots/ecs") == ("get_snapshot", {"name": "ecs"})
    assert module.resolve_route("PUT", "/api/preferences/u1") == ("put_preferences", {"userId": "u1"})
    assert module.resolve_route("DELETE", "/api/preferences/u1") == ("not_found", {})


def test_api_health_and_snapshot_and_preferences(api: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot_key = json.dumps({"pk": {"S": "snapshot#ecs"}, "sk": {"S": "latest"}}, sort_keys=True)
    fake = FakeDynamoDB(
        {
            snapshot_key: {
                "pk": {"S": "snapshot#ecs"},
                "takenAt": {"N": "1700000000"},
                "payload": {"S": "[1, 2]"},
            }
        }
    )
    monkeypatch.setattr(api, "client", lambda service: fake)

    health = api.handler(http_event("GET", "/api/health"))
    assert health["statusCode"] == 200
    assert health["headers"]["content-type"] == "application/json"
    assert json.loads(health["body"])["status"] == "ok"
    assert json.loads(health["body"])["stage"] == "test"

    snapshot = api.handler(http_event("GET", "/api/snapshots/ecs"))
    assert snapshot["statusCode"] == 200
    assert json.loads(snapshot["body"]) == {"name": "ecs", "takenAt": 1700000000, "data": [1, 2]}
    assert api.handler(http_event("GET", "/api/snapshots/nope"))["statusCode"] == 404

    saved = api.handler(http_event("PUT", "/api/preferences/u1", json.dumps({"theme": "dark"})))
    assert saved["statusCode"] == 200
    put = [kwargs for name, kwargs in fake.calls if name == "put_item"]
    assert put[0]["TableName"] == "dashborion-test-preferences"
    assert json.loads(put[0]["Item"]["preferences"]["S"]) == {"theme": "dark"}
    assert api.handler(http_event("PUT", "/api/preferences/u1", "[1]"))["statusCode"] == 400


def test_refresh_snapshots_every_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CACHE_TABLE", "dashborion-test-cache")
    module = load(HANDLERS / "refresh" / "app.py", "dashborion_refresh_app")
    dynamodb, ecs = FakeDynamoDB(), FakeEcs()
    monkeypatch.setattr(module, "client", lambda service: {"ecs": ecs, "dynamodb": dynamodb}[service])

    result = module.handler({"source": "aws.events", "detail-type": "Scheduled Event"})

    assert result["services"] == 12
    ((name, put),) = dynamodb.calls
    assert name == "put_item" and put["TableName"] == "dashborion-test-cache"
    rows = json.loads(put["Item"]["payload"]["S"])
    assert {row["cluster"] for row in rows} == {"staging"} and all(row["healthy"] for row in rows)
    assert int(put["Item"]["expiresAt"]["N"]) - int(put["Item"]["takenAt"]["N"]) == 3600
