"""Load a CloudFormation or SAM template: YAML (short tags) or JSON, with line numbers and clear errors.

The template is decoded with cfn-lint's decoder (short tags become the long ``Fn::`` form), checked
for the structure the applier relies on, transformed offline when it is a SAM template, and its local
Lambda code folders are resolved to ``{"LocalPath": "<absolute folder>"}``.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_infra_parity.deploy.conditions import parameter_type_known
from pytest_infra_parity.deploy.sam import localize_code
from pytest_infra_parity.deploy.sam import transform as sam_transform
from pytest_infra_parity.errors import TemplateError

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
SUPPORTED_TRANSFORMS = frozenset({SAM_TRANSFORM, LANGUAGE_EXTENSIONS})
SECTIONS = frozenset(
    {
        "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings",
        "Conditions", "Transform", "Resources", "Outputs", "Globals",
    }
)
RESOURCE_KEYS = frozenset(
    {
        "Type", "Properties", "DependsOn", "Condition", "DeletionPolicy", "UpdateReplacePolicy",
        "UpdatePolicy", "CreationPolicy", "Metadata", "Version", "Connectors",
    }
)
DELETION_POLICIES = frozenset({"Delete", "Retain", "RetainExceptOnCreate", "Snapshot"})


@dataclass(frozen=True)
class ParameterDecl:
    """One entry of the ``Parameters`` section."""

    name: str
    type: str
    default: Any | None = None
    allowed_values: tuple[Any, ...] | None = None
    allowed_pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    no_echo: bool = False
    description: str = ""
    constraint_description: str = ""


@dataclass(frozen=True)
class ResourceDecl:
    """One resource of the (transformed) template, intrinsics unresolved."""

    logical_id: str
    resource_type: str
    properties: dict[str, Any]
    depends_on: tuple[str, ...] = ()
    condition: str | None = None
    deletion_policy: str | None = None
    update_policy: dict[str, Any] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    line: int | None = None


@dataclass(frozen=True)
class OutputDecl:
    """One entry of the ``Outputs`` section."""

    name: str
    value: Any
    condition: str | None = None
    export_name: Any | None = None
    description: str = ""


@dataclass
class Template:
    """A parsed template: the source as written and the body the applier deploys."""

    path: Path | None
    source: dict[str, Any]
    body: dict[str, Any]
    parameters: dict[str, ParameterDecl]
    mappings: dict[str, Any]
    conditions: dict[str, Any]
    resources: dict[str, ResourceDecl]
    outputs: dict[str, OutputDecl]
    is_sam: bool
    description: str
    transforms: tuple[str, ...] = ()
    lines: dict[str, int] = field(default_factory=dict)
    """Line of each declaration, keyed ``"Resources.<id>"``, ``"Parameters.<name>"``..."""

    def line_of(self, logical_id: str) -> int | None:
        """The line of a resource (for a resource SAM generated: the line of the SAM resource)."""
        decl = self.resources.get(logical_id)
        if decl is not None and decl.line is not None:
            return decl.line
        return self.lines.get(f"Resources.{logical_id}")

    def error(self, message: str, *, logical_id: str | None = None, line: int | None = None) -> TemplateError:
        """A :class:`TemplateError` located at this template's file and the resource's line."""
        if line is None and logical_id is not None:
            line = self.line_of(logical_id)
        return TemplateError(message, path=self.path, line=line)


def load_template(path: Path, *, region: str = "us-east-1", account_id: str = "123456789012") -> Template:
    """Read and parse a template file (YAML or JSON)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError("template file not found", path=path) from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot read the template: {exc}", path=path) from exc
    return parse_template(text, path=path, base_dir=path.parent, region=region, account_id=account_id)


def parse_template(
    text: str,
    *,
    path: Path | None = None,
    base_dir: Path | None = None,
    region: str = "us-east-1",
    account_id: str = "123456789012",
) -> Template:
    """Parse template text; ``base_dir`` (default: the template's folder) anchors local code paths."""
    node = _decode(text, path)
    lines = _collect_lines(node)
    source = _plain(node)
    transforms = _transforms(source, path, lines.get("Transform"))
    _check_structure(source, path, lines, sam=SAM_TRANSFORM in transforms)
    folder = (base_dir if base_dir is not None else path.parent if path is not None else Path.cwd()).resolve()
    body = copy.deepcopy(source)
    is_sam = SAM_TRANSFORM in transforms
    if is_sam:
        body = sam_transform(body, base_dir=folder, region=region, account_id=account_id,
                             path=path, lines=lines)
    localize_code(body, folder, path, lines)
    body.pop("Transform", None)
    if transforms != [SAM_TRANSFORM] and transforms:
        body["Transform"] = [t for t in transforms if t != SAM_TRANSFORM]
    source_ids = list(source["Resources"])
    resources = {
        lid: _resource_decl(lid, res, _generated_line(lid, source_ids, lines), path)
        for lid, res in body["Resources"].items()
    }
    conditions = body.get("Conditions") or {}
    _check_conditions_named(resources, body.get("Outputs") or {}, conditions, path, lines)
    return Template(
        path=path,
        source=source,
        body=body,
        parameters={n: _parameter_decl(n, d, path, lines) for n, d in (body.get("Parameters") or {}).items()},
        mappings=body.get("Mappings") or {},
        conditions=conditions,
        resources=resources,
        outputs={n: _output_decl(n, d, path, lines) for n, d in (body.get("Outputs") or {}).items()},
        is_sam=is_sam,
        description=str(source.get("Description") or ""),
        transforms=tuple(transforms),
        lines=lines,
    )


