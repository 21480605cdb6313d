"""Everything that serves a deployed stack locally: the runtime, its data plane, the HTTP APIs, test keys.

One :class:`LocalServing` per session and target: stacks are added with :meth:`serve_stack`, which makes
their functions runnable and serves each of their HTTP APIs on a loopback port. JWT authorizers verify
tokens against a local test key set that stands in for every issuer's keys (:mod:`.jwks`; Cognito's own
keys are not reachable offline); :meth:`token` mints a token an authorizer of an API accepts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pytest_infra_parity.errors import ConfigError, DeployError
from pytest_infra_parity.runtime.dataplane import DataPlane
from pytest_infra_parity.runtime.gateway import LocalHttpApi
from pytest_infra_parity.runtime.gateway_config import load_http_api
from pytest_infra_parity.runtime.jwks import LocalJwks
from pytest_infra_parity.runtime.lambda_runtime import LambdaRuntime
from pytest_infra_parity.runtime.standins import StandIns

__all__ = ["LocalServing"]


class LocalServing:
    """The local runtime, data plane and HTTP APIs of one target."""

    def __init__(self, clients: Callable[[str], Any], *, region: str, account_id: str, endpoint_url: str | None,
                 seed: int = 0, idle_seconds: float = 300.0, max_workers: int = 256, flush_seconds: float = 5.0
                 ) -> None:
        self.clients = clients
        self.region = region
        self.account_id = account_id
        self.runtime = LambdaRuntime(clients, region=region, endpoint_url=endpoint_url, seed=seed,
                                     idle_seconds=idle_seconds, max_workers=max_workers,
                                     flush_seconds=flush_seconds).start()
        self.data_plane = DataPlane(self.runtime).start()
        self.apis: dict[str, LocalHttpApi] = {}
        self.standins = StandIns()
        self._jwks: LocalJwks | None = None
        self._stacks: set[str] = set()

    @property
    def jwks(self) -> LocalJwks:
        if self._jwks is None:
            self._jwks = LocalJwks()
        return self._jwks

    def jwks_for(self, issuer: str) -> Mapping[str, Any]:
        """The key set the gateway trusts for ``issuer`` (the local test keys, for every issuer)."""
        return self.jwks.document

    def serve_stack(self, stack: Any) -> list[LocalHttpApi]:
        """Make the stack's functions runnable and serve its HTTP APIs (idempotent)."""
        if stack.name not in self._stacks:
            self.runtime.add_stack(stack)
            self._stacks.add(stack.name)
        served = []
        for res in stack.resources.values():
            if res.resource_type != "AWS::ApiGatewayV2::Api" or res.properties.get("ProtocolType") != "HTTP":
                continue
            if res.physical_id not in self.apis:
                config = load_http_api(self.clients, res.physical_id, self.region, self.account_id)
                self.apis[res.physical_id] = LocalHttpApi(config, self.runtime, self.jwks_for).start()
            served.append(self.apis[res.physical_id])
        return served

    def token(self, api: LocalHttpApi, subject: str = "user-1", **claims: Any) -> str:
        """A token the API's (first) JWT authorizer accepts, for ``subject``."""
        for definition in api.config.authorizers.values():
            jwt = definition.get("JwtConfiguration") or {}
            if definition.get("AuthorizerType") == "JWT" and jwt.get("Issuer"):
                audiences = list(jwt.get("Audience") or ["audience"])
                return self.jwks.token(str(jwt["Issuer"]), str(audiences[0]), subject, **claims)
        raise DeployError(f"API {api.config.api_id} has no JWT authorizer to mint a token for")

    def use_standins(self, stack: Any, names: list[str]) -> dict[str, dict[str, str]]:
        """Start the named stand-ins and point the stack's functions at them; the overrides by function."""
        kinds = [self.standins.kind(n) for n in names]
        overrides = {k: dict(v) for k, v in self.runtime.env_overrides.items()}
        lam = self.clients("lambda")
        for kind in kinds:
            self.standins.start(kind)
        for res in stack.resources.values():
            if res.resource_type != "AWS::Lambda::Function":
                continue
            got = lam.get_function_configuration(FunctionName=res.physical_id)
            env = {str(k): str(v) for k, v in ((got.get("Environment") or {}).get("Variables") or {}).items()}
            for kind in kinds:
                changed = self.standins.overrides(kind, env)
                if changed:
                    overrides.setdefault(res.physical_id, {}).update(changed)
        self.runtime.set_env_overrides(overrides)
        return overrides

    def stop_standin(self, dependency: str) -> bool:
        """Take the stand-in of ``dependency`` down, if it runs (False otherwise)."""
        try:
            kind = self.standins.kind(dependency)
        except ConfigError:
            return False
        return self.standins.stop(kind)

    def restart_standins(self) -> None:
        self.standins.restart()

    def close(self) -> None:
        self.standins.close()
        for api in self.apis.values():
            api.close()
        self.data_plane.close()
        self.runtime.close()
