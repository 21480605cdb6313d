"""Emulated resources: what a target cannot store, the plugin stores on the target itself.

moto has no AppConfig environments or deployment strategies, for instance, and LocalStack's free
plan answers 501 for whole services. A provisioner for such a type first tries the real API; when
the target says the operation is not implemented, it keeps the declared resource as a JSON document
in an SSM parameter under ``/infra-parity/emulated/<stack>/<logical id>``. That keeps the state on
the target (visible to the sweeper, to the control-plane emulation and to a second process), read
back through boto3 like any other resource, and clearly marked as emulated in every report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pytest_infra_parity.deploy.provisioners.base import (
    ProvisionRequest,
    ResourceMissing,
    error_code,
    is_not_found,
)

PREFIX = "/infra-parity/emulated"

_NOT_IMPLEMENTED_CODES = frozenset(
    {"NotImplemented", "NotImplementedError", "InternalFailure", "InternalError", "UnknownOperationException"}
)
_HTML_404 = "<title>404 Not Found</title>"


def target_lacks(exc: BaseException) -> bool:
    """True when the target answered that it does not implement the operation.

    That is a ``NotImplementedError``, a not-implemented error code, an HTTP 500 / 501 answer (moto,
    LocalStack's 501), moto's HTML 500 page, or moto's HTML 404 page for a route it does not have. A
    genuine "not found" is never taken for it: it carries a named code (``NotFoundException``...), and
    a HEAD request's bare ``404`` (S3 ``HeadBucket``) has no HTML page.
    """
    if isinstance(exc, NotImplementedError):
        return True
    # moto: its server answers an operation it does not implement with an HTML "500 Internal Server
    # Error" page, which botocore cannot parse for XML protocols (AWS and LocalStack answer XML or JSON).
    if type(exc).__name__ == "ResponseParserError" and "500 Internal Server Error" in str(exc):
        return True
    code = error_code(exc)
    if code in _NOT_IMPLEMENTED_CODES:
        return True
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return False
    if response.get("ResponseMetadata", {}).get("HTTPStatusCode") in (500, 501):
        return True
    # moto: a REST operation it has no route for (AppConfig environments and deployment strategies, API
    # Gateway v2 deployments, Lambda provisioned concurrency) answers Flask's HTML "404 Not Found" page,
    # which botocore reports with the bare code "404".
    return code == "404" and _HTML_404 in str(response.get("Error", {}).get("Message", ""))


is_not_implemented = target_lacks
"""The name :mod:`pytest_infra_parity.deploy.cloudformation` imports (drift detection on moto)."""


@dataclass(frozen=True)
class EmulatedResource:
    """A resource held by the plugin on the target's SSM parameter store."""

    resource_type: str
    logical_id: str
    stack_name: str
    physical_id: str
    properties: dict[str, Any]
    attributes: dict[str, Any]
    reason: str


def parameter_name(stack_name: str, logical_id: str) -> str:
    return f"{PREFIX}/{stack_name}/{logical_id}"


def put(request: ProvisionRequest, physical_id: str, attributes: dict[str, Any], reason: str) -> None:
    """Store the declared resource on the target."""
    document = {
        "resource_type": request.resource_type,
        "logical_id": request.logical_id,
        "stack_name": request.stack_name,
        "physical_id": physical_id,
        "properties": dict(request.properties),
        "attributes": attributes,
        "reason": reason,
    }
    body = json.dumps(document, default=str, sort_keys=True)
    name = parameter_name(request.stack_name, request.logical_id)
    ssm = request.client("ssm")
    # SSM refuses Tags together with Overwrite=True: write, then tag.
    ssm.put_parameter(Name=name, Value=body, Type="String", Overwrite=True,
                      Tier="Advanced" if len(body) > 4096 else "Standard")
    if request.tags:
        ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId=name,
                                 Tags=[{"Key": k, "Value": v} for k, v in request.tags.items()])


def get(request: ProvisionRequest) -> EmulatedResource:
    """Read an emulated resource back; :class:`ResourceMissing` when it is not there."""
    try:
        value = request.client("ssm").get_parameter(
            Name=parameter_name(request.stack_name, request.logical_id)
        )["Parameter"]["Value"]
    except Exception as exc:
        if is_not_found(exc):
            raise ResourceMissing(f"{request.logical_id} (emulated) is not on the target") from exc
        raise
    doc = json.loads(value)
    return EmulatedResource(**doc)


def delete(request: ProvisionRequest) -> None:
    try:
        request.client("ssm").delete_parameter(Name=parameter_name(request.stack_name, request.logical_id))
    except Exception as exc:
        if not is_not_found(exc):
            raise


def list_stack(clients: Any, stack_name: str) -> list[EmulatedResource]:
    """Every emulated resource of a stack (used by the sweeper and the control-plane emulation)."""
    ssm = clients("ssm")
    found: list[EmulatedResource] = []
    paginator = ssm.get_paginator("get_parameters_by_path")
    for page in paginator.paginate(Path=f"{PREFIX}/{stack_name}", Recursive=True):
        for param in page.get("Parameters", []):
            found.append(EmulatedResource(**json.loads(param["Value"])))
    return found