def _decode(text: str, path: Path | None) -> Any:
    from cfnlint.decode.decode import decode_str  # cfn-lint is slow to import: only when parsing

    node, matches = decode_str(text)
    if matches:
        first = matches[0]
        line = first.linenumber if first.linenumber and first.linenumber > 0 else None
        details = "; ".join(
            f"line {m.linenumber}, column {m.columnnumber}: {m.message}" if m.linenumber else m.message
            for m in matches
        )
        raise TemplateError(f"malformed template (YAML/JSON): {details}", path=path, line=line)
    if not isinstance(node, dict):
        raise TemplateError("the template must be a mapping of sections", path=path, line=1)
    return node


def _node_line(node: Any) -> int | None:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None and getattr(mark, "line", None) is not None else None


def _collect_lines(node: Mapping[Any, Any]) -> dict[str, int]:
    lines: dict[str, int] = {}
    for section_key, section in node.items():
        line = _node_line(section_key)
        if line is not None:
            lines[str(section_key)] = line
        if isinstance(section, Mapping):
            for key in section:
                line = _node_line(key)
                if line is not None:
                    lines[f"{section_key}.{key}"] = line
    return lines


def _plain(value: Any) -> Any:
    """Decoder nodes to plain dict / list / str (dates back to the text they were written as)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _check_structure(source: dict[str, Any], path: Path | None, lines: dict[str, int], *, sam: bool) -> None:
    for key in source:
        if key not in SECTIONS:
            raise TemplateError(f"unknown top-level section {key!r}", path=path, line=lines.get(key))
    resources = source.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise TemplateError("the template has no Resources", path=path, line=lines.get("Resources"))
    for section in ("Parameters", "Mappings", "Conditions", "Outputs", "Globals"):
        if section in source and not isinstance(source[section], dict):
            raise TemplateError(f"section {section} must be a mapping", path=path, line=lines.get(section))
    for lid, res in resources.items():
        line = lines.get(f"Resources.{lid}")
        if lid.startswith("Fn::"):
            raise TemplateError(f"{lid} in Resources is not supported by the applier", path=path, line=line)
        if not isinstance(res, dict):
            raise TemplateError(f"resource {lid} must be a mapping", path=path, line=line)
        rtype = res.get("Type")
        if not isinstance(rtype, str) or not rtype:
            raise TemplateError(f"resource {lid} has no Type", path=path, line=line)
        if rtype.startswith("AWS::Serverless::") and not sam:
            message = f"resource {lid}: {rtype} needs 'Transform: {SAM_TRANSFORM}'"
            raise TemplateError(message, path=path, line=line)
        if not isinstance(res.get("Properties", {}), dict):
            raise TemplateError(f"resource {lid}: Properties must be a mapping", path=path, line=line)
        unknown = sorted(set(res) - RESOURCE_KEYS)
        if unknown:
            message = f"resource {lid}: unknown attribute(s) {', '.join(unknown)}"
            raise TemplateError(message, path=path, line=line)


def _transforms(source: dict[str, Any], path: Path | None, line: int | None) -> list[str]:
    raw = source.get("Transform")
    names = [] if raw is None else [raw] if isinstance(raw, str) else raw
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise TemplateError(
            "Transform must be a name or a list of names (macros with parameters are not supported)",
            path=path,
            line=line,
        )
    for name in names:
        if name not in SUPPORTED_TRANSFORMS:
            raise TemplateError(
                f"unsupported Transform {name!r} (supported: {', '.join(sorted(SUPPORTED_TRANSFORMS))})",
                path=path,
                line=line,
            )
    return list(names)


def _generated_line(logical_id: str, source_ids: list[str], lines: dict[str, int]) -> int | None:
    """The line of a resource; for one SAM generated, the line of the SAM resource its id starts with."""
    if f"Resources.{logical_id}" in lines:
        return lines[f"Resources.{logical_id}"]
    owners = [sid for sid in source_ids if logical_id.startswith(sid)]
    return lines.get(f"Resources.{max(owners, key=len)}") if owners else None


def _resource_decl(lid: str, res: dict[str, Any], line: int | None, path: Path | None) -> ResourceDecl:
    def fail(message: str) -> TemplateError:
        return TemplateError(f"resource {lid}: {message}", path=path, line=line)

    depends = res.get("DependsOn", [])
    depends = [depends] if isinstance(depends, str) else depends
    if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
        raise fail("DependsOn must be a logical id or a list of logical ids")
    condition = res.get("Condition")
    if condition is not None and not isinstance(condition, str):
        raise fail("Condition must be the name of a condition")
    policy = res.get("DeletionPolicy")
    if policy is not None and policy not in DELETION_POLICIES:
        raise fail(f"DeletionPolicy {policy!r} is not one of {', '.join(sorted(DELETION_POLICIES))}")
    update_policy = res.get("UpdatePolicy")
    if update_policy is not None and not isinstance(update_policy, dict):
        raise fail("UpdatePolicy must be a mapping")
    metadata = res.get("Metadata") or {}
    if not isinstance(metadata, dict):
        raise fail("Metadata must be a mapping")
    return ResourceDecl(
        logical_id=lid,
        resource_type=str(res["Type"]),
        properties=dict(res.get("Properties") or {}),
        depends_on=tuple(dict.fromkeys(depends)),
        condition=condition,
        deletion_policy=policy,
        update_policy=update_policy,
        metadata=metadata,
        line=line,
    )


def _check_conditions_named(
    resources: dict[str, ResourceDecl],
    outputs: dict[str, Any],
    conditions: dict[str, Any],
    path: Path | None,
    lines: dict[str, int],
) -> None:
    for decl in resources.values():
        if decl.condition is not None and decl.condition not in conditions:
            raise TemplateError(
                f"resource {decl.logical_id}: Condition {decl.condition!r} is not declared in Conditions",
                path=path,
                line=decl.line,
            )
    for name, out in outputs.items():
        cond = out.get("Condition") if isinstance(out, dict) else None
        if cond is not None and (not isinstance(cond, str) or cond not in conditions):
            raise TemplateError(
                f"output {name}: Condition {cond!r} is not declared in Conditions",
                path=path,
                line=lines.get(f"Outputs.{name}"),
            )


def _number(name: str, key: str, value: Any, path: Path | None, line: int | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        message = f"parameter {name}: {key} must be a number, not {value!r}"
        raise TemplateError(message, path=path, line=line) from None


def _parameter_decl(name: str, raw: Any, path: Path | None, lines: dict[str, int]) -> ParameterDecl:
    line = lines.get(f"Parameters.{name}")
    if not isinstance(raw, dict) or not isinstance(raw.get("Type"), str):
        raise TemplateError(f"parameter {name} has no Type", path=path, line=line)
    allowed = raw.get("AllowedValues")
    if allowed is not None and not isinstance(allowed, list):
        raise TemplateError(f"parameter {name}: AllowedValues must be a list", path=path, line=line)
    if not parameter_type_known(raw["Type"].strip()):
        raise TemplateError(f"parameter {name}: unknown Type {raw['Type']!r}", path=path, line=line)
    min_length = _number(name, "MinLength", raw.get("MinLength"), path, line)
    max_length = _number(name, "MaxLength", raw.get("MaxLength"), path, line)
    no_echo = raw.get("NoEcho", False)
    return ParameterDecl(
        name=name,
        type=raw["Type"].strip(),
        default=raw.get("Default"),
        allowed_values=tuple(allowed) if allowed is not None else None,
        allowed_pattern=str(raw["AllowedPattern"]) if raw.get("AllowedPattern") is not None else None,
        min_length=int(min_length) if min_length is not None else None,
        max_length=int(max_length) if max_length is not None else None,
        min_value=_number(name, "MinValue", raw.get("MinValue"), path, line),
        max_value=_number(name, "MaxValue", raw.get("MaxValue"), path, line),
        no_echo=no_echo is True or str(no_echo).lower() == "true",
        description=str(raw.get("Description") or ""),
        constraint_description=str(raw.get("ConstraintDescription") or ""),
    )


def _output_decl(name: str, raw: Any, path: Path | None, lines: dict[str, int]) -> OutputDecl:
    line = lines.get(f"Outputs.{name}")
    if not isinstance(raw, dict) or "Value" not in raw:
        raise TemplateError(f"output {name} has no Value", path=path, line=line)
    export = raw.get("Export")
    if export is not None and (not isinstance(export, dict) or "Name" not in export):
        raise TemplateError(f"output {name}: Export must be a mapping with a Name", path=path, line=line)
    return OutputDecl(
        name=name,
        value=raw["Value"],
        condition=raw.get("Condition"),
        export_name=export["Name"] if export is not None else None,
        description=str(raw.get("Description") or ""),
    )
