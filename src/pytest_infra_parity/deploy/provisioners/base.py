"""The contract every resource provisioner follows.

A provisioner creates, verifies and deletes one CloudFormation resource type through the boto3
clients of a target (moto, LocalStack or AWS). It receives the resource's properties with every
intrinsic function already resolved, and returns the physical id (what ``Ref`` gives) and the
attributes ``Fn::GetAtt`` can read. Provisioners are registered by type in
:mod:`pytest_infra_parity.deploy.provisioners` and looked up by the applier.

Rules for writing one:

* declare ``resource_type`` and ``supported_properties``: the applier refuses a property outside
  that set with an error naming the logical id and the property (never a silent skip);
* use the name given in the template, else :func:`default_name` (AWS's ``<stack>-<LogicalId>-<SUFFIX>``);
* merge ``request.tags`` (the plugin's ``infra-parity:*`` tags) into the declared tags of every
  resource that can carry tags;
* ``verify`` reads the resource back and lists every declared property that differs, so the
  "every resource of the template exists" check proves the target stored what was declared;
* ``delete`` is idempotent: a resource that is already gone is not an error;
* work around a moto bug inside the provisioner, with a ``# moto:`` comment that says what and why.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

ClientFactory = Callable[[str], Any]
"""Returns a boto3 client of the target for a service name (``"s3"``, ``"ecs"``...)."""


class ProvisionError(Exception):
    """A resource could not be created or deleted; the message names the resource."""


@dataclass(frozen=True)
class ProvisionRequest:
    """Everything a provisioner needs to act on one resource."""

    logical_id: str
    resource_type: str
    properties: Mapping[str, Any]
    stack_name: str
    region: str
    account_id: str
    clients: ClientFactory
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags the plugin adds to every taggable resource (``infra-parity:stack``, ``infra-parity:run``)."""
    run_id: str = "local"

    def prop(self, name: str, default: Any = None) -> Any:
        return self.properties.get(name, default)

    def client(self, service: str) -> Any:
        return self.clients(service)


@dataclass
class ProvisionResult:
    """What a created resource exposes to the rest of the template."""

    physical_id: str
    """The value of ``Ref`` for this resource."""
    attributes: dict[str, Any] = field(default_factory=dict)
    """The values of ``Fn::GetAtt`` for this resource, by attribute name (``Arn``, ``StreamArn``...)."""


class Provisioner(Protocol):
    """Creates, checks and deletes one CloudFormation resource type on a target."""

    resource_type: ClassVar[str]
    supported_properties: ClassVar[frozenset[str]]

    def create(self, request: ProvisionRequest) -> ProvisionResult: ...

    def verify(self, request: ProvisionRequest, result: ProvisionResult) -> list[str]:
        """Read the resource back; return one line per declared property that differs or is missing.

        Raise :class:`ResourceMissing` when the resource does not exist.
        """
        ...

    def delete(self, request: ProvisionRequest, result: ProvisionResult) -> None: ...


class ResourceMissing(Exception):
    """The resource does not exist on the target."""


DELETED_TAG = "infra-parity:deleted"
"""Tag (value ``true``) of a resource the target has no delete API for: ``delete`` marks it so, ``verify``
treats it as gone, and a later create of the same name by this plugin takes it back."""


_SUFFIX_ALPHABET = string.ascii_uppercase + string.digits


def random_suffix(request: ProvisionRequest, length: int = 12) -> str:
    """A suffix that looks like CloudFormation's, stable for one (run, stack, logical id)."""
    digest = hashlib.sha256(f"{request.run_id}/{request.stack_name}/{request.logical_id}".encode()).digest()
    return "".join(_SUFFIX_ALPHABET[b % len(_SUFFIX_ALPHABET)] for b in digest[:length])


