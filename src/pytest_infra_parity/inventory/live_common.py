"""What every live reader shares: the target of one read, the reading context, AWS error handling.

Inner room: no boto3 here. Clients come from the factory the caller gives; AWS errors are recognised
by duck typing (``exc.response["Error"]["Code"]``, as botocore's ``ClientError`` carries them).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_infra_parity.inventory import encryption
from pytest_infra_parity.inventory.model import (
    UNKNOWN,
    UNTAGGABLE_KINDS,
    Encryption,
    Resource,
    Unknown,
    effective_tags,
    kind_of,
)

Clients = Callable[[str], Any]

MISSING_CODES = frozenset({
    "NoSuchBucket", "NoSuchEntity", "ResourceNotFoundException", "NotFoundException", "NotFound",
    "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "ParameterNotFound",
    "ClusterNotFoundException", "ServiceNotFoundException", "LoadBalancerNotFound", "TargetGroupNotFound",
})
"""A bare ``404`` is not among them: it is what moto answers for an operation it does not route."""


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ``ClientError`` (duck-typed), ``None`` for any other exception."""
    response = getattr(exc, "response", None)
    if not isinstance(response, Mapping):
        return None
    return str(response.get("Error", {}).get("Code", "")) or "Unknown"


def is_missing(code: str | None) -> bool:
    """The codes AWS answers for "this resource does not exist"."""
    return code is not None and (code in MISSING_CODES or code.endswith(("NotFound", "NotFoundException",
                                                                         "NotFoundFault")))


class Missing(Exception):
    """The selected resource does not exist (any more)."""


class Unreadable(Exception):
    """The selected resource cannot be read at all (an API the target does not implement...)."""


