"""Local Lambda code folders, and the offline SAM transform (aws-sam-translator: no network, no IAM).

``Code`` / ``Content`` (plain Lambda) and ``CodeUri`` / ``ContentUri`` (SAM) written as local paths are
resolved against the template's folder and become ``{"LocalPath": "<absolute folder>"}``.

AWS managed policy names are answered from the map bundled with samtranslator; an unknown name is a
:class:`TemplateError`. Local SAM code folders are swapped for placeholder S3 locations before the
transform (SAM wants S3) and mapped back after it.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import re
from pathlib import Path
from typing import Any

from pytest_infra_parity.errors import TemplateError

PLACEHOLDER_BUCKET = "infra-parity-local-code"
_FUNCTION = "AWS::Serverless::Function"
_LAYER = "AWS::Serverless::LayerVersion"
_CODE_URI = {_FUNCTION: "CodeUri", _LAYER: "ContentUri"}
_POLICY_HOLDERS = {_FUNCTION, "AWS::Serverless::StateMachine"}
# Where a plain Lambda resource names its code (a local folder, or where SAM wrote the placeholder).
LOCAL_CODE_PROPERTIES = {"AWS::Lambda::Function": "Code", "AWS::Lambda::LayerVersion": "Content"}


class OfflinePolicyLoader:
    """AWS managed policy name -> ARN, from samtranslator's bundled data (never calls IAM)."""

    def __init__(self, partition: str = "aws") -> None:
        from samtranslator.internal.managed_policies import get_bundled_managed_policy_map

        self.partition = partition
        self._map: dict[str, str] = dict(get_bundled_managed_policy_map(partition) or {})

    def load(self) -> dict[str, str]:
        """The whole name -> ARN map (the interface of samtranslator's ``ManagedPolicyLoader``)."""
        return self._map

    def arn(self, name: str, *, where: str = "") -> str:
        """The ARN of an AWS managed policy; an unknown name is a :class:`TemplateError`."""
        if name.startswith("arn:"):
            return name
        try:
            return self._map[name]
        except KeyError:
            prefix = f"{where}: " if where else ""
            raise TemplateError(
                f"{prefix}unknown AWS managed policy {name!r} (give its ARN, or a policy document)"
            ) from None


def is_local_path(value: Any) -> bool:
    """A code location written as a local path (not ``s3://`` or another URL)."""
    return isinstance(value, str) and bool(value) and "://" not in value


def local_folder(value: str, base_dir: Path, *, where: str, path: Path | None, line: int | None) -> Path:
    """The absolute folder a local code path names; a missing folder is a :class:`TemplateError`."""
    folder = Path(value).expanduser()
    folder = (folder if folder.is_absolute() else base_dir / folder).resolve()
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        raise TemplateError(f"{where}: local code path {value!r} {what} ({folder})", path=path, line=line)
    return folder


def localize_code(body: dict[str, Any], base_dir: Path, path: Path | None, lines: dict[str, int]) -> None:
    """Turn each plain Lambda function / layer whose code is a local path into ``{"LocalPath": ...}``.

    CDK file assets (``aws:asset:path`` metadata) are mapped to their folder in ``cdk.out`` too.
    """
    from pytest_infra_parity.deploy.cdk import localize_assets

    localize_assets(body, base_dir)
    for lid, res in body["Resources"].items():
        prop = LOCAL_CODE_PROPERTIES.get(res.get("Type"))
        props = res.get("Properties") or {}
        if prop is None or not is_local_path(props.get(prop)):
            continue
        folder = local_folder(
            props[prop], base_dir, where=f"{lid}.{prop}", path=path, line=lines.get(f"Resources.{lid}")
        )
        props[prop] = {"LocalPath": str(folder)}


def partition_of(region: str) -> str:
    """The partition of a region (``aws``, ``aws-cn``, ``aws-us-gov``)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def transform(
    body: dict[str, Any],
    *,
    base_dir: Path,
    region: str = "us-east-1",
    account_id: str = "123456789012",
    path: Path | None = None,
    lines: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The CloudFormation template a SAM template expands to, local code as ``{"LocalPath": ...}``."""
    lines = lines or {}
    template = copy.deepcopy(body)
    code_map = _swap_local_code(template, base_dir, path, lines)
    loader = OfflinePolicyLoader(partition_of(region))
    _check_policies(template, loader, path, lines)
    translated = _translate(template, loader, region, account_id, path, lines)
    _restore_local_code(translated, code_map)
    return translated


