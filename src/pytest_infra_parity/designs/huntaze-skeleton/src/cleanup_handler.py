"""Cleanup function (weekly EventBridge rule, "J+7"): retire the prismaAdapter flag's configuration.

The seed's handler is a placeholder ("disable flag or delete configuration"). Within the IAM policy
the seed grants (UpdateConfigurationProfile, DeleteHostedConfigurationVersion), this records the
cleanup on the configuration profile and deletes the hosted versions the event names. Turning the
flag off for good would need CreateHostedConfigurationVersion and StartDeployment, which the seed's
policy does not grant.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

import boto3

_CLIENTS: dict[str, Any] = {}


def client(service: str) -> Any:
    """A boto3 client, created once per container."""
    if service not in _CLIENTS:
        _CLIENTS[service] = boto3.client(service)
    return _CLIENTS[service]


def plan_cleanup(event: dict[str, Any], now: datetime) -> dict[str, Any]:
    """What to do: the profile description to write and the hosted versions to delete (pure)."""
    versions = event.get("deleteVersions") or []
    if not isinstance(versions, list) or not all(isinstance(v, int) and v > 0 for v in versions):
        raise ValueError("deleteVersions must be a list of positive version numbers")
    return {
        "description": f"prismaAdapter cleanup run {now.strftime('%Y-%m-%dT%H:%M:%SZ')} (J+7)",
        "deleteVersions": sorted(set(versions)),
    }


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Lambda entry point."""
    print("[CLEANUP] Disabling prismaAdapter flag after 7 days")
    plan = plan_cleanup(event or {}, datetime.now(UTC))
    appconfig = client("appconfig")
    app_id, profile_id = os.environ["APP_ID"], os.environ["FEATURES_PROFILE_ID"]
    appconfig.update_configuration_profile(
        ApplicationId=app_id, ConfigurationProfileId=profile_id, Description=plan["description"]
    )
    for version in plan["deleteVersions"]:
        appconfig.delete_hosted_configuration_version(
            ApplicationId=app_id, ConfigurationProfileId=profile_id, VersionNumber=version
        )
    return {
        "statusCode": 200,
        "body": json.dumps({"message": "Flag cleanup completed", **plan}),
    }