@dataclass
class Target:
    """One resource to read: its type, its identifier as ``Ref`` gives it, its name in the inventory."""

    cfn_type: str
    ident: str
    """Bucket name, queue URL, topic ARN, table name, function name, alias ARN, log group name, alarm
    name, key id, API id, stage name, cluster name, service ARN, load balancer / target group ARN..."""
    name: str
    arn: str | None = None
    tags: dict[str, str] | None = None
    """Tags already read (from the tagging API); ``None``: the reader reads them."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """What the selection knows besides (a stack resource's properties: a stage's ``ApiId``...)."""
    logical: bool = False
    """``name`` is a logical id (stack selection); else readers may name the resource by its physical
    name when the identifier is not one (an HTTP API's name rather than its id)."""

    def describe(self) -> str:
        return f"{kind_of(self.cfn_type)} {self.name} ({self.ident})"


class Context:
    """Clients, region, account, warnings and caches of one live collection (thread-safe)."""

    def __init__(self, clients: Clients, region: str, account: str) -> None:
        self.clients = clients
        self.region = region
        self.account = account
        self.warnings: list[str] = []
        self._lock = threading.Lock()
        self._key_managers: dict[str, str | None] = {}
        self.log_groups: dict[str, dict[str, Any]] | None = None
        """Every log group of the region by name, when :meth:`prefetch_log_groups` ran."""
        self._queue_urls: dict[str, str] | None = None

    def warn(self, message: str) -> None:
        with self._lock:
            self.warnings.append(message)

    def resource(self, target: Target, *, physical_id: Any = None, arn: Any = None) -> Resource:
        """The resource of ``target`` with its identity filled in, ready for a reader to complete."""
        kind = kind_of(target.cfn_type)
        return Resource(
            kind=kind, cfn_type=target.cfn_type, name=target.name, source="live", native_type=target.cfn_type,
            physical_id=physical_id if physical_id is not None else target.ident,
            arn=arn if arn is not None else target.arn, region=self.region, account=self.account,
            taggable=kind not in UNTAGGABLE_KINDS,
            tags=effective_tags(target.tags) if target.tags is not None else {},
        )

    def fetch(self, target: Target, what: str, call: Callable[..., Any], *, absent: tuple[str, ...] = (),
              main: bool = False, **params: Any) -> Any:
        """``call(**params)``; ``None`` for an ``absent`` code (no such configuration), UNKNOWN (with a
        warning) for any other AWS error. For the ``main`` read of a resource: :class:`Missing` when it
        does not exist, :class:`Unreadable` for any other AWS error."""
        try:
            return call(**params)
        except Exception as exc:
            code = error_code(exc)
            if code is None:
                raise
            if code in absent:
                return None
            if main and is_missing(code):
                raise Missing(f"{target.describe()}: does not exist ({code})") from exc
            message = f"{target.describe()}: {what} not read ({code}: {_short(exc)})"
            if main:
                raise Unreadable(message) from exc
            self.warn(message)
            return UNKNOWN

    def prefetch_log_groups(self) -> None:
        """Read every log group of the region at once (50 per page) instead of one call per lookup."""
        paginator = self.clients("logs").get_paginator("describe_log_groups")
        found: dict[str, dict[str, Any]] = {}
        for page in paginator.paginate():
            for group in page.get("logGroups", []):
                found[str(group["logGroupName"])] = group
        self.log_groups = found

    def queue_url(self, target: Target, name: str, owner: str) -> str:
        """A queue's URL by name: one ``ListQueues`` (1,000 per page) for all, ``GetQueueUrl`` if absent."""
        with self._lock:
            if self._queue_urls is None:
                paginator = self.clients("sqs").get_paginator("list_queues")
                urls = [u for page in paginator.paginate(MaxResults=1000) for u in page.get("QueueUrls", [])]
                self._queue_urls = {u.rstrip("/").rsplit("/", 2)[-2] + "/" + u.rsplit("/", 1)[-1]: u for u in urls}
            url = self._queue_urls.get(f"{owner}/{name}")
        if url is not None:
            return url
        found = self.fetch(target, "queue", self.clients("sqs").get_queue_url, main=True, QueueName=name,
                           QueueOwnerAWSAccountId=owner)
        return str(found["QueueUrl"])

    def key_encryption(self, key: Any) -> Encryption:
        """A KMS key's encryption mode, asking KMS who manages the key (``KeyManager``) when needed.

        An alias ``alias/aws/*`` is AWS managed without asking; a key KMS cannot describe follows the
        offline rule of :func:`.encryption.kms_key`.
        """
        if key is UNKNOWN or not key:
            return encryption.kms_key(key)
        text = str(key)
        if encryption.is_aws_managed_key(text):
            return encryption.kms_key(text)
        with self._lock:
            known = text in self._key_managers
            manager = self._key_managers.get(text)
        if not known:
            manager = self._key_manager(text)
            with self._lock:
                self._key_managers[text] = manager
        if manager == "AWS":
            return Encryption("aws-managed", text)
        return Encryption("customer-managed", text)

    def _key_manager(self, key: str) -> str | None:
        kms = self.clients("kms")
        try:
            metadata = kms.describe_key(KeyId=key)["KeyMetadata"]
            manager = str(metadata.get("KeyManager") or "") or None
            if manager == "CUSTOMER":
                # moto: the key moto creates for a service's default encryption (DynamoDB SSEEnabled
                # without a key) says KeyManager CUSTOMER; its alias alias/aws/<service> tells the truth.
                aliases = kms.list_aliases(KeyId=metadata["KeyId"]).get("Aliases", [])
                if any(str(a.get("AliasName", "")).startswith("alias/aws/") for a in aliases):
                    manager = "AWS"
        except Exception as exc:
            if error_code(exc) is None:
                raise
            return None
        return manager


def _short(exc: BaseException) -> str:
    text = str(exc)
    if "<html" in text.lower() or "<!doctype" in text.lower():
        # moto: an operation it does not route answers an HTML 404 page.
        return "the target does not implement this call"
    text = text.splitlines()[0] if text else text
    return text if len(text) <= 160 else text[:157] + "..."


def tag_list(entries: Any, key: str = "Key", value: str = "Value") -> dict[str, str] | Unknown:
    """``{k: v}`` of a list of tag entries with the given key names (``TagKey``/``TagValue`` for KMS)."""
    if isinstance(entries, Unknown):
        return entries
    return {str(e[key]): str(e.get(value, "")) for e in entries or [] if isinstance(e, Mapping) and key in e}


def set_tags(resource: Resource, target: Target, read: Callable[[], Any]) -> None:
    """Resource tags from ``read()`` (a mapping or UNKNOWN) unless the selection already gave them."""
    if target.tags is not None:
        return
    resource.tags = effective_tags(read())
