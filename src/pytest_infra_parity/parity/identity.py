"""The naming part of an identifier: ARNs, queue URLs, Pulumi URNs, Terraform addresses, log groups.

Every source spells a resource's identity its own way; this module reduces each spelling to the part
that carries the *name* the author chose, before :mod:`.names` tokenizes it:

- ARN ``arn:partition:service:region:account:resource`` (AWS General Reference, "Amazon Resource
  Names (ARNs)", formats ``resource-id``, ``resource-type/resource-id`` and
  ``resource-type:resource-id``): the resource id, without the resource type, a Lambda
  version/alias qualifier, the ``:*`` of a log-group ARN or the trailing id of an ELB ARN;
- SQS queue URL ``https://sqs.<region>.amazonaws.com/<account>/<name>`` (SQS Developer Guide, "Amazon
  SQS queue and message identifiers"): the name;
- Pulumi URN ``urn:pulumi:<stack>::<project>::<type>::<name>`` (Pulumi docs, "Resource names and
  identity"): the logical name;
- Terraform address ``module.<m>.<type>.<name>[<index>]`` (Terraform docs, "Resource addressing"):
  the resource name, its string index (``for_each`` key), or the innermost module name when the
  resource name is a generic ``this``/``main``/``default``; a numeric index is kept as a word except
  ``[0]`` (most often ``count = var.enabled ? 1 : 0``);
- CloudWatch Logs group ``/aws/lambda/<function>``, ``/aws/apigateway/<api>``, ``/ecs/<service>``...:
  the part after the service prefix; KMS ``alias/<name>``: the name.
"""

from __future__ import annotations

import re
from typing import Final

_TF_ADDRESS: Final = re.compile(
    r"^(?P<modules>(?:module\.[\w-]+(?:\[[^\]]*\])?\.)*)(?:data\.)?[a-z][a-z0-9]*_[\w-]+\."
    r"(?P<name>[\w-]+)(?:\[(?P<index>[^\]]*)\])?$"
)
_TF_MODULE: Final = re.compile(r"module\.([\w-]+)(?:\[([^\]]*)\])?\.")
_GENERIC_TF_NAMES: Final = frozenset({
    "this", "main", "default", "primary", "self", "it", "resource", "example", "one", "all", "these",
})
_LOG_GROUP_PREFIX: Final = re.compile(r"^/?(?:aws/(?:vendedlogs/)?[\w-]+/|ecs/|aws-glue/[\w-]+/)")
_UUID: Final = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_MRK: Final = re.compile(r"^mrk-[0-9a-f]{32}$")
_RESOURCE_TYPES_FIRST: Final = frozenset({
    "function", "table", "log-group", "key", "alarm", "role", "policy", "user", "group", "secret",
    "parameter", "stateMachine", "rule", "event-bus", "cluster", "service", "task-definition",
    "distribution", "userpool", "db", "cluster-pg", "targetgroup", "loadbalancer", "listener",
    "certificate", "domain", "layer", "alias", "webacl", "regional", "global", "hostedzone",
    "application", "deploymentgroup", "repository", "instance", "subnet", "vpc", "security-group",
})


def split_arn(arn: str) -> tuple[str, str] | None:
    """``(service, resource)`` of an ARN, ``None`` when ``arn`` is not one."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    return parts[2], parts[5]


def arn_name(arn: str) -> str | None:
    """The name part of an ARN's resource (``None`` when ``arn`` is not an ARN)."""
    split = split_arn(arn)
    if split is None:
        return None
    service, resource = split
    if service == "logs":
        resource = resource.removeprefix("log-group:")
        return resource[:-2] if resource.endswith(":*") else resource
    if service == "lambda":
        pieces = resource.split(":")
        return pieces[1] if len(pieces) > 1 else resource
    if service == "elasticloadbalancing":
        pieces = resource.split("/")
        # loadbalancer/app/<name>/<id>, targetgroup/<name>/<id>, listener/app/<lb>/<id>/<id>
        named = [p for p in pieces[1:] if p not in ("app", "net", "gwy")]
        return named[0] if named else resource
    if service == "kms" and resource.startswith("alias/"):
        return resource
    for separator in ("/", ":"):
        head, sep, tail = resource.partition(separator)
        if sep and head in _RESOURCE_TYPES_FIRST:
            return tail.split("/")[-1] if service != "dynamodb" else tail.split("/")[0]
    return resource.split("/")[-1]


def url_name(url: str) -> str | None:
    """The queue name of an SQS queue URL (any host: AWS, moto, LocalStack), else ``None``."""
    if not url.startswith(("https://", "http://")):
        return None
    path = url.split("://", 1)[1].partition("/")[2].rstrip("/")
    pieces = path.split("/")
    return pieces[-1] if len(pieces) >= 2 and pieces[-1] else None


def urn_name(urn: str) -> str | None:
    """The logical name of a Pulumi URN, else ``None``."""
    if not urn.startswith("urn:pulumi:"):
        return None
    return urn.rsplit("::", 1)[-1]


def terraform_name(address: str) -> str | None:
    """The naming part of a Terraform resource address, else ``None`` when it is not one."""
    found = _TF_ADDRESS.match(address)
    if found is None:
        return None
    name: str = found["name"]
    index: str = (found["index"] or "").strip()
    if index.startswith('"') and index.endswith('"') and len(index) >= 2:
        return index[1:-1]
    if name in _GENERIC_TF_NAMES:
        modules = _TF_MODULE.findall(found["modules"])
        if modules:
            module: str = modules[-1][0]
            module_index: str = modules[-1][1].strip()
            if module_index.startswith('"') and module_index.endswith('"'):
                return module_index[1:-1]
            name = module
    # ``[0]`` is most often a conditional single instance (``count = var.enabled ? 1 : 0``).
    return f"{name}-{index}" if index and index != "0" else name


def is_generated_id(text: str) -> bool:
    """True for ids that carry no chosen name: UUIDs (KMS key ids), KMS multi-Region key ids."""
    return bool(_UUID.match(text) or _MRK.match(text))


def naming_part(raw: str) -> str:
    """The part of any identifier spelling that carries the chosen name (see the module docstring)."""
    text = raw.strip()
    for extract in (arn_name, urn_name, url_name):
        found = extract(text) if text[:4] in ("arn:", "urn:", "http") else None
        if found is not None:
            text = found
            break
    else:
        tf = terraform_name(text) if "." in text and "_" in text else None
        if tf is not None:
            return tf
    if text.startswith("alias/"):
        return text[len("alias/"):]
    if text.startswith(("/", "aws/")):
        return _LOG_GROUP_PREFIX.sub("", text, count=1)
    return text