def _placeholder(folder: Path, code_map: dict[str, Path]) -> str:
    key = f"{hashlib.sha256(str(folder).encode()).hexdigest()[:16]}.zip"
    code_map[key] = folder
    return f"s3://{PLACEHOLDER_BUCKET}/{key}"


def _swap_local_code(
    template: dict[str, Any], base_dir: Path, path: Path | None, lines: dict[str, int]
) -> dict[str, Path]:
    code_map: dict[str, Path] = {}
    function_globals = (template.get("Globals") or {}).get("Function")
    if isinstance(function_globals, dict) and is_local_path(function_globals.get("CodeUri")):
        folder = local_folder(
            function_globals["CodeUri"],
            base_dir,
            where="Globals.Function.CodeUri",
            path=path,
            line=lines.get("Globals"),
        )
        function_globals["CodeUri"] = _placeholder(folder, code_map)
    for lid, res in template["Resources"].items():
        prop = _CODE_URI.get(res.get("Type"))
        props = res.get("Properties")
        if prop is None or not isinstance(props, dict) or not is_local_path(props.get(prop)):
            continue
        line = lines.get(f"Resources.{lid}")
        folder = local_folder(props[prop], base_dir, where=f"{lid}.{prop}", path=path, line=line)
        props[prop] = _placeholder(folder, code_map)
    return code_map


def _check_policies(
    template: dict[str, Any], loader: OfflinePolicyLoader, path: Path | None, lines: dict[str, int]
) -> None:
    for lid, res in template["Resources"].items():
        props = res.get("Properties")
        if res.get("Type") not in _POLICY_HOLDERS or not isinstance(props, dict):
            continue
        policies = props.get("Policies")
        for index, policy in enumerate(policies if isinstance(policies, list) else [policies]):
            if isinstance(policy, str):
                try:
                    loader.arn(policy, where=f"{lid}.Policies[{index}]")
                except TemplateError as exc:
                    raise TemplateError(exc.message, path=path, line=lines.get(f"Resources.{lid}")) from None


def _translate(
    template: dict[str, Any],
    loader: OfflinePolicyLoader,
    region: str,
    account_id: str,
    path: Path | None,
    lines: dict[str, int],
) -> dict[str, Any]:
    import boto3
    from samtranslator.model.exceptions import ExceptionWithMessage, InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    # Offline there is no feature-toggle config: samtranslator's defaults apply, and it would warn
    # once per feature it looks up.
    logging.getLogger("samtranslator.feature_toggle").setLevel(logging.ERROR)
    # A session that only carries the region: samtranslator reads it for AWS::Region / partition.
    session = boto3.session.Session(region_name=region)
    translator = Translator(None, Parser(), boto_session=session)
    parameters = {"AWS::Region": region, "AWS::AccountId": account_id, "AWS::Partition": partition_of(region)}
    try:
        result: dict[str, Any] = translator.translate(
            template, parameter_values=parameters, get_managed_policy_map=loader.load
        )
    except InvalidDocumentException as exc:
        causes = [c.message for c in exc.causes] or [exc.message]
        raise _sam_error(causes, path, lines) from None
    except ExceptionWithMessage as exc:
        raise _sam_error([exc.message], path, lines) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # samtranslator trips on some malformed input with a bare Python error: report it as the template's.
        raise _sam_error([f"{type(exc).__name__}: {exc}"], path, lines) from exc
    return result


def _sam_error(causes: list[str], path: Path | None, lines: dict[str, int]) -> TemplateError:
    line = None
    for cause in causes:
        match = re.search(r"\[([A-Za-z0-9]+)\]", cause)
        if match and f"Resources.{match.group(1)}" in lines:
            line = lines[f"Resources.{match.group(1)}"]
            break
    listing = "\n".join(f"  - {cause}" for cause in causes)
    return TemplateError(f"SAM transform failed ({len(causes)} error(s)):\n{listing}", path=path, line=line)


def _restore_local_code(translated: dict[str, Any], code_map: dict[str, Path]) -> None:
    for res in (translated.get("Resources") or {}).values():
        prop = LOCAL_CODE_PROPERTIES.get(res.get("Type"))
        props = res.get("Properties") or {}
        code = props.get(prop) if prop else None
        if not isinstance(code, dict) or code.get("S3Bucket") != PLACEHOLDER_BUCKET:
            continue
        if prop is not None and code.get("S3Key") in code_map:
            props[prop] = {"LocalPath": str(code_map[code["S3Key"]])}
