"""The huntaze-skeleton design's handlers: flags, canary, shadow comparison, Prisma read, cleanup."""

from __future__ import annotations

import importlib
import io
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cfnlint.decode import decode

import pytest_infra_parity.designs as designs_pkg
from pytest_infra_parity.deploy.template import load_template

DESIGN = Path(designs_pkg.__file__).parent / "huntaze-skeleton"
# pg.py comes from the layer shared with lego-api; Lambda puts its python/ folder (under /opt) on sys.path.
PG_LAYER = DESIGN.parent / "_layers" / "pg"
MODULES = ("mock_handler", "prisma_handler", "cleanup_handler", "user_service", "pg")


@pytest.fixture
def src(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, ModuleType]]:
    """The handler modules, imported as Lambda would: src/ (the function's code), then the layer's python/."""
    for name in MODULES:
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.syspath_prepend(str(PG_LAYER / "python"))
    monkeypatch.syspath_prepend(str(DESIGN / "src"))
    monkeypatch.setenv("APP_ID", "app1")
    monkeypatch.setenv("ENV_ID", "env1")
    monkeypatch.setenv("FEATURES_PROFILE_ID", "prof1")
    monkeypatch.setenv("CANDIDATE_FN_ARN", "arn:aws:lambda:eu-west-3:123456789012:function:PrismaReadFn")
    yield {name: importlib.import_module(name) for name in MODULES}
    for name in MODULES:
        sys.modules.pop(name, None)


class FakeAppConfigData:
    def __init__(self, flags: dict[str, Any]) -> None:
        self.flags = flags
        self.polls = 0

    def start_configuration_session(self, **kwargs: Any) -> dict[str, Any]:
        assert kwargs["ConfigurationProfileIdentifier"] == "prof1"
        return {"InitialConfigurationToken": "t0"}

    def get_latest_configuration(self, ConfigurationToken: str) -> dict[str, Any]:
        self.polls += 1
        return {
            "NextPollConfigurationToken": f"t{self.polls}",
            "NextPollIntervalInSeconds": 60,
            "Configuration": io.BytesIO(json.dumps(self.flags).encode()),
        }


class FakeLambda:
    def __init__(self, payload: Any) -> None:
        self.payload = payload
        self.invocations: list[dict[str, Any]] = []

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        self.invocations.append(kwargs)
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(self.payload).encode())}


def event_for(user: str) -> dict[str, Any]:
    return {"requestContext": {"authorizer": {"userId": user}}, "rawPath": "/me"}


def test_compare_results_unwraps_the_candidate_body(src: dict[str, ModuleType]) -> None:
    compare = src["mock_handler"].compare_results
    assert compare({"a": 1, "b": 2}, {"statusCode": 200, "body": json.dumps({"b": 2, "a": 1})})[0] is True
    same, control, candidate = compare({"a": 1}, {"statusCode": 404, "body": "null"})
    assert (same, control, candidate) == (False, '{"a":1}', "null")
    assert compare(None, None)[0] is True


