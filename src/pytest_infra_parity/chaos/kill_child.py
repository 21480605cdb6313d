"""The deployment that :mod:`.kill` kills: the plugin's applier in its own process.

``python -m pytest_infra_parity.chaos.kill_child SPEC_JSON``. With a Terraform backend in the spec, it
first takes the state lock exactly as OpenTofu/Terraform's S3 backend does (``PutItem`` of
``{LockID: <bucket>/<key>, Info: <LockInfo>}`` with ``attribute_not_exists(LockID)``), standing in for
``tofu apply``. It prints ``created <logical id>`` after each resource (and its ledger entry) and,
after the ``after``-th, prints ``paused`` and waits to be killed. Left alone, it releases the lock.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from typing import Any


def take_terraform_lock(clients: Any, lock: dict[str, str], run_id: str) -> str:
    """Take the lock as Terraform does; the LockInfo ``Who`` names the run (``infra-parity <run>@host``)."""
    from pytest_infra_parity.chaos.lock_formats import terraform_info

    info = terraform_info(lock["bucket"], lock["key"], who=f"infra-parity {run_id}@{socket.gethostname()}",
                          operation="OperationTypeApply", version="infra-parity")
    clients("dynamodb").put_item(
        TableName=lock["table"],
        Item={"LockID": {"S": f"{lock['bucket']}/{lock['key']}"}, "Info": {"S": info}},
        ConditionExpression="attribute_not_exists(LockID)",
    )
    return info


def main(argv: list[str]) -> int:
    from pathlib import Path

    from pytest_infra_parity.deploy.applier import Applier
    from pytest_infra_parity.deploy.template import load_template
    from pytest_infra_parity.targets._clients import ClientCache

    spec = json.loads(argv[0])
    cache = ClientCache(endpoint_url=spec.get("endpoint"), default_region=spec["region"],
                        credentials=tuple(spec["credentials"]) if spec.get("credentials") else None,
                        profile=spec.get("profile"), max_attempts=1)
    clients = cache.client
    lock = spec.get("lock")
    if lock:
        take_terraform_lock(clients, lock, spec["run_id"])
        print(f"locked {lock['table']} {lock['bucket']}/{lock['key']}", flush=True)
    template = load_template(Path(spec["template"]), region=spec["region"], account_id=spec["account_id"])
    created: list[str] = []

    def on_created(stack: str, logical_id: str, resource_type: str, physical_id: str, attrs: dict[str, Any]) -> None:
        created.append(logical_id)
        print(f"created {logical_id} {resource_type} {physical_id}", flush=True)
        if len(created) >= int(spec["after"]):
            print("paused", flush=True)
            time.sleep(float(spec.get("pause", 120)))  # the parent kills us here; alone, give up
            os._exit(3)

    Applier(clients, spec["region"], spec["account_id"], spec["run_id"], on_created=on_created).deploy(
        template, spec["stack"], spec.get("parameters") or {}, design=spec.get("design"))
    if lock:
        clients("dynamodb").delete_item(TableName=lock["table"],
                                        Key={"LockID": {"S": f"{lock['bucket']}/{lock['key']}"}})
    print("done", flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover - run as a subprocess
    sys.exit(main(sys.argv[1:]))
