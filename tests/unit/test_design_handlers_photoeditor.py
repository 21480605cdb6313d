"""The photoeditor design's Lambda handlers, run with fake boto3 clients."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import pytest_infra_parity.designs as designs_pkg

HANDLERS = Path(designs_pkg.__file__).parent / "photoeditor" / "handlers"


def load(function: str) -> ModuleType:
    """Import a handler module from its file, under a unique name."""
    name = f"photoeditor_{function}_app"
    spec = importlib.util.spec_from_file_location(name, HANDLERS / function / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class Recorder:
    """A fake boto3 client: records calls, answers from a table of canned replies."""

    def __init__(self, replies: dict[str, Any] | None = None) -> None:
        self.replies = replies or {}
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, operation: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((operation, kwargs if not args else {"args": args, **kwargs}))
            reply = self.replies.get(operation, {})
            return reply(*args, **kwargs) if callable(reply) else reply

        return call

    def named(self, operation: str) -> list[dict[str, Any]]:
        return [kwargs for name, kwargs in self.calls if name == operation]


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "TEMP_BUCKET": "photoeditor-test-temp-123456789012",
        "FINAL_BUCKET": "photoeditor-test-final-123456789012",
        "JOBS_TABLE": "photoeditor-test-jobs",
        "BATCH_TABLE": "photoeditor-test-batch",
        "DEVICE_TOKENS_TABLE": "photoeditor-test-deviceTokens",
        "NOTIFICATIONS_TOPIC_ARN": "arn:aws:sns:eu-west-3:123456789012:photoeditor-test-notifications",
        "KMS_KEY_ARN": "arn:aws:kms:eu-west-3:123456789012:key/abc",
    }.items():
        monkeypatch.setenv(key, value)


def api_event(
    method: str, path: str, body: Any = None, params: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "version": "2.0",
        "rawPath": path,
        "requestContext": {"http": {"method": method, "path": path}},
        "pathParameters": params,
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


def test_presign_single_and_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    module = load("presign")
    dynamodb = Recorder()
    s3 = Recorder({"generate_presigned_url": lambda op, Params, ExpiresIn: f"https://signed/{Params['Key']}"})
    monkeypatch.setattr(module, "client", lambda service: {"dynamodb": dynamodb, "s3": s3}[service])

    single = module.handler(
        api_event(
            "POST",
            "/v1/upload/presign",
            {"fileName": "../cat 1.png", "contentType": "image/png", "userId": "u1"},
        )
    )
    assert single["statusCode"] == 201
    body = json.loads(single["body"])
    assert body["key"] == f"uploads/u1/{body['jobId']}/cat_1.png"
    assert body["uploadUrl"] == f"https://signed/{body['key']}"
    (job,) = dynamodb.named("put_item")
    assert job["TableName"] == "photoeditor-test-jobs" and job["Item"]["status"] == {"S": "QUEUED"}

    batch = module.handler(
        api_event(
            "POST",
            "/v1/upload/presign",
            {"userId": "u1", "files": [{"fileName": "a.jpg"}, {"fileName": "b.jpg"}]},
        )
    )
    assert batch["statusCode"] == 201
    assert len(json.loads(batch["body"])["jobs"]) == 2
    puts = dynamodb.named("put_item")
    assert [p["TableName"] for p in puts[1:]] == ["photoeditor-test-jobs"] * 2 + ["photoeditor-test-batch"]
    assert puts[-1]["Item"]["totalCount"] == {"N": "2"}

    refused = module.handler(
        api_event("POST", "/v1/upload/presign", {"fileName": "x.exe", "contentType": "x/y"})
    )
    assert refused["statusCode"] == 400


def test_worker_processes_s3_events_and_reports_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    module = load("worker")
    assert module.parse_upload_key("uploads/u1/j1/my+photo.png") == ("u1", "j1", "my photo.png")
    dynamodb = Recorder(
        {
            "update_item": {"Attributes": {"jobId": {"S": "j1"}, "batchJobId": {"S": "b1"}}},
            "query": {"Items": [{"userId": {"S": "u1"}, "deviceId": {"S": "d"}, "token": {"S": "tok"}}]},
        }
    )
    s3, sns = Recorder(), Recorder()
    monkeypatch.setattr(
        module, "client", lambda service: {"dynamodb": dynamodb, "s3": s3, "sns": sns}[service]
    )
    s3_event = {
        "Records": [
            {
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": "photoeditor-test-temp-123456789012"},
                    "object": {"key": "uploads/u1/j1/photo.png"},
                },
            }
        ]
    }
    event = {
        "Records": [
            {"messageId": "m1", "body": json.dumps(s3_event), "attributes": {"ApproximateReceiveCount": "1"}},
            {"messageId": "m2", "body": json.dumps({"Event": "s3:TestEvent"})},
            {"messageId": "m3", "body": "not json", "attributes": {"ApproximateReceiveCount": "1"}},
        ]
    }

    result = module.handler(event)

    assert result == {"batchItemFailures": [{"itemIdentifier": "m3"}]}
    (copy,) = s3.named("copy_object")
    assert copy["Bucket"] == "photoeditor-test-final-123456789012"
    assert copy["Key"] == "processed/u1/j1/photo.png"
    assert copy["ServerSideEncryption"] == "aws:kms"
    statuses = [u["ExpressionAttributeValues"].get(":s") for u in dynamodb.named("update_item")]
    assert statuses[:2] == [{"S": "PROCESSING"}, {"S": "COMPLETED"}]
    assert dynamodb.named("update_item")[2]["TableName"] == "photoeditor-test-batch"
    (published,) = sns.named("publish")
    assert json.loads(published["Message"])["deviceTokens"] == ["tok"]


def test_status_and_download_views(monkeypatch: pytest.MonkeyPatch) -> None:
    status = load("status")
    item = {
        "jobId": {"S": "j1"},
        "status": {"S": "COMPLETED"},
        "tempKey": {"S": "uploads/x"},
        "expiresAt": {"N": "9"},
        "createdAt": {"N": "5"},
    }
    monkeypatch.setattr(status, "client", lambda service: Recorder({"get_item": {"Item": item}}))
    reply = status.handler(api_event("GET", "/v1/jobs/j1", params={"jobId": "j1"}))
    assert reply["statusCode"] == 200
    assert json.loads(reply["body"]) == {
        "jobId": "j1",
        "status": "COMPLETED",
        "createdAt": 5,
        "downloadReady": True,
    }
    batch = status.batch_view(
        {"batchJobId": {"S": "b"}, "totalCount": {"N": "4"}, "completedCount": {"N": "1"}}
    )
    assert batch["progress"] == 25 and batch["status"] == "QUEUED"

    download = load("download")
    assert download.download_decision({"status": {"S": "PROCESSING"}})[0] == 409
    done = {"status": {"S": "COMPLETED"}, "finalKey": {"S": "processed/u1/j1/p.png"}}
    s3 = Recorder({"generate_presigned_url": lambda op, Params, ExpiresIn: f"https://signed/{Params['Key']}"})
    monkeypatch.setattr(
        download,
        "client",
        lambda service: {"dynamodb": Recorder({"get_item": {"Item": done}}), "s3": s3}[service],
    )
    reply = download.handler(api_event("GET", "/v1/jobs/j1/download", params={"jobId": "j1"}))
    assert reply["statusCode"] == 200
    assert json.loads(reply["body"])["downloadUrl"] == "https://signed/processed/u1/j1/p.png"
