"""Reading the JSON files of Terraform and Pulumi: parse errors with their line, format checks, addresses.

The ``terraform show -json`` documents carry a ``format_version``: "We will increment the major version
... for changes that are not backward-compatible. Reject any input which reports an unsupported major
version" (Terraform docs, "JSON Output Format"). This module accepts major version 1 and refuses others.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pytest_infra_parity.errors import SourceError

SUPPORTED_FORMAT_MAJOR = "1"


def read_json(path: Path, what: str) -> Any:
    """The parsed document; a :class:`SourceError` naming the file and line when it is not JSON."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceError(f"cannot read the {what}: {exc.strerror or exc}", path=path) from exc
    except UnicodeDecodeError as exc:
        raise SourceError(f"the {what} is not UTF-8 text (a binary plan file? run `terraform show -json` on it)",
                          path=path) from exc
    return parse_json(text, path, what)


def parse_json(text: str, path: Path | str, what: str) -> Any:
    if not text.strip():
        raise SourceError(f"the {what} is empty", path=path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        last_line = text.rstrip().count("\n") + 1
        truncated = " (truncated?)" if exc.lineno >= last_line or exc.pos >= len(text.rstrip()) else ""
        raise SourceError(f"the {what} is not valid JSON{truncated}: {exc.msg} at column {exc.colno}",
                          path=path, line=exc.lineno) from exc


def check_format_version(document: dict[str, Any], path: Path | str, what: str) -> None:
    """Refuse a ``format_version`` whose major version this reader does not know."""
    version = document.get("format_version")
    if not isinstance(version, str) or not version:
        raise SourceError(f"the {what} has no format_version: not the output of `terraform show -json`", path=path)
    if version.split(".", 1)[0] != SUPPORTED_FORMAT_MAJOR:
        raise SourceError(f"the {what} has format_version {version}; only {SUPPORTED_FORMAT_MAJOR}.x is supported "
                          "(Terraform 0.12 and later)", path=path)


def instance_address(module: str | None, tf_type: str, name: str, index: Any, *, data: bool = False) -> str:
    """``module.a.aws_x.y["k"]`` from its parts (a string index quoted as Terraform prints it)."""
    prefix = f"{module}." if module else ""
    mode = "data." if data else ""
    suffix = "" if index is None else f"[{json.dumps(index)}]"
    return f"{prefix}{mode}{tf_type}.{name}{suffix}"


def describe_foreign(document: Any) -> str | None:
    """What a JSON document of another format is, for a clear error; ``None`` if it is not recognized."""
    if not isinstance(document, dict):
        return f"a JSON {type(document).__name__}, not an object"
    if "deployment" in document or "checkpoint" in document:
        return "a Pulumi state (pulumi stack export)"
    if "Resources" in document or "AWSTemplateFormatVersion" in document:
        return "a CloudFormation template"
    if "resource_changes" in document or "planned_values" in document:
        return "a Terraform plan (terraform show -json PLANFILE)"
    if "modules" in document and "version" in document:
        return f"a Terraform state of version {document.get('version')} (Terraform < 0.12), not supported"
    if "values" in document and "format_version" in document:
        return "a Terraform state (terraform show -json)"
    if document.get("version") == 4 and "resources" in document:
        return "a Terraform state file (terraform.tfstate, version 4)"
    if "artifacts" in document and "version" in document:
        return "an AWS CDK cloud assembly manifest (read the synthesized template instead)"
    if "$schema" in document and "resources" in document:
        return "an Azure Resource Manager template"
    return None