def test_control_path_tees_to_candidate_and_logs(
    src: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mock = src["mock_handler"]
    expected = src["user_service"].get_user_by_id("u1")
    candidate = FakeLambda({"statusCode": 200, "body": json.dumps(expected)})
    appconfig = FakeAppConfigData({"prismaAdapter": {"enabled": False}})
    monkeypatch.setattr(mock, "client", lambda s: {"appconfigdata": appconfig, "lambda": candidate}[s])

    reply = mock.handler(event_for("u1"))

    assert reply == {"statusCode": 200, "body": json.dumps(expected)}
    assert candidate.invocations[0]["InvocationType"] == "RequestResponse"
    assert json.loads(candidate.invocations[0]["Payload"]) == event_for("u1")
    assert "[SHADOW-OK]" in capsys.readouterr().out

    candidate.payload = {
        "statusCode": 200,
        "body": json.dumps({"id": "u1", "email": "real@x", "name": "Real"}),
    }
    mock.handler(event_for("u1"))
    out = capsys.readouterr().out
    assert "[SHADOW-DIFF]" in out and "real@x" in out
    assert appconfig.polls == 1  # the flags are cached until NextPollIntervalInSeconds


def test_enabled_flag_routes_to_prisma(
    src: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mock = src["mock_handler"]
    answer = {"statusCode": 200, "body": json.dumps({"id": "u2"})}
    candidate = FakeLambda(answer)
    appconfig = FakeAppConfigData({"prismaAdapter": {"enabled": True}})
    monkeypatch.setattr(mock, "client", lambda s: {"appconfigdata": appconfig, "lambda": candidate}[s])
    assert mock.handler(event_for("u2")) == answer
    assert "[CANARY] Using Prisma for userId: u2" in capsys.readouterr().out


def test_prisma_handler_reads_the_user_table(
    src: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    prisma = src["prisma_handler"]
    executed: list[tuple[str, tuple[Any, ...]]] = []

    class FakeConnection:
        def execute(self, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
            executed.append((sql, params))
            return [{"id": "u3", "email": "u3@x", "name": "U3"}] if params == ("u3",) else []

    monkeypatch.setattr(prisma, "connection", lambda: FakeConnection())
    assert prisma.handler(event_for("u3")) == {
        "statusCode": 200,
        "body": json.dumps({"id": "u3", "email": "u3@x", "name": "U3"}),
    }
    assert prisma.handler(event_for("nobody")) == {"statusCode": 404, "body": "null"}
    assert '"deletedAt" IS NULL' in executed[0][0]


def test_cleanup_within_the_seed_policy(src: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch) -> None:
    cleanup = src["cleanup_handler"]
    plan = cleanup.plan_cleanup({"deleteVersions": [3, 1, 3]}, datetime(2025, 1, 8, tzinfo=UTC))
    assert plan == {
        "description": "prismaAdapter cleanup run 2025-01-08T00:00:00Z (J+7)",
        "deleteVersions": [1, 3],
    }
    with pytest.raises(ValueError):
        cleanup.plan_cleanup({"deleteVersions": ["1"]}, datetime.now(UTC))
    calls: list[tuple[str, dict[str, Any]]] = []

    class FakeAppConfig:
        def update_configuration_profile(self, **kwargs: Any) -> None:
            calls.append(("update_configuration_profile", kwargs))

        def delete_hosted_configuration_version(self, **kwargs: Any) -> None:
            calls.append(("delete_hosted_configuration_version", kwargs))

    monkeypatch.setattr(cleanup, "client", lambda service: FakeAppConfig())
    reply = cleanup.handler({"source": "aws.events", "deleteVersions": [2]})
    assert reply["statusCode"] == 200
    assert [name for name, _ in calls] == [
        "update_configuration_profile",
        "delete_hosted_configuration_version",
    ]
    assert calls[1][1] == {"ApplicationId": "app1", "ConfigurationProfileId": "prof1", "VersionNumber": 2}


def test_shipped_flags_match_the_template_and_appconfig_rules() -> None:
    shipped = json.loads((DESIGN / "feature-flags.json").read_text())
    template, _ = decode(str(DESIGN / "template.yaml"))
    hosted = template["Resources"]["AppConfigFeatureFlags"]["Properties"]
    assert json.loads(hosted["Content"]) == shipped and hosted["ContentType"] == "application/json"
    assert shipped["version"] == "1" and shipped["values"]["prismaAdapter"] == {"enabled": False}
    for flag in shipped["flags"].values():
        assert set(flag) <= {"name", "description", "attributes", "_deprecation", "_createdAt", "_updatedAt"}
        assert "enabled" not in flag.get("attributes", {})


def test_prisma_candidate_alone_gets_pg_from_the_shared_layer(src: dict[str, ModuleType]) -> None:
    assert not (DESIGN / "src" / "pg.py").exists()
    assert Path(src["pg"].__file__ or "") == PG_LAYER / "python" / "pg.py"
    resources = load_template(DESIGN / "template.yaml").resources
    layers = {lid: r for lid, r in resources.items() if r.resource_type == "AWS::Lambda::LayerVersion"}
    assert len(layers) == 1
    [(layer_id, layer)] = layers.items()
    assert layer.properties["Content"] == {"LocalPath": str(PG_LAYER)}
    assert layer.properties["CompatibleRuntimes"] == ["python3.12"]
    assert layer.deletion_policy == "Delete"  # SAM's RetentionPolicy defaults to Retain
    attached = {
        lid: r.properties.get("Layers", [])
        for lid, r in resources.items()
        if r.resource_type == "AWS::Lambda::Function"
    }
    assert attached == {"MockReadFn": [], "PrismaReadFn": [{"Ref": layer_id}], "CleanupFn": []}
    # Only prisma_handler imports pg (mock_handler reads user_service, cleanup_handler AppConfig).
    users = {p.stem for p in (DESIGN / "src").glob("*.py") if "\nimport pg\n" in p.read_text(encoding="utf-8")}
    assert users == {"prisma_handler"}
