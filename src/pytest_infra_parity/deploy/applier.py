"""The plugin's own CloudFormation applier, for targets whose CloudFormation is not faithful.

moto's CloudFormation silently skips unsupported types and drops properties (DynamoDB SSE/PITR/TTL,
Lambda tracing, ECS launch type...), and LocalStack's gives a bucket AES256 instead of its declared
KMS key. The applier resolves the template itself and creates each resource in dependency order
through the provisioner registered for its type, with the target's plain boto3 clients. A type or
property without a provisioner is an error naming the logical id and the property, raised before
anything is created. Teardown runs in reverse order, and continues past failures.

Resources with ``DeletionPolicy: Retain`` are deleted too: a test deployment leaves nothing behind.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable
from typing import Any

from pytest_infra_parity.deploy import ledger
from pytest_infra_parity.deploy.cdk import METADATA_ONLY_TYPES
from pytest_infra_parity.deploy.graph import creation_order
from pytest_infra_parity.deploy.intrinsics import Resolver
from pytest_infra_parity.deploy.provisioners import (
    ProvisionRequest,
    ProvisionResult,
    ResourceMissing,
    get,
    supported_types,
)
from pytest_infra_parity.deploy.provisioners.base import ClientFactory, is_not_found
from pytest_infra_parity.deploy.stack import Stack, StackResource
from pytest_infra_parity.deploy.template import ResourceDecl, Template
from pytest_infra_parity.errors import DeployError, InfraParityError, TemplateError

log = logging.getLogger(__name__)

RUN_TAG = "infra-parity:run"
STACK_TAG = "infra-parity:stack"

CreatedHook = Callable[[str, str, str, str, dict[str, Any]], None]


class _Context:
    """The :class:`~pytest_infra_parity.deploy.intrinsics.ResolveContext` of one deployment."""

    partition = "aws"
    url_suffix = "amazonaws.com"

    def __init__(self, clients: ClientFactory, region: str, account_id: str, stack_name: str,
                 exports: dict[str, tuple[str, Any]]) -> None:
        self.clients = clients
        self.region = region
        self.account_id = account_id
        self.stack_name = stack_name
        self.stack_id = f"arn:aws:cloudformation:{region}:{account_id}:stack/{stack_name}/infra-parity"
        self.notification_arns: list[str] = []
        self.created: dict[str, ProvisionResult] = {}
        self._exports = exports
        self._azs: dict[str, list[str]] = {}

    def ref(self, logical_id: str) -> Any:
        return self._created(logical_id).physical_id

    def get_att(self, logical_id: str, attribute: str) -> Any:
        result = self._created(logical_id)
        if attribute not in result.attributes:
            known = ", ".join(sorted(result.attributes)) or "none"
            raise TemplateError(f"Fn::GetAtt {logical_id}.{attribute}: unknown attribute (known: {known})")
        return result.attributes[attribute]

    def _created(self, logical_id: str) -> ProvisionResult:
        if logical_id not in self.created:
            raise TemplateError(f"{logical_id} is referenced before it was created")
        return self.created[logical_id]

    def azs(self, region: str) -> list[str]:
        region = region or self.region
        if region not in self._azs:
            zones = self.clients("ec2").describe_availability_zones()["AvailabilityZones"]
            self._azs[region] = sorted(z["ZoneName"] for z in zones if z.get("State", "available") == "available")
        return self._azs[region]

    def import_value(self, name: str) -> Any:
        if name not in self._exports:
            raise TemplateError(f"Fn::ImportValue {name!r}: no stack of this session exports it")
        return self._exports[name][1]

    def dynamic_reference(self, service: str, reference: str) -> str:
        try:
            if service in ("ssm", "ssm-secure"):
                name, _, version = reference.partition(":")
                ref = f"{name}:{version}" if version else name
                value = self.clients("ssm").get_parameter(Name=ref, WithDecryption=True)
                return str(value["Parameter"]["Value"])
            if service == "secretsmanager":
                return _secret_value(self.clients, reference)
        except InfraParityError:
            raise
        except Exception as exc:
            if is_not_found(exc):
                raise TemplateError(
                    f"dynamic reference {{{{resolve:{service}:{reference}}}}}: not found on the target "
                    "(declare it under prerequisites in design.yaml)"
                ) from exc
            raise
        raise TemplateError(f"dynamic reference {{{{resolve:{service}:...}}}}: unknown service {service!r}")


def _secret_value(clients: ClientFactory, reference: str) -> str:
    """``secret-id:SecretString:json-key:version-stage:version-id`` as CloudFormation reads it."""
    import json

    parts = reference.split(":")
    if reference.startswith("arn:"):
        secret_id, rest = ":".join(parts[:7]), parts[7:]
    else:
        secret_id, rest = parts[0], parts[1:]
    key = rest[1] if len(rest) > 1 and rest[1] else None
    stage = rest[2] if len(rest) > 2 and rest[2] else None
    version = rest[3] if len(rest) > 3 and rest[3] else None
    kwargs: dict[str, Any] = {"SecretId": secret_id}
    if version:
        kwargs["VersionId"] = version
    elif stage:
        kwargs["VersionStage"] = stage
    value = str(clients("secretsmanager").get_secret_value(**kwargs)["SecretString"])
    if key is None:
        return value
    try:
        return str(json.loads(value)[key])
    except (ValueError, KeyError) as exc:
        raise TemplateError(f"secret {secret_id} has no JSON key {key!r}") from exc


class Applier:
    """Deploys templates resource by resource through the provisioners."""

    name = "applier"

    def __init__(self, clients: ClientFactory, region: str, account_id: str, run_id: str,
                 on_created: CreatedHook | None = None) -> None:
        self.clients = clients
        self.region = region
        self.account_id = account_id
        self.run_id = run_id
        self.exports: dict[str, tuple[str, Any]] = {}
        """Export name -> (exporting stack, value), as CloudFormation keeps them per region."""
        self._on_created = on_created

    # ---- checks -------------------------------------------------------------------------------

    def check_supported(self, template: Template, enabled: set[str]) -> None:
        """Refuse, before creating anything, a type or property no provisioner supports."""
        problems: list[str] = []
        first_line: int | None = None
        for logical_id in sorted(enabled, key=lambda lid: template.resources[lid].line or 0):
            decl = template.resources[logical_id]
            if decl.resource_type in METADATA_ONLY_TYPES:
                continue
            found = _support_problems(decl)
            if found and first_line is None:
                first_line = decl.line
            problems.extend(found)
        if problems:
            raise TemplateError("\n  ".join(["cannot deploy:", *problems,
                                              "(docs/applier.md lists every supported type and property)"]),
                                path=template.path, line=first_line)

    # ---- deploy ---------------------------------------------------------------------------------

    def deploy(self, template: Template, stack_name: str, parameters: dict[str, Any] | None = None,
               design: str | None = None) -> Stack:
        """Create every enabled resource in dependency order; on failure, delete what was created."""
        ctx = _Context(self.clients, self.region, self.account_id, stack_name, self.exports)
        resolver = Resolver(template, dict(parameters or {}), ctx)
        enabled = {lid for lid, decl in template.resources.items() if resolver.is_enabled(decl)}
        metadata_only = {lid for lid in enabled if template.resources[lid].resource_type in METADATA_ONLY_TYPES}
        enabled -= metadata_only
        self.check_supported(template, enabled)
        order = creation_order(template, enabled, condition=resolver.condition)
        stack = Stack(name=stack_name, template=template, region=self.region, account_id=self.account_id,
                      run_id=self.run_id, deployer=self.name, design=design, parameters=dict(parameters or {}))
        stack.skipped = {lid: f"condition {template.resources[lid].condition} is false"
                         for lid in template.resources if lid not in enabled | metadata_only}
        stack.skipped.update({lid: "CDK metadata: creates nothing" for lid in metadata_only})
        try:
            for index, logical_id in enumerate(order):
                self._create_one(template.resources[logical_id], resolver, ctx, stack, index)
            stack.outputs = resolver.outputs()
            self._export(template, resolver, stack)
        except BaseException as exc:
            errors = self.teardown(stack)
            for error in errors:
                log.error("rollback: %s", error)
            if errors and isinstance(exc, InfraParityError):
                exc.message += "\n  the rollback could not delete:\n  " + "\n  ".join(errors)
                exc.args = (exc.describe(),)
            raise
        return stack

    def _export(self, template: Template, resolver: Resolver, stack: Stack) -> None:
        """Record the stack's exports; a name another stack exports is refused, as CloudFormation does.

        Exports recorded before a refusal belong to this stack and leave with its rollback (teardown).
        """
        for name, output in template.outputs.items():
            if output.export_name is None or name not in stack.outputs:
                continue
            export = str(resolver.resolve(output.export_name, where=f"Outputs.{name}.Export.Name"))
            owner = self.exports.get(export, (stack.name, None))[0]
            if owner != stack.name:  # deploy() rolls the stack back
                raise TemplateError(f"Outputs.{name}: export {export!r} is already exported by stack {owner}",
                                    path=template.path)
            self.exports[export] = (stack.name, stack.outputs[name])

    def _request(self, decl: ResourceDecl, properties: dict[str, Any], stack_name: str) -> ProvisionRequest:
        return ProvisionRequest(
            logical_id=decl.logical_id,
            resource_type=decl.resource_type,
            properties=properties,
            stack_name=stack_name,
            region=self.region,
            account_id=self.account_id,
            clients=self.clients,
            tags={STACK_TAG: stack_name, RUN_TAG: self.run_id},
            run_id=self.run_id,
        )

    def _create_one(self, decl: ResourceDecl, resolver: Resolver, ctx: _Context, stack: Stack, index: int) -> None:
        provisioner = get(decl.resource_type)
        assert provisioner is not None  # checked by check_supported
        try:
            # A whole Properties block may resolve to AWS::NoValue (None): CloudFormation reads it as {}.
            properties = resolver.resolve(decl.properties, where=f"{decl.logical_id}.Properties") or {}
            request = self._request(decl, properties, stack.name)
            result = provisioner.create(request)
        except InfraParityError:
            raise
        except Exception as exc:
            raise DeployError(
                f"{decl.logical_id} ({decl.resource_type}) could not be created: {exc}",
                path=stack.template.path, line=decl.line,
            ) from exc
        ctx.created[decl.logical_id] = result
        stack.resources[decl.logical_id] = StackResource(
            decl.logical_id, decl.resource_type, result.physical_id, dict(result.attributes), dict(properties)
        )
        ledger.record(self.clients, ledger.new_entry(
            stack.name, decl.logical_id, decl.resource_type, result.physical_id, dict(result.attributes),
            dict(properties), index, self.run_id, self.region,
        ))
        if self._on_created is not None:
            self._on_created(stack.name, decl.logical_id, decl.resource_type, result.physical_id,
                             dict(result.attributes))

    # ---- verify and teardown ----------------------------------------------------------------------

    def verify(self, stack: Stack) -> dict[str, list[str]]:
        """Read every resource back; the differences with the declared properties, by logical id."""
        problems: dict[str, list[str]] = {}
        for logical_id, resource in stack.resources.items():
            provisioner = get(resource.resource_type)
            assert provisioner is not None
            decl = stack.template.resources[logical_id]
            request = self._request(decl, resource.properties, stack.name)
            result = ProvisionResult(resource.physical_id, dict(resource.attributes))
            try:
                found = provisioner.verify(request, result)
            except ResourceMissing as exc:
                found = [f"does not exist on the target ({exc})"]
            if found:
                problems[logical_id] = found
        return problems

    def teardown(self, stack: Stack) -> list[str]:
        """Delete every created resource in reverse order; returns one line per failure (never raises)."""
        for export in [name for name, (owner, _) in self.exports.items() if owner == stack.name]:
            del self.exports[export]
        errors: list[str] = []
        for logical_id in reversed(list(stack.resources)):
            resource = stack.resources[logical_id]
            error = delete_resource(self.clients, stack.name, resource, self.region, self.account_id,
                                    self.run_id, stack.template.resources.get(logical_id))
            if error:
                errors.append(error)
            else:
                del stack.resources[logical_id]
        return errors


def _support_problems(decl: ResourceDecl) -> list[str]:
    """One line per unsupported type or property of a resource, with the closest supported names."""
    provisioner = get(decl.resource_type)
    if provisioner is None:
        service = decl.resource_type.rsplit("::", 1)[0]
        same_service = [t for t in supported_types() if t.startswith(service + "::")]
        closest = difflib.get_close_matches(decl.resource_type, supported_types(), n=3)
        suggestion = ""
        if same_service:
            suggestion = f" (supported in this service: {', '.join(same_service)})"
        elif closest:
            suggestion = f" (closest supported: {', '.join(closest)})"
        return [f"{decl.logical_id}: resource type {decl.resource_type} is not supported by the applier{suggestion}"]
    lines: list[str] = []
    supported = sorted(provisioner.supported_properties)
    for prop in sorted(set(decl.properties) - provisioner.supported_properties):
        near = difflib.get_close_matches(prop, supported, n=1)
        hint = f" (did you mean {near[0]}?)" if near else ""
        lines.append(f"{decl.logical_id} ({decl.resource_type}): property {prop} is not supported{hint}")
    return lines


def delete_resource(clients: ClientFactory, stack_name: str, resource: StackResource, region: str,
                    account_id: str, run_id: str, decl: ResourceDecl | None = None) -> str | None:
    """Delete one resource and its ledger entry; ``None`` on success, else the error line."""
    provisioner = get(resource.resource_type)
    if provisioner is None:
        return f"{resource.logical_id} ({resource.resource_type}): no provisioner to delete it"
    request = ProvisionRequest(
        logical_id=resource.logical_id,
        resource_type=resource.resource_type,
        properties=resource.properties,
        stack_name=stack_name,
        region=region,
        account_id=account_id,
        clients=clients,
        tags={STACK_TAG: stack_name, RUN_TAG: run_id},
        run_id=run_id,
    )
    try:
        provisioner.delete(request, ProvisionResult(resource.physical_id, dict(resource.attributes)))
        ledger.forget(clients, stack_name, resource.logical_id)
    except Exception as exc:
        return f"{resource.logical_id} ({resource.resource_type} {resource.physical_id}): {exc}"
    return None
