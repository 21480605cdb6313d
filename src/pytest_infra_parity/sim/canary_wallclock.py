"""Rollouts on a target whose CodeDeploy really runs (AWS): create the deployment, poll it on the wall clock.

The rollout does what a stack update of the SAM template does: it publishes a version (after a
configuration change), updates the alarms the template derives from the version, and creates a
CodeDeploy deployment with an AppSpec (``version: 0.0``, one ``AWS::Lambda::Function`` resource with
Name, Alias, CurrentVersion and TargetVersion: "AppSpec 'resources' section (Lambda)", CodeDeploy user
guide). It then polls ``get_deployment`` every ``poll_seconds`` until the status is final (Succeeded,
Failed, Stopped) or the bounded wait (the configuration's duration plus ``margin_seconds``, or
``timeout_seconds``) ends, which is a :class:`TargetError` naming the deployment and its last status.

What a canary's requests do is up to the real code and real traffic: the rollout sets
``INFRA_PARITY_FAILURE_PERCENT`` in the new version's environment for handlers that honour it, and
generates no load itself (real load is the load room's job). moto accepts ``create_deployment`` but
never progresses it, so there the bounded wait ends with that message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.errors import TargetError
from pytest_infra_parity.sim.canary_binding import CanaryBinding
from pytest_infra_parity.sim.canary_target import CanaryTarget
from pytest_infra_parity.sim.codedeploy import resolve_config

__all__ = ["FINAL", "WallClockCanary", "WallClockOutcome", "appspec"]

FINAL = ("Succeeded", "Failed", "Stopped")
FAILURE_ENV = "INFRA_PARITY_FAILURE_PERCENT"


def appspec(function: str, alias: str, current: str, target: str) -> str:
    """The AppSpec content of a Lambda deployment of ``function:alias`` from ``current`` to ``target``."""
    return json.dumps({"version": 0.0, "Resources": [{function: {"Type": "AWS::Lambda::Function", "Properties": {
        "Name": function, "Alias": alias, "CurrentVersion": current, "TargetVersion": target}}}]})


@dataclass
class WallClockOutcome:
    """A real deployment's outcome, as polled."""

    deployment_id: str
    status: str
    started: float
    ended: float
    info: dict[str, Any]
    polls: list[tuple[float, str]] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.status == "Succeeded"

    @property
    def rollback_after(self) -> float | None:
        rollback = (self.info.get("rollbackInfo") or {}).get("rollbackDeploymentId")
        return self.ended - self.started if rollback and self.status in ("Stopped", "Failed") else None

    def describe(self) -> str:
        lines = [f"CodeDeploy deployment {self.deployment_id} (wall clock): {self.status} after "
                 f"{self.ended - self.started:.0f} s"]
        error = self.info.get("errorInformation") or {}
        if error:
            lines.append(f"  error: {error.get('code')}: {error.get('message')}")
        lines += [f"  +{at:6.0f} s  {status}" for at, status in self.polls]
        return "\n".join(lines)


class WallClockCanary:
    """Real CodeDeploy rollouts of a bound function, polled with bounded waits."""

    def __init__(self, clients: Callable[[str], Any], binding: CanaryBinding, *, poll_seconds: float = 15.0,
                 margin_seconds: float = 600.0, timeout_seconds: float | None = None,
                 sleep: Callable[[float], None] = time.sleep, now: Callable[[], float] = time.monotonic) -> None:
        self.clients = clients
        self.binding = binding
        self.target = CanaryTarget(clients, binding)
        self.poll_seconds, self.margin_seconds, self.timeout_seconds = poll_seconds, margin_seconds, timeout_seconds
        self._sleep, self._now = sleep, now

    def _publish(self, label: str, failure_percent: float | None) -> str:
        if failure_percent is None:
            return self.target.publish(label)
        lam = self.clients("lambda")
        name = self.binding.function_name
        env = (lam.get_function_configuration(FunctionName=name).get("Environment") or {}).get("Variables") or {}
        lam.update_function_configuration(FunctionName=name, Environment={"Variables": {
            **env, FAILURE_ENV: f"{failure_percent:g}"}})
        return self.target.publish(label)

    def start(self, label: str, config_name: str | None, failure_percent: float | None = None) -> tuple[str, float]:
        """Publish, update the derived alarms, create the deployment; returns its id and the wait limit."""
        b = self.binding
        if not (b.application and b.deployment_group):
            raise TargetError(f"stack {b.stack}: function {b.function_name} has no CodeDeploy deployment group")
        config = resolve_config(config_name or self.target.deployment_config_name(),
                                b.settings.deployment_configs, self.target.lookup_config)
        current = self.target.alias().version
        new = self._publish(label, failure_percent)
        self.target.put_alarms(self.target.derived_alarms(new))
        created = self.clients("codedeploy").create_deployment(
            applicationName=b.application, deploymentGroupName=b.deployment_group,
            deploymentConfigName=config.name,
            revision={"revisionType": "AppSpecContent", "appSpecContent": {
                "content": appspec(b.function_name, b.alias, current, new)}})
        limit = self.timeout_seconds if self.timeout_seconds is not None else config.duration + self.margin_seconds
        return str(created["deploymentId"]), limit

    def wait(self, deployment_id: str, limit: float) -> WallClockOutcome:
        """Poll until the deployment is final; a :class:`TargetError` when ``limit`` seconds pass first."""
        started = self._now()
        polls: list[tuple[float, str]] = []
        while True:
            info = self.clients("codedeploy").get_deployment(deploymentId=deployment_id)["deploymentInfo"]
            status = str(info.get("status"))
            elapsed = self._now() - started
            if not polls or polls[-1][1] != status:
                polls.append((elapsed, status))
            if status in FINAL:
                return WallClockOutcome(deployment_id, status, started, self._now(), info, polls)
            if elapsed >= limit:
                raise TargetError(
                    f"CodeDeploy deployment {deployment_id} is still {status} after {elapsed:.0f} s (bounded wait "
                    f"{limit:.0f} s): the target does not progress deployments (moto accepts create_deployment "
                    "but never runs it); run the canary steps on the emulation, or on a target that runs CodeDeploy")
            self._sleep(min(self.poll_seconds, max(0.0, limit - elapsed)))

    def rollout(self, label: str, config_name: str | None, failure_percent: float | None = None) -> WallClockOutcome:
        deployment_id, limit = self.start(label, config_name, failure_percent)
        return self.wait(deployment_id, limit)
