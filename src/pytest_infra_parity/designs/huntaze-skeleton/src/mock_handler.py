"""Control function (MockReadFn, behind the `live` alias): AppConfig flag, Prisma canary, shadow traffic.

With prismaAdapter enabled the request goes to the candidate function. Otherwise the mock
answers, and the same request is teed to the candidate in a background thread; its answer is
compared with the control answer and logged as ``[SHADOW-OK]`` or ``[SHADOW-DIFF]``. Lambda
freezes the container once the handler returns, so the tee is awaited at most SHADOW_TIMEOUT_MS
(the seed's 500 ms) and never delays the response longer than that.
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

import boto3
import user_service

_CLIENTS: dict[str, Any] = {}
_flags: dict[str, Any] = {"token": None, "next_poll": 0.0, "value": {}}


def client(service: str) -> Any:
    """A boto3 client, created once per container."""
    if service not in _CLIENTS:
        _CLIENTS[service] = boto3.client(service)
    return _CLIENTS[service]


def canonical(value: Any) -> str:
    """A key-order independent JSON rendering (pure)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def compare_results(control: Any, candidate_payload: Any) -> tuple[bool, str, str]:
    """(same, control, candidate) with the candidate's API body unwrapped, as the seed compares (pure)."""
    candidate = candidate_payload
    if isinstance(candidate, dict) and "body" in candidate:
        body = candidate["body"]
        candidate = json.loads(body) if isinstance(body, str) and body else body
    control_str, candidate_str = canonical(control), canonical(candidate)
    return control_str == candidate_str, control_str, candidate_str


def user_id_of(event: dict[str, Any]) -> str | None:
    """The caller: the authorizer's userId (as the seed reads it), else the JWT subject, else a parameter."""
    context = event.get("requestContext") or {}
    authorizer = context.get("authorizer") or {}
    for candidate in (
        authorizer.get("userId"),
        (authorizer.get("lambda") or {}).get("userId"),
        ((authorizer.get("jwt") or {}).get("claims") or {}).get("sub"),
        (event.get("pathParameters") or {}).get("userId"),
        (event.get("queryStringParameters") or {}).get("userId"),
        event.get("userId"),
    ):
        if candidate:
            return str(candidate)
    return None


def get_feature_flags() -> dict[str, Any]:
    """The evaluated flags from AppConfig, polled no faster than AppConfig allows, cached in between."""
    now = time.monotonic()
    if now < _flags["next_poll"]:
        return dict(_flags["value"])
    appconfig = client("appconfigdata")
    if not _flags["token"]:
        session = appconfig.start_configuration_session(
            ApplicationIdentifier=os.environ["APP_ID"],
            EnvironmentIdentifier=os.environ["ENV_ID"],
            ConfigurationProfileIdentifier=os.environ["FEATURES_PROFILE_ID"],
        )
        _flags["token"] = session["InitialConfigurationToken"]
    latest = appconfig.get_latest_configuration(ConfigurationToken=_flags["token"])
    _flags["token"] = latest["NextPollConfigurationToken"]
    _flags["next_poll"] = now + float(latest.get("NextPollIntervalInSeconds", 60))
    body = latest.get("Configuration")
    content = body.read() if hasattr(body, "read") else (body or b"")
    if content:  # an empty body means "unchanged since the last poll": keep the cached flags
        _flags["value"] = json.loads(content)
    return dict(_flags["value"])


def invoke_candidate(event: dict[str, Any]) -> Any:
    """Invoke the Prisma function synchronously and return its decoded payload."""
    reply = client("lambda").invoke(
        FunctionName=os.environ["CANDIDATE_FN_ARN"],
        InvocationType="RequestResponse",
        Payload=json.dumps(event).encode(),
    )
    payload = json.loads(reply["Payload"].read() or b"null")
    if reply.get("FunctionError"):
        raise RuntimeError(f"candidate failed: {payload}")
    return payload


def start_shadow(event: dict[str, Any]) -> tuple[threading.Thread, dict[str, Any]]:
    """Tee the request to the candidate in a background thread."""
    holder: dict[str, Any] = {}

    def run() -> None:
        try:
            holder["payload"] = invoke_candidate(event)
        except Exception as exc:  # reported as [SHADOW-FAILED]; the control answer is unaffected
            holder["error"] = str(exc)

    thread = threading.Thread(target=run, name="shadow-tee", daemon=True)
    thread.start()
    return thread, holder


def finish_shadow(thread: threading.Thread, holder: dict[str, Any], control: Any, user_id: str | None) -> str:
    """Wait for the tee within the budget, compare, log; returns the log tag written."""
    thread.join(timeout=float(os.environ.get("SHADOW_TIMEOUT_MS", "500")) / 1000)
    if thread.is_alive():
        print("[SHADOW] Timeout after", os.environ.get("SHADOW_TIMEOUT_MS", "500"), "ms")
        return "[SHADOW-TIMEOUT]"
    if "error" in holder:
        print("[SHADOW-FAILED]", json.dumps({"userId": user_id, "error": holder["error"]}))
        return "[SHADOW-FAILED]"
    same, control_str, candidate_str = compare_results(control, holder.get("payload"))
    if same:
        print("[SHADOW-OK]", json.dumps({"userId": user_id}))
        return "[SHADOW-OK]"
    diff = {"userId": user_id, "control": control_str, "candidate": candidate_str}
    print("[SHADOW-DIFF]", json.dumps(diff))
    return "[SHADOW-DIFF]"


def handler(event: dict[str, Any], context: Any = None) -> Any:
    """Lambda entry point (invoked through the `live` alias)."""
    user_id = user_id_of(event)
    try:
        flags = get_feature_flags()
        if (flags.get("prismaAdapter") or {}).get("enabled") is True:
            print("[CANARY] Using Prisma for userId:", user_id)
            return invoke_candidate(event)
        thread, holder = start_shadow(event)
        control = user_service.get_user_by_id(user_id)
        finish_shadow(thread, holder, control, user_id)
        return {"statusCode": 200, "body": json.dumps(control)}
    except Exception as exc:
        print("[ERROR]", repr(exc))
        raise
