"""Dashborion refresh: snapshot the ECS services into the cache table (scheduled by EventBridge)."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import boto3

_CLIENTS: dict[str, Any] = {}


def client(service: str) -> Any:
    """A boto3 client, created once per container."""
    if service not in _CLIENTS:
        _CLIENTS[service] = boto3.client(service)
    return _CLIENTS[service]


def summarize_services(cluster_arn: str, services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reduce DescribeServices output to what the dashboard shows (pure)."""
    summary = []
    for svc in services:
        desired = int(svc.get("desiredCount", 0))
        running = int(svc.get("runningCount", 0))
        summary.append(
            {
                "cluster": cluster_arn.rsplit("/", 1)[-1],
                "service": svc.get("serviceName"),
                "status": svc.get("status"),
                "desired": desired,
                "running": running,
                "pending": int(svc.get("pendingCount", 0)),
                "healthy": svc.get("status") == "ACTIVE" and running >= desired,
            }
        )
    return sorted(summary, key=lambda s: (s["cluster"], s["service"] or ""))


def _collect() -> list[dict[str, Any]]:
    ecs = client("ecs")
    rows: list[dict[str, Any]] = []
    for cluster_arn in ecs.list_clusters().get("clusterArns", []):
        arns = ecs.list_services(cluster=cluster_arn).get("serviceArns", [])
        for start in range(0, len(arns), 10):  # DescribeServices takes at most 10 services
            described = ecs.describe_services(cluster=cluster_arn, services=arns[start : start + 10])
            rows.extend(summarize_services(cluster_arn, described.get("services", [])))
    return rows


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Lambda entry point for the scheduled EventBridge rule."""
    now = int(time.time())
    rows = _collect()
    ttl = int(os.environ.get("SNAPSHOT_TTL_SECONDS", "3600"))
    client("dynamodb").put_item(
        TableName=os.environ["CACHE_TABLE"],
        Item={
            "pk": {"S": "snapshot#ecs"},
            "sk": {"S": "latest"},
            "takenAt": {"N": str(now)},
            "expiresAt": {"N": str(now + ttl)},
            "payload": {"S": json.dumps(rows)},
        },
    )
    print(json.dumps({"message": "snapshot stored", "services": len(rows)}))
    return {"services": len(rows), "takenAt": now}
