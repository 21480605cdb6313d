"""An HTTP API as the target holds it: routes, integrations, authorizers, stage; and route selection.

Route selection follows "Working with routes for HTTP APIs" (API Gateway developer guide): a route key
is ``METHOD /path`` (``ANY`` matches every method) or ``$default``; ``{name}`` matches one path segment,
a greedy ``{name+}`` (last segment only) matches the rest of the path; when several routes match, the
most specific wins (full match over path variables over a greedy variable, then a specific method over
``ANY``); with no match the ``$default`` route, else 404 ``{"message":"Not Found"}``. Matching is case
sensitive. A named stage is the first path segment of the URL; the ``$default`` stage has none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.errors import DeployError

__all__ = ["HttpApiConfig", "Integration", "Route", "StageConfig", "load_http_api", "match_route"]

Clients = Callable[[str], Any]


@dataclass(frozen=True)
class Integration:
    integration_id: str
    function: str
    """The Lambda function, as a (possibly qualified) ARN or name."""
    payload_format: str
    timeout_ms: int = 30000


@dataclass(frozen=True)
class Route:
    route_key: str
    integration_id: str | None
    authorization: str = "NONE"
    authorizer_id: str | None = None
    scopes: tuple[str, ...] = ()

    @property
    def method(self) -> str:
        return "*" if self.route_key == "$default" else self.route_key.split(" ", 1)[0]

    @property
    def path(self) -> str:
        return "" if self.route_key == "$default" else self.route_key.split(" ", 1)[1]


@dataclass(frozen=True)
class StageConfig:
    name: str
    variables: dict[str, str] = field(default_factory=dict)
    burst: int | None = None
    rate: float | None = None
    route_limits: dict[str, tuple[int | None, float | None]] = field(default_factory=dict)
    detailed_metrics: bool = False


@dataclass(frozen=True)
class HttpApiConfig:
    api_id: str
    name: str
    region: str
    account_id: str
    routes: tuple[Route, ...]
    integrations: dict[str, Integration]
    authorizers: dict[str, dict[str, Any]]
    stage: StageConfig
    cors: dict[str, Any] = field(default_factory=dict)

    @property
    def domain(self) -> str:
        return f"{self.api_id}.execute-api.{self.region}.amazonaws.com"

    @property
    def public_url(self) -> str:
        """The URL API Gateway gives the stage (``https://<id>.execute-api.<region>.amazonaws.com[/stage]``)."""
        suffix = "" if self.stage.name == "$default" else f"/{self.stage.name}"
        return f"https://{self.domain}{suffix}"


def _function_of(uri: str) -> str:
    found = re.search(r"functions/(arn:[^/]+)/invocations", uri)
    return found.group(1) if found else uri


def _limits(settings: dict[str, Any] | None) -> tuple[int | None, float | None]:
    settings = settings or {}
    burst, rate = settings.get("ThrottlingBurstLimit"), settings.get("ThrottlingRateLimit")
    return (None if burst is None else int(burst)), (None if rate is None else float(rate))


def _stage(api: Any, api_id: str, wanted: str | None) -> StageConfig:
    stages = api.get_stages(ApiId=api_id).get("Items") or []
    chosen = next((s for s in stages if s["StageName"] == wanted), None) if wanted else None
    chosen = chosen or next((s for s in stages if s["StageName"] == "$default"), None) or (stages[0] if stages
                                                                                          else None)
    if chosen is None:
        return StageConfig("$default")
    burst, rate = _limits(chosen.get("DefaultRouteSettings"))
    routes = {key: _limits(value) for key, value in (chosen.get("RouteSettings") or {}).items()}
    detailed = bool((chosen.get("DefaultRouteSettings") or {}).get("DetailedMetricsEnabled"))
    return StageConfig(str(chosen["StageName"]), dict(chosen.get("StageVariables") or {}), burst, rate, routes,
                       detailed)


def load_http_api(clients: Clients, api_id: str, region: str, account_id: str, stage: str | None = None
                  ) -> HttpApiConfig:
    """Read an HTTP API (``ProtocolType: HTTP``) and its stage from the target."""
    api = clients("apigatewayv2")
    got = api.get_api(ApiId=api_id)
    if got.get("ProtocolType") != "HTTP":
        raise DeployError(f"API {api_id} is a {got.get('ProtocolType')} API; the local gateway serves HTTP APIs")
    integrations = {}
    for item in api.get_integrations(ApiId=api_id).get("Items") or []:
        integrations[str(item["IntegrationId"])] = Integration(
            str(item["IntegrationId"]), _function_of(str(item.get("IntegrationUri") or "")),
            str(item.get("PayloadFormatVersion") or "2.0"), int(item.get("TimeoutInMillis") or 30000))
    routes = []
    for item in api.get_routes(ApiId=api_id).get("Items") or []:
        target = str(item.get("Target") or "")
        routes.append(Route(str(item["RouteKey"]), target.split("/", 1)[1] if target.startswith("integrations/")
                            else None, str(item.get("AuthorizationType") or "NONE"), item.get("AuthorizerId"),
                            tuple(item.get("AuthorizationScopes") or ())))
    # moto: GetAuthorizers (the list) answers 500; each authorizer a route names is read with GetAuthorizer.
    authorizers = {str(r.authorizer_id): api.get_authorizer(ApiId=api_id, AuthorizerId=str(r.authorizer_id))
                   for r in routes if r.authorizer_id}
    return HttpApiConfig(api_id, str(got.get("Name") or api_id), region, account_id, tuple(routes), integrations,
                         authorizers, _stage(api, api_id, stage), dict(got.get("CorsConfiguration") or {}))


def _segments_match(pattern: str, path: str) -> tuple[dict[str, str], int, bool] | None:
    want, have = pattern.strip("/").split("/"), path.strip("/").split("/")
    params: dict[str, str] = {}
    variables = 0
    for index, part in enumerate(want):
        greedy = re.fullmatch(r"\{(\w+)\+\}", part)
        if greedy and index == len(want) - 1:
            rest = "/".join(have[index:])
            if not rest:
                return None
            params[greedy.group(1)] = rest
            return params, variables + 1, True
        if index >= len(have):
            return None
        variable = re.fullmatch(r"\{(\w+)\}", part)
        if variable:
            if not have[index]:
                return None
            params[variable.group(1)] = have[index]
            variables += 1
        elif part != have[index]:
            return None
    return (params, variables, False) if len(want) == len(have) else None


def match_route(routes: tuple[Route, ...], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route for ``method path`` and its path parameters, or None (404)."""
    best: tuple[tuple[int, int, int], Route, dict[str, str]] | None = None
    for route in routes:
        if route.route_key == "$default" or route.method not in (method, "ANY"):
            continue
        found = _segments_match(route.path, path)
        if found is None:
            continue
        params, variables, greedy = found
        rank = (int(greedy), variables, int(route.method == "ANY"))
        if best is None or rank < best[0]:
            best = (rank, route, params)
    if best is not None:
        return best[1], best[2]
    default = next((r for r in routes if r.route_key == "$default"), None)
    return (default, {}) if default is not None else None
