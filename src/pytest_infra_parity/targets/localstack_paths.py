"""Where LocalStack lives on this machine: the cache folder, its virtualenv, and one record per instance.

The cache folder is ``INFRA_PARITY_CACHE_DIR``, else ``$XDG_CACHE_HOME/pytest-infra-parity``, else
``~/.cache/pytest-infra-parity``. Under ``localstack/`` it holds the virtualenv (reused across runs)
and ``instances/<port>.json``: what ``infra-parity localstack stop``/``status`` (and a later run) need
to find an instance someone started, by port, with its own folder ``instances/<port>/`` (logs,
LocalStack's filesystem root, temp folder, home and S3 storage).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pytest_infra_parity.errors import TargetError

LOCALSTACK_VERSION = "2026.3.0"
"""The localstack-core release the host starter installs (the last one published without a licence check)."""

CONSTRAINTS = Path(__file__).with_name(f"localstack-constraints-{LOCALSTACK_VERSION}.txt")
"""Its dependencies as of its release (cbor2 6 and pyOpenSSL 26.4 break its start-up)."""


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """The plugin's cache folder (created on first use by whoever writes in it)."""
    env = os.environ if env is None else env
    if env.get("INFRA_PARITY_CACHE_DIR"):
        return Path(env["INFRA_PARITY_CACHE_DIR"]).expanduser().resolve()
    base = Path(env["XDG_CACHE_HOME"]).expanduser() if env.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return (base / "pytest-infra-parity").resolve()


def localstack_dir(cache: Path) -> Path:
    return cache / "localstack"


@dataclass
class InstanceRecord:
    """One LocalStack someone started through the plugin: enough to find it, check it and stop it."""

    port: int
    endpoint: str
    via: str
    """``host`` (a process group on this machine) or ``docker`` (a container)."""
    pid: int = 0
    container_id: str = ""
    started_at: float = 0.0
    ready_seconds: float = 0.0
    log: str = ""
    folder: str = ""
    version: str = LOCALSTACK_VERSION
    owner: str = "cli"
    """``cli`` (``infra-parity localstack start``) or ``pytest`` (``--infra-localstack=start``)."""
    extra: dict[str, str] = field(default_factory=dict)


def instances_dir(cache: Path) -> Path:
    return localstack_dir(cache) / "instances"


def record_path(cache: Path, port: int) -> Path:
    return instances_dir(cache) / f"{port}.json"


def instance_folder(cache: Path, port: int) -> Path:
    return instances_dir(cache) / str(port)


def write_record(cache: Path, record: InstanceRecord) -> Path:
    """Write the record atomically (a reader never sees half a file)."""
    path = record_path(cache, record.port)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(asdict(record), indent=2, sort_keys=True), encoding="utf-8")
    partial.replace(path)
    return path


def read_record(path: Path) -> InstanceRecord:
    """One record; a file that is not one is an error naming it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return InstanceRecord(**data)
    except (OSError, ValueError, TypeError) as exc:
        raise TargetError(f"{path}: not a LocalStack instance record ({exc}); delete it") from exc


def read_records(cache: Path) -> list[InstanceRecord]:
    """Every recorded instance, by port."""
    folder = instances_dir(cache)
    if not folder.is_dir():
        return []
    return sorted((read_record(p) for p in folder.glob("*.json")), key=lambda r: r.port)


def forget_record(cache: Path, port: int) -> None:
    record_path(cache, port).unlink(missing_ok=True)
