"""State locks as Terraform/OpenTofu and SST v3 write them, parsed into :class:`StateLock`.

Terraform's S3 backend (hashicorp/terraform internal/backend/remote-state/s3/client.go):

- with ``dynamodb_table``, ``Lock`` puts the item ``{"LockID": "<bucket>/<key>", "Info": <LockInfo JSON>}``
  with ``ConditionExpression: attribute_not_exists(LockID)``; ``Unlock`` deletes it. The same table
  holds ``{"LockID": "<bucket>/<key>-md5", "Digest": <hex md5>}`` items: the state's checksum, not a lock.
- with ``use_lockfile = true`` (Terraform 1.10+), the lock is the object ``<key>.tflock`` next to the
  state, holding the same LockInfo JSON.

LockInfo (internal/states/statemgr/locker.go) marshals as ``{"ID", "Operation", "Info", "Who",
"Version", "Created", "Path"}``: ``Who`` is ``user@host``, ``Created`` Go's RFC 3339 time in UTC with
nanoseconds, ``Operation`` e.g. ``OperationTypeApply``, ``Path`` ``<bucket>/<key>``.

SST v3 (sst/sst pkg/project/provider/provider.go ``Lock`` and aws.go ``pathForData``): the object
``lock/<app>/<stage>.json`` in the state bucket (``sst-state-<random>``, named by the SSM parameter
``/sst/bootstrap``), JSON ``{"created", "updateID", "runID", "command"}``; ``sst unlock`` deletes it.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

TERRAFORM_DYNAMODB = "terraform-dynamodb"
TERRAFORM_S3 = "terraform-s3"
SST = "sst"
DIGEST_SUFFIX = "-md5"
LOCKFILE_SUFFIX = ".tflock"
SST_PREFIX = "lock/"
SST_BOOTSTRAP_PARAMETER = "/sst/bootstrap"

_FRACTION = re.compile(r"(\.\d{6})\d+")


@dataclass(frozen=True)
class StateLock:
    kind: str
    store: str
    """The DynamoDB table or the S3 bucket holding the lock."""
    key: str
    """The ``LockID`` item key or the object key."""
    lock_id: str
    who: str
    operation: str
    created: datetime | None
    path: str
    version: str = ""
    raw: str = ""

    @property
    def address(self) -> str:
        scheme = "dynamodb" if self.kind == TERRAFORM_DYNAMODB else "s3"
        return f"{scheme}://{self.store}/{self.key}"

    def age(self, now: datetime | None = None) -> float | None:
        if self.created is None:
            return None
        return ((now or datetime.now(UTC)) - self.created).total_seconds()

    def describe(self, now: datetime | None = None) -> str:
        age = self.age(now)
        held = f"held for {_duration(age)}" if age is not None else "creation time unknown"
        who = self.who or "unknown"
        when = self.created.isoformat(timespec="seconds") if self.created else "?"
        return (f"{self.address} ({self.kind}): {held}, by {who} since {when}, "
                f"operation {self.operation or '?'}, lock id {self.lock_id or '?'}, state {self.path or '?'}")


def _duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


def parse_time(text: str) -> datetime | None:
    """Go's RFC 3339 (nanoseconds, ``Z`` or an offset) as an aware datetime; ``None`` if unreadable."""
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", text.strip()).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _json(text: str) -> dict[str, object]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def terraform_lock(kind: str, store: str, key: str, info_text: str) -> StateLock:
    """A Terraform lock from its LockInfo JSON (an unreadable body still counts as a lock)."""
    info = _json(info_text)
    return StateLock(kind, store, key, str(info.get("ID", "")), str(info.get("Who", "")),
                     str(info.get("Operation", "")), parse_time(str(info.get("Created", ""))),
                     str(info.get("Path", "")), str(info.get("Version", "")), info_text)


def sst_lock(bucket: str, key: str, body: str) -> StateLock:
    """An SST lock object ``lock/<app>/<stage>.json``."""
    data = _json(body)
    app_stage = key[len(SST_PREFIX):].removesuffix(".json")
    command = str(data.get("command", ""))
    run = str(data.get("runID", ""))
    return StateLock(SST, bucket, key, str(data.get("updateID", "")), f"sst run {run}" if run else "",
                     f"sst {command}" if command else "", parse_time(str(data.get("created", ""))), app_stage,
                     "", body)


def go_time(moment: datetime) -> str:
    """A time as Go's ``time.Time`` marshals it in UTC (RFC 3339 with nanoseconds, ``Z``)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond:06d}000Z"


def terraform_info(bucket: str, key: str, *, who: str, operation: str = "OperationTypeApply",
                   version: str = "1.10.5", created: datetime | None = None, lock_id: str | None = None) -> str:
    """The LockInfo JSON Terraform writes (``json.Marshal`` of the struct: fields in declaration order)."""
    info = {"ID": lock_id or str(uuid.uuid4()), "Operation": operation, "Info": "", "Who": who,
            "Version": version, "Created": go_time(created or datetime.now(UTC)), "Path": f"{bucket}/{key}"}
    return json.dumps(info, separators=(",", ":"))


def sst_body(*, command: str = "deploy", update_id: str = "", run_id: str = "",
             created: datetime | None = None) -> str:
    """The lock JSON SST writes (``lockData``: created, updateID, runID, command)."""
    moment = (created or datetime.now(UTC)).astimezone()
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}000" + moment.strftime("%z")
    stamp = stamp[:-2] + ":" + stamp[-2:]
    data = {"created": stamp, "updateID": update_id or str(uuid.uuid4()), "runID": run_id, "command": command}
    return json.dumps(data, separators=(",", ":"))
