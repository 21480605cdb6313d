"""OpenSearch over HTTPS with IAM (SigV4) authentication; callers fall back to PostgreSQL on failure."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest


class SearchUnavailable(Exception):
    """OpenSearch could not answer (not configured, unreachable, or an error status)."""


def query_body(user_id: str, text: str, size: int = 20) -> dict[str, Any]:
    """An OpenSearch query for the user's documents matching the text (pure)."""
    return {
        "size": size,
        "query": {
            "bool": {
                "filter": [{"term": {"userId": user_id}}],
                "must": [{"multi_match": {"query": text, "fields": ["title^2", "description", "tags"]}}],
            }
        },
    }


def request(method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """A signed request to the domain; raises SearchUnavailable on any failure."""
    endpoint = os.environ.get("OPENSEARCH_ENDPOINT")
    if not endpoint:
        raise SearchUnavailable("OPENSEARCH_ENDPOINT not set")
    url = f"https://{endpoint}{path}"
    data = json.dumps(body).encode() if body is not None else None
    aws_request = AWSRequest(method=method, url=url, data=data, headers={"content-type": "application/json"})
    session = boto3.session.Session()
    credentials = session.get_credentials()
    if credentials is None:
        raise SearchUnavailable("no AWS credentials to sign with")
    SigV4Auth(credentials, "es", session.region_name or os.environ.get("AWS_REGION", "us-east-1")).add_auth(
        aws_request
    )
    prepared = urllib.request.Request(
        url, data=data, method=method, headers=dict(aws_request.headers.items())
    )
    timeout = float(os.environ.get("OPENSEARCH_TIMEOUT_SECONDS", "2"))
    try:
        with urllib.request.urlopen(prepared, timeout=timeout) as reply:
            return dict(json.loads(reply.read() or b"{}"))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise SearchUnavailable(str(exc)) from exc


def index_document(index: str, doc_id: str, document: dict[str, Any]) -> bool:
    """Index a document; False (logged) when OpenSearch is unavailable."""
    try:
        request("PUT", f"/{index}/_doc/{doc_id}", document)
        return True
    except SearchUnavailable as exc:
        print(json.dumps({"level": "warn", "message": "indexing skipped", "index": index, "error": str(exc)}))
        return False


def search_ids(index: str, user_id: str, text: str) -> list[str]:
    """Ids of the matching documents; raises SearchUnavailable so the caller can fall back."""
    result = request("POST", f"/{index}/_search", query_body(user_id, text))
    return [hit["_id"] for hit in result.get("hits", {}).get("hits", [])]
