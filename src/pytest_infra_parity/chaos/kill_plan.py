"""What to kill: a design deployed by the applier in a subprocess, and its state backend.

A design declares its state backend in the ``locks`` section of ``design.yaml`` (read by the chaos
room)::

    locks:
      max_age: 15m                      # older locks are reported as stale
      terraform:                        # the OpenTofu S3 backend (bootstrapped once per account)
        table: dashborion-tf-locks
        bucket: dashborion-tf-state-{account}
        key: dashborion/{Stage}/terraform.tfstate

``{account}``, ``{region}`` and ``{<parameter>}`` are replaced. The backend is created if missing
(table keyed by ``LockID`` string, as the S3 backend documentation requires, and a versioned bucket)
before the deployment and is not part of what the deployment leaves behind.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pytest_infra_parity.chaos.kill import TerraformBackend
from pytest_infra_parity.errors import DesignError

ClientFactory = Callable[[str], Any]
CREDENTIALS = {"moto": ("testing", "testing"), "localstack": ("test", "test")}
_STAGE_NAMES = ("Stage", "Env", "Environment", "EnvName")


@dataclass(frozen=True)
class LockSection:
    max_age: float | None
    backend: TerraformBackend | None


def _seconds(value: Any, where: str) -> float:
    text = str(value).strip()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        return float(text[:-1]) * units[text[-1]] if text and text[-1] in units else float(text)
    except ValueError:
        raise DesignError(f"{where}: {text!r} is not a duration such as 90s, 15m or 2h") from None


def read_lock_section(section: Any, values: Mapping[str, str], where: str = "design.yaml locks") -> LockSection:
    """The ``locks`` section, with placeholders filled from ``values``; errors name the key."""
    if section is None:
        return LockSection(None, None)
    if not isinstance(section, dict):
        raise DesignError(f"{where}: must be a mapping with max_age and/or terraform")
    unknown = sorted(set(section) - {"max_age", "terraform"})
    if unknown:
        raise DesignError(f"{where}: unknown key(s) {', '.join(unknown)} (known: max_age, terraform)")
    max_age = _seconds(section["max_age"], f"{where}.max_age") if "max_age" in section else None
    terraform = section.get("terraform")
    if terraform is None:
        return LockSection(max_age, None)
    if not isinstance(terraform, dict) or not {"table", "bucket", "key"} <= set(terraform):
        raise DesignError(f"{where}.terraform: needs table, bucket and key")

    def fill(text: Any) -> str:
        def replace(match: re.Match[str]) -> str:
            if match[1] not in values:
                raise DesignError(f"{where}.terraform: unknown placeholder {{{match[1]}}} in {text!r}")
            return values[match[1]]

        return re.sub(r"\{(\w+)\}", replace, str(text))

    return LockSection(max_age, TerraformBackend(fill(terraform["table"]), fill(terraform["bucket"]),
                                                 fill(terraform["key"])))


def ensure_backend(clients: ClientFactory, backend: TerraformBackend, region: str) -> list[str]:
    """Create the lock table and state bucket if missing; what was created (to remove later)."""
    from pytest_infra_parity.deploy.provisioners.base import error_code

    created: list[str] = []
    dynamodb = clients("dynamodb")
    try:
        dynamodb.create_table(TableName=backend.table, BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}])
        created.append(f"table {backend.table}")
    except Exception as exc:
        if error_code(exc) != "ResourceInUseException":
            raise
    s3 = clients("s3")
    try:
        kwargs: dict[str, Any] = {"Bucket": backend.bucket}
        if region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**kwargs)
        s3.put_bucket_versioning(Bucket=backend.bucket, VersioningConfiguration={"Status": "Enabled"})
        created.append(f"bucket {backend.bucket}")
    except Exception as exc:
        if error_code(exc) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    return created


def remove_backend(clients: ClientFactory, backend: TerraformBackend, created: list[str]) -> None:
    """Delete what :func:`ensure_backend` created (object versions first, then the bucket)."""
    if f"table {backend.table}" in created:
        clients("dynamodb").delete_table(TableName=backend.table)
    if f"bucket {backend.bucket}" in created:
        s3 = clients("s3")
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=backend.bucket):
            for item in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                s3.delete_object(Bucket=backend.bucket, Key=item["Key"], VersionId=item["VersionId"])
        s3.delete_bucket(Bucket=backend.bucket)


def unique_parameters(template_parameters: Mapping[str, Any], parameters: Mapping[str, str]) -> dict[str, str]:
    """The parameters with the stage-like one (Stage, Env...) set to a fresh ``k<hex>`` value.

    A second deployment of a design next to the session's own would clash on physical names built
    from the stage; a parameter with ``AllowedValues`` is left as it is.
    """
    merged = dict(parameters)
    for name in _STAGE_NAMES:
        declared = template_parameters.get(name)
        if declared is not None and not getattr(declared, "allowed_values", None):
            merged[name] = f"k{secrets.token_hex(3)}"
            break
    return merged


def applier_spec(*, template: str, stack: str, run_id: str, region: str, account_id: str, endpoint: str | None,
                 target_name: str, after: int, parameters: Mapping[str, str], design: str | None,
                 backend: TerraformBackend | None, profile: str | None = None) -> dict[str, Any]:
    """The JSON argument of :mod:`.kill_child`."""
    return {"template": template, "stack": stack, "run_id": run_id, "region": region, "account_id": account_id,
            "endpoint": endpoint, "credentials": CREDENTIALS.get(target_name), "profile": profile,
            "after": after, "parameters": dict(parameters), "design": design,
            "lock": backend.as_dict() if backend else None}