def default_name(
    request: ProvisionRequest,
    max_length: int = 255,
    lowercase: bool = False,
    allowed: str = string.ascii_letters + string.digits + "-_",
) -> str:
    """AWS's default physical name ``<stack>-<LogicalId>-<SUFFIX>``, within the service's limits.

    As CloudFormation does, the stack name and logical id are shortened so the suffix always fits.
    """
    suffix = random_suffix(request)
    stack = "".join(c for c in request.stack_name if c in allowed)
    logical = "".join(c for c in request.logical_id if c in allowed)
    budget = max_length - len(suffix) - 2
    if budget < 2:
        name = suffix[:max_length]
    else:
        stack_budget = min(len(stack), max(1, budget // 2))
        logical_budget = min(len(logical), budget - stack_budget)
        stack_budget = min(len(stack), budget - logical_budget)
        name = f"{stack[:stack_budget]}-{logical[:logical_budget]}-{suffix}"
    return name.lower() if lowercase else name


def tag_list(request: ProvisionRequest, declared: Any = None) -> list[dict[str, str]]:
    """Declared tags (CloudFormation ``[{Key, Value}]``) plus the plugin's tags, as ``[{Key, Value}]``."""
    merged = tag_map(request, declared)
    return [{"Key": k, "Value": v} for k, v in merged.items()]


def tag_map(request: ProvisionRequest, declared: Any = None) -> dict[str, str]:
    """Declared tags (list of ``{Key, Value}`` or a mapping) plus the plugin's tags, as a mapping."""
    if declared is None:
        declared = request.prop("Tags")
    merged: dict[str, str] = {}
    if isinstance(declared, Mapping):
        merged.update({str(k): str(v) for k, v in declared.items()})
    elif isinstance(declared, list):
        for item in declared:
            merged[str(item["Key"])] = str(item["Value"])
    merged.update(request.tags)
    return merged


def tag_differences(declared: Mapping[str, str], live: Mapping[str, str]) -> list[str]:
    """One line per declared tag missing or different on the live resource."""
    problems = []
    for key, value in declared.items():
        if key not in live:
            problems.append(f"tag {key!r} is missing (declared {value!r})")
        elif live[key] != value:
            problems.append(f"tag {key!r} is {live[key]!r}, declared {value!r}")
    return problems


def differs(name: str, declared: Any, live: Any) -> list[str]:
    """``[]`` when equal, else one line saying how the live value differs from the declared one."""
    if declared == live:
        return []
    return [f"{name} is {live!r}, declared {declared!r}"]


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ``ClientError``, or ``""``."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


NOT_FOUND_CODES = frozenset(
    {
        "NoSuchBucket",
        "NoSuchEntity",
        "ResourceNotFoundException",
        "NotFoundException",
        "NotFound",
        "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDoesNotExist",
        "ClusterNotFoundException",
        "ServiceNotFoundException",
        "LoadBalancerNotFound",
        "TargetGroupNotFound",
        "ListenerNotFound",
        "InvalidVpcID.NotFound",
        "InvalidSubnetID.NotFound",
        "InvalidGroup.NotFound",
        "InvalidInternetGatewayID.NotFound",
        "InvalidRouteTableID.NotFound",
        "InvalidAllocationID.NotFound",
        "NatGatewayNotFound",
        "DBInstanceNotFound",
        "DBSubnetGroupNotFoundFault",
        "DBProxyNotFoundFault",
        "CacheClusterNotFound",
        "ReplicationGroupNotFoundFault",
        "CacheSubnetGroupNotFoundFault",
        "NoSuchHostedZone",
        "WAFNonexistentItemException",
        "NoSuchDistribution",
        "NoSuchOriginAccessControl",
        "ApplicationDoesNotExistException",
        "DeploymentGroupDoesNotExistException",
        "ObjectNotFoundException",
        "UserPoolNotFoundException",
        "NoSuchKey",
        "KMSInvalidStateException",
        "ParameterNotFound",
    }
)


def is_not_found(exc: BaseException) -> bool:
    """True for the ``ClientError`` codes that mean "this resource does not exist"."""
    code = error_code(exc)
    return code in NOT_FOUND_CODES or code.endswith(("NotFound", "NotFoundException", "NotFoundFault"))
