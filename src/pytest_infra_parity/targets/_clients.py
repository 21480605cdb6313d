"""A boto3 client cache shared by the targets."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any


class ClientCache:
    """Creates boto3 clients once per (service, region), thread-safely (boto3 sessions are not)."""

    def __init__(
        self,
        *,
        endpoint_url: str | None,
        default_region: str,
        profile: str | None = None,
        credentials: tuple[str, str] | None = None,
        endpoint_for: Any = None,
        headers: dict[str, str] | None = None,
        max_attempts: int = 5,
    ) -> None:
        self._endpoint_url = endpoint_url
        self._endpoint_for = endpoint_for
        self._headers = dict(headers or {})
        self._max_attempts = max_attempts
        self._region = default_region
        self._profile = profile
        self._credentials = credentials
        self._lock = threading.Lock()
        self._session: Any = None
        self._clients: dict[tuple[str, str], Any] = {}

    @property
    def session(self) -> Any:
        import boto3

        with self._lock:
            if self._session is None:
                kwargs: dict[str, Any] = {"region_name": self._region}
                if self._profile:
                    kwargs["profile_name"] = self._profile
                if self._credentials:
                    kwargs["aws_access_key_id"], kwargs["aws_secret_access_key"] = self._credentials
                self._session = boto3.session.Session(**kwargs)
            return self._session

    def client(self, service: str, region: str | None = None) -> Any:
        from botocore.config import Config

        key = (service, region or self._region)
        session = self.session
        with self._lock:
            if key not in self._clients:
                endpoint = self._endpoint_for(service) if self._endpoint_for else self._endpoint_url
                config = Config(
                    retries={"mode": "adaptive", "max_attempts": self._max_attempts},
                    s3={"addressing_style": "path"} if endpoint else {},
                    connect_timeout=5,
                    read_timeout=60,
                    max_pool_connections=32,
                )
                client = session.client(service, region_name=key[1], endpoint_url=endpoint, config=config)
                if self._headers:
                    client.meta.events.register("before-sign", self._add_headers)
                self._clients[key] = client
            return self._clients[key]

    def _add_headers(self, request: Any, **kwargs: Any) -> None:
        for name, value in self._headers.items():
            request.headers[name] = value


class RoutedClients:
    """Clients of a target whose services are served in different places (LocalStack + a fallback).

    ``route(service)`` names the side (raising when nothing serves it), ``sources[side](service, region)``
    makes the client there, and ``attach(side, service, client)`` is called once per new client (the
    cross-service mirroring hooks).
    """

    def __init__(self, route: Callable[[str], str], sources: Mapping[str, Callable[[str, str | None], Any]],
                 attach: Callable[[str, str, Any], None] | None = None) -> None:
        self._route = route
        self._sources = dict(sources)
        self._attach = attach
        self._lock = threading.Lock()
        self._attached: set[int] = set()

    def where(self, service: str) -> str:
        return self._route(service)

    def client_on(self, where: str, service: str, region: str | None = None) -> Any:
        client = self._sources[where](service, region)
        with self._lock:  # hooks are registered once, before any thread gets the client back
            if id(client) not in self._attached:
                self._attached.add(id(client))
                if self._attach is not None:
                    self._attach(where, service, client)
        return client

    def client(self, service: str, region: str | None = None) -> Any:
        return self.client_on(self._route(service), service, region)
