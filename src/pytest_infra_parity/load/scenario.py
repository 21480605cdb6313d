"""The load state of one scenario: served stack, faults, Locust runs, and what goes in the report."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_infra_parity.chaos.faults import FaultPlan, dependency_env
from pytest_infra_parity.errors import ConfigError, DeployError
from pytest_infra_parity.load.locust_run import LocustRun, LocustSpec
from pytest_infra_parity.load.results import LoadError, LoadResults

if TYPE_CHECKING:
    from pytest_infra_parity.deploy.stack import Stack
    from pytest_infra_parity.runtime.gateway import LocalHttpApi
    from pytest_infra_parity.runtime.metrics import InvocationRecord
    from pytest_infra_parity.runtime.served import LocalServing
    from pytest_infra_parity.targets.protocol import Target

__all__ = ["FaultsHandle", "LoadScenario", "ServedApi", "find_locustfile"]


def find_locustfile(name: str, rootpath: Path, feature_dir: Path | None = None) -> Path:
    """A locustfile by path (absolute, or relative to the feature, the root, or the root's ``loadtests``)."""
    candidates = [Path(name)] if Path(name).is_absolute() else [
        *([feature_dir / name] if feature_dir else []), rootpath / name, rootpath / "loadtests" / name]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    raise LoadError(f"no locustfile {name!r} (looked at {', '.join(str(c) for c in candidates)})")


@dataclass
class ServedApi:
    """An HTTP API as a test reaches it: ``url`` (here), ``public_url`` (what API Gateway gives)."""

    url: str
    public_url: str
    api: LocalHttpApi | None
    serving: LocalServing | None

    def token(self, subject: str = "user-1", **claims: Any) -> str:
        if self.api is None or self.serving is None:
            raise DeployError("tokens are minted for the local gateway only (real Cognito keys sign them on AWS)")
        return self.serving.token(self.api, subject, **claims)

    def describe(self) -> str:
        return f"HTTP API {self.public_url} served at {self.url}" if self.api else f"HTTP API {self.url}"


class FaultsHandle:
    """The scenario's faults; function references are logical ids of the stack or function names."""

    def __init__(self, scenario: LoadScenario) -> None:
        self._scenario = scenario
        runtime = scenario.runtime
        self.plan = runtime.faults if runtime is not None else FaultPlan(scenario.seed)
        self.plan.seed = scenario.seed
        self.unavailable_dependencies: list[str] = []

    def set(self, function: str | None = None, version: str | None = None, **changes: Any) -> None:
        name = self._scenario.function_name(function) if function else None
        self.plan.set(name, version, **changes)

    def unavailable(self, dependency: str, function: str | None = None) -> dict[str, dict[str, str]]:
        """Point ``dependency`` at a closed port for one function, or for every function that uses it."""
        names = [self._scenario.function_name(function)] if function else self._scenario.function_names()
        port = self.plan.closed_port()
        applied: dict[str, dict[str, str]] = {}
        for name in names:
            env = self._scenario.function_env(name)
            try:
                applied[name] = dependency_env(dependency, env, port)
            except ConfigError:
                continue
            self.plan.set(name, None, env=applied[name])
        if not applied:
            raise ConfigError(f"no function of the stack has an environment variable locating {dependency!r}")
        self.unavailable_dependencies.append(dependency)
        self._scenario.stop_standin(dependency)
        return applied

    def apply(self) -> None:
        """On a target running Lambda itself, write ``INFRA_PARITY_FAULTS`` into each faulted function."""
        if self._scenario.runtime is not None:
            return
        lam = self._scenario.target.client("lambda")
        for key in self.plan.specs:
            name = key.split(":")[0]
            if name == "*":
                continue
            env = self._scenario.function_env(name)
            env["INFRA_PARITY_FAULTS"] = self.plan.to_env()
            lam.update_function_configuration(FunctionName=name, Environment={"Variables": env})

    def clear(self) -> None:
        self.plan.clear()


class LoadScenario:
    """Everything a load scenario touches; :meth:`finish` puts the shared runtime back as it was."""

    def __init__(self, request: pytest.FixtureRequest, serving: LocalServing | None, target: Target,
                 seed: int) -> None:
        self.request = request
        self.serving = serving
        self.target = target
        self.seed = seed
        self.runtime = serving.runtime if serving is not None else None
        self.results: list[LoadResults] = []
        self.notes: list[str] = []
        self.records: list[InvocationRecord] = []
        self._runs: list[LocustRun] = []
        self._overrides = dict(self.runtime.env_overrides) if self.runtime else {}
        if self.runtime is not None:
            self.runtime.faults.clear()
            self.runtime.add_listener(self.records.append)
        self.faults = FaultsHandle(self)
        self._gateway: ServedApi | None = None
        self.invoke_target: tuple[str, str | None] | None = None
        """``(function, qualifier)`` a Lambda Invoke profile calls, when the stack has no HTTP API."""
        self.on_finish: list[Callable[[], None]] = []

    # ---- the stack -----------------------------------------------------------------------------

    def stack(self) -> Stack:
        from pytest_infra_parity.fixtures.load import stack_of

        stack = stack_of(self.request)
        if self.serving is not None:
            self.serving.serve_stack(stack)
        return stack

    def function_names(self) -> list[str]:
        return sorted(r.physical_id for r in self.stack().resources.values()
                      if r.resource_type == "AWS::Lambda::Function")

    def function_name(self, ref: str) -> str:
        """The function name of a logical id of the stack (or a name, returned as is)."""
        resources = self.stack().resources
        if ref in resources and resources[ref].resource_type == "AWS::Lambda::Function":
            return resources[ref].physical_id
        if ref in self.function_names():
            return ref
        known = ", ".join(sorted(lid for lid, r in resources.items() if r.resource_type == "AWS::Lambda::Function"))
        raise ConfigError(f"no function {ref!r} in stack {self.stack().name} (functions: {known})")

    def function_env(self, name: str) -> dict[str, str]:
        got = self.target.client("lambda").get_function_configuration(FunctionName=name)
        env = {str(k): str(v) for k, v in ((got.get("Environment") or {}).get("Variables") or {}).items()}
        if self.runtime is not None:
            env.update(self.runtime.env_overrides.get(name, {}))
        return env

    def gateway(self) -> ServedApi:
        if self._gateway is not None:
            return self._gateway
        stack = self.stack()
        if self.serving is not None:
            apis = self.serving.serve_stack(stack)
            if not apis:
                raise DeployError(f"stack {stack.name} has no HTTP API to serve")
            served = ServedApi(apis[0].url, apis[0].public_url, apis[0], self.serving)
        else:
            endpoint = next((r.attributes.get("ApiEndpoint") for r in stack.resources.values()
                             if r.resource_type == "AWS::ApiGatewayV2::Api"), None)
            if not endpoint:
                raise DeployError(f"stack {stack.name} has no HTTP API")
            served = ServedApi(str(endpoint), str(endpoint), None, None)
        self.notes.append(served.describe())
        self._gateway = served
        return served

    def stop_standin(self, dependency: str) -> None:
        if self.serving is not None:
            self.serving.stop_standin(dependency)

    # ---- Locust --------------------------------------------------------------------------------

    def _profile_env(self, host: str) -> dict[str, str]:
        env = {"INFRA_PARITY_HOST": host, "INFRA_PARITY_SEED": str(self.seed)}
        served = self._gateway
        if served is not None and served.api is not None and served.api.config.authorizers:
            env["INFRA_PARITY_TOKENS"] = json.dumps([served.token(f"user-{i}") for i in range(1, 21)])
        return env

    def _spec(self, locustfile: str, users: int, seconds: float, host: str | None, env: dict[str, str] | None,
              workers: int) -> LocustSpec:
        feature = getattr(self.request.node, "path", None)
        path = find_locustfile(locustfile, Path(str(self.request.config.rootpath)),
                               Path(feature).parent if feature else None)
        chosen = host or self.gateway().url
        return LocustSpec(path, chosen, users, seconds, workers=workers,
                          env={**self._profile_env(chosen), **(env or {})})

    def run_locust(self, locustfile: str, users: int, seconds: float, *, host: str | None = None,
                   env: dict[str, str] | None = None, workers: int = 0) -> LoadResults:
        run = LocustRun(self._spec(locustfile, users, seconds, host, env, workers))
        self._runs.append(run)
        results = run.run()
        self.results.append(results)
        return results

    def start_locust(self, locustfile: str, users: int, seconds: float, *, host: str | None = None,
                     env: dict[str, str] | None = None) -> LocustRun:
        run = LocustRun(self._spec(locustfile, users, seconds, host, env, 0)).start()
        self._runs.append(run)
        return run

    def keep(self, results: LoadResults) -> None:
        self.results.append(results)

    # ---- end and report ------------------------------------------------------------------------

    def has_http_api(self) -> bool:
        return any(r.resource_type == "AWS::ApiGatewayV2::Api" for r in self.stack().resources.values())

    def invoke_host(self) -> tuple[str, dict[str, str]]:
        """The Invoke API to load (the local data plane) and the profile's variables for the target function."""
        if self.serving is None or self.serving.runtime.data_plane_url is None:
            raise DeployError("the Lambda Invoke profile runs against the local runtime only")
        if self.invoke_target is None:
            raise ConfigError('no function to invoke: write Given the load invokes the function "<function>" '
                              'through "<alias>"')
        name, qualifier = self.invoke_target
        return self.serving.runtime.data_plane_url, {"INFRA_PARITY_FUNCTION": name,
                                                     "INFRA_PARITY_QUALIFIER": qualifier or ""}

    def finish(self) -> None:
        for action in reversed(self.on_finish):
            action()
        for run in self._runs:
            run.close()
        if self.runtime is not None:
            self.runtime.remove_listener(self.records.append)
            self.runtime.faults.clear()
            self.runtime.env_overrides.clear()
            self.runtime.env_overrides.update(self._overrides)
        if self.serving is not None:
            self.serving.restart_standins()

    def cold_starts(self) -> list[InvocationRecord]:
        return [r for r in self.records if r.cold]

    def report(self) -> str:
        lines = list(self.notes)
        lines += [r.describe() for r in self.results]
        colds = self.cold_starts()
        if colds:
            worst = max(r.cold_wait_ms for r in colds)
            lines.append(f"cold starts: {len(colds)} (longest wait {worst:.0f} ms) over {len(self.records)} "
                         "invocations")
        return "\n".join(lines)
