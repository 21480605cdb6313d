"""Deployments of one test session: cached per (design, parameters), torn down at the end.

Several features share one deployment of a design. Teardown runs in reverse order of deployment,
after failures and after Ctrl-C (the session fixture's finalizer), and what a killed run leaves on a
persistent target is removed by ``infra-parity sweep``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable
from typing import Any, Protocol

from pytest_infra_parity.deploy.applier import RUN_TAG
from pytest_infra_parity.deploy.cdk import bootstrap_parameters
from pytest_infra_parity.deploy.provisioners.base import error_code
from pytest_infra_parity.deploy.stack import Stack
from pytest_infra_parity.deploy.template import Template, load_template
from pytest_infra_parity.deploy.validate import check
from pytest_infra_parity.designs import Design
from pytest_infra_parity.errors import DeployError
from pytest_infra_parity.targets.protocol import REAL_CLOUDFORMATION, Target


class Deployer(Protocol):
    name: str

    def deploy(self, template: Template, stack_name: str, parameters: dict[str, Any] | None = None,
               design: str | None = None) -> Stack: ...

    def verify(self, stack: Stack) -> dict[str, list[str]]: ...

    def teardown(self, stack: Stack) -> list[str]: ...


def stack_name_for(design: str, run_id: str, parameters: dict[str, str], variant: str = "") -> str:
    """A CloudFormation-valid stack name: letters, digits and hyphens, starting with a letter.

    ``variant`` (the template path when a design is given by file) and non-default ``parameters``
    add a short digest, so two deployments of one session never share a name.
    """
    base = re.sub(r"[^A-Za-z0-9-]+", "-", f"ipp-{design}-{run_id}").strip("-")
    if parameters or variant:
        digest = hashlib.sha256(json.dumps([variant, parameters], sort_keys=True).encode()).hexdigest()[:6]
        base = f"{base}-{digest}"
    return base[:128]


def make_deployer(target: Target, run_id: str,
                  on_created: Callable[[str, str, str, str, dict[str, Any]], None] | None = None) -> Deployer:
    """Real CloudFormation where the target has it faithfully, else the plugin's applier."""
    region = target.region
    account = target.identity().account_id
    if REAL_CLOUDFORMATION in target.capabilities:
        from pytest_infra_parity.deploy.cloudformation import CloudFormationDeployer

        return CloudFormationDeployer(target.client, region, account, run_id)
    from pytest_infra_parity.deploy.applier import Applier

    return Applier(target.client, region, account, run_id, on_created=on_created)


class Deployments:
    """The stacks of a session."""

    def __init__(self, target: Target, run_id: str,
                 on_created: Callable[[str, str, str, str, dict[str, Any]], None] | None = None) -> None:
        self.target = target
        self.run_id = run_id
        self._on_created = on_created
        self._deployer: Deployer | None = None
        self._stacks: dict[tuple[str, str], Stack] = {}
        self._failed: dict[tuple[str, str], BaseException] = {}
        self._prerequisites: list[tuple[str, str]] = []
        self._lock = threading.RLock()

    @property
    def deployer(self) -> Deployer:
        if self._deployer is None:
            self._deployer = make_deployer(self.target, self.run_id, self._on_created)
        return self._deployer

    @property
    def stacks(self) -> list[Stack]:
        return list(self._stacks.values())

    @property
    def has_anything_to_remove(self) -> bool:
        """Stacks, or prerequisites created for a design whose deployment failed."""
        return bool(self._stacks or self._prerequisites)

    def deploy(self, design: Design, parameters: dict[str, Any] | None = None) -> Stack:
        """Deploy a design once per session with these parameters (design defaults first)."""
        merged = {**design.parameters, **{k: str(v) for k, v in (parameters or {}).items()}}
        key = (str(design.template_path), json.dumps(merged, sort_keys=True))
        with self._lock:
            if key in self._stacks:
                return self._stacks[key]
            if key in self._failed:
                raise DeployError(f"design {design.name} already failed to deploy in this session: "
                                  f"{self._failed[key]}")
            # A template CloudFormation would reject is refused here too (cfn-lint errors), with every
            # finding and its line; warnings are kept on the stack.
            warnings = check(design.template_path, regions=[self.target.region])
            template = load_template(design.template_path, region=self.target.region,
                                     account_id=self.target.identity().account_id)
            from pytest_infra_parity.targets.localstack_services import check_served

            # A target that does not serve a service the design needs refuses it before anything exists.
            check_served(self.target, ((lid, d.resource_type) for lid, d in template.resources.items()),
                         f"design {design.name}")
            try:
                self._create_prerequisites(design, template)
                overrides = {k: str(v) for k, v in (parameters or {}).items()}
                variant = "" if design.builtin or (design.folder / "design.yaml").is_file() \
                    else str(design.template_path)
                name = stack_name_for(design.name, self.run_id, overrides, variant)
                stack = self.deployer.deploy(template, name, merged, design=design.name)
            except BaseException as exc:
                self._failed[key] = exc
                raise
            stack.warnings = [w.describe() for w in warnings]
            self._stacks[key] = stack
            return stack

    def _create_prerequisites(self, design: Design, template: Template) -> None:
        """Secrets the design declares, and CDK's bootstrap version on a target nobody bootstrapped."""
        secrets = design.prerequisites.get("secrets") or {}
        client = self.target.client("secretsmanager")
        for name, value in secrets.items():
            body = value if isinstance(value, str) else json.dumps(value)
            try:
                client.create_secret(Name=name, SecretString=body,
                                     Tags=[{"Key": RUN_TAG, "Value": self.run_id}])
            except Exception as exc:
                if error_code(exc) != "ResourceExistsException":
                    raise DeployError(f"design {design.name}: prerequisite secret {name} could not be created: "
                                      f"{exc}") from exc
                tags = {t["Key"] for t in client.describe_secret(SecretId=name).get("Tags", [])}
                if RUN_TAG not in tags:
                    raise DeployError(
                        f"design {design.name}: prerequisite secret {name} already exists and was not created by "
                        "infra-parity; refusing to overwrite it (delete it, or remove it from prerequisites)"
                    ) from exc
                client.put_secret_value(SecretId=name, SecretString=body)
                continue
            self._prerequisites.append(("secretsmanager", name))
        if REAL_CLOUDFORMATION in self.target.capabilities:
            return
        ssm = self.target.client("ssm")
        for name, value in bootstrap_parameters(template.parameters).items():
            try:
                ssm.put_parameter(Name=name, Value=value, Type="String")
            except Exception as exc:
                if error_code(exc) != "ParameterAlreadyExists":
                    raise
                continue
            self._prerequisites.append(("ssm", name))

    def verify(self, stack: Stack) -> dict[str, list[str]]:
        return self.deployer.verify(stack)

    def teardown_all(self) -> list[str]:
        """Tear every stack down, newest first, then the prerequisites; returns the failures."""
        errors: list[str] = []
        with self._lock:
            for key in reversed(list(self._stacks)):
                stack = self._stacks[key]
                try:
                    found = self.deployer.teardown(stack)
                except Exception as exc:  # one stack's failure must not keep the others up
                    found = [f"stack {stack.name}: {exc}"]
                errors.extend(found)
                if not found:
                    del self._stacks[key]
            for service, name in reversed(self._prerequisites):
                try:
                    if service == "secretsmanager":
                        self.target.client(service).delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
                    else:
                        self.target.client(service).delete_parameter(Name=name)
                except Exception as exc:
                    errors.append(f"prerequisite {service} {name}: {exc}")
            self._prerequisites.clear()
        return errors
