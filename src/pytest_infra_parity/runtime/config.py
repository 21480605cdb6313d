"""What the local runtime needs to run one function version: its configuration and its code on disk.

The configuration comes from the target (``GetFunction`` with the qualifier, so a published version
keeps the settings it was published with): runtime, handler, environment, timeout, memory, layers and
the function's reserved concurrency. The code is the folder the deployer zipped (the template's
``Code``/``CodeUri``: the stack keeps it as ``{"LocalPath": folder}``), an inline ``ZipFile`` written to
``index.py``/``index.js``, or an S3 object fetched from the target and extracted, as Lambda extracts a
package into ``/var/task``; a layer's content likewise (its ``/opt`` folder).
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_infra_parity.errors import DeployError

__all__ = ["CodeLocator", "FunctionConfig", "function_config", "parse_function_ref"]

Clients = Callable[[str], Any]
DEFAULT_TIMEOUT = 3
DEFAULT_MEMORY = 128


@dataclass(frozen=True)
class FunctionConfig:
    """One function version as the runtime runs it."""

    name: str
    arn: str
    version: str
    runtime: str
    handler: str
    code_dir: Path
    layer_dirs: tuple[Path, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY
    reserved: int | None = None
    """The function's reserved concurrency (all versions share it), or None when unreserved."""

    @property
    def key(self) -> str:
        return f"{self.name}:{self.version}"

    @property
    def language(self) -> str:
        if self.runtime.startswith("python"):
            return "python"
        if self.runtime.startswith("nodejs"):
            return "node"
        return self.runtime


def parse_function_ref(ref: str, qualifier: str | None = None) -> tuple[str, str | None]:
    """``(name, qualifier)`` of a name, ``name:qualifier``, or a (qualified) function ARN."""
    name, found = ref, None
    if ref.startswith("arn:"):
        parts = ref.split(":")
        if len(parts) < 7 or parts[5] != "function":
            raise DeployError(f"{ref!r} is not a Lambda function ARN")
        name, found = parts[6], (parts[7] if len(parts) > 7 else None)
    elif ":" in ref:
        name, found = ref.split(":", 1)
    chosen = qualifier or found
    return name, (None if chosen in (None, "", "$LATEST") else chosen)


def _extract(data: bytes, into: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(into)
    return into


class CodeLocator:
    """Function name (or layer version ARN) -> folder holding its code, from a stack or by registration."""

    def __init__(self, clients: Clients | None = None) -> None:
        self._clients = clients
        self._functions: dict[str, Path] = {}
        self._layers: dict[str, Path] = {}
        self._declared_layers: dict[str, list[str]] = {}
        self._temp = tempfile.TemporaryDirectory(prefix="infra-parity-code-")

    def close(self) -> None:
        self._temp.cleanup()

    def register(self, function: str, folder: str | Path, layers: list[str] | None = None) -> None:
        self._functions[function] = Path(folder)
        if layers is not None:
            self._declared_layers[function] = list(layers)

    def register_layer(self, arn: str, folder: str | Path) -> None:
        self._layers[arn] = Path(folder)

    def _materialize(self, what: str, code: Mapping[str, Any], runtime: str | None) -> Path:
        target = Path(self._temp.name) / what.replace(":", "_").replace("/", "_")
        if "LocalPath" in code:
            return Path(str(code["LocalPath"]))
        if "ZipFile" in code:
            target.mkdir(parents=True, exist_ok=True)
            name = "index.js" if (runtime or "").startswith("nodejs") else "index.py"
            (target / name).write_text(str(code["ZipFile"]))
            return target
        if "S3Bucket" in code and "S3Key" in code and self._clients is not None:
            extra = {"VersionId": str(code["S3ObjectVersion"])} if code.get("S3ObjectVersion") else {}
            body = self._clients("s3").get_object(Bucket=str(code["S3Bucket"]), Key=str(code["S3Key"]), **extra)
            return _extract(body["Body"].read(), target)
        raise DeployError(f"{what}: the local runtime cannot run code given as {sorted(code)} (it needs a folder, "
                          "inline ZipFile or an S3 object on the target)")

    def add_stack(self, stack: Any) -> None:
        """Register every function and layer version of a deployed stack."""
        for res in stack.resources.values():
            props = res.properties
            if res.resource_type == "AWS::Lambda::LayerVersion" and props.get("Content"):
                self._layers[res.physical_id] = self._materialize(res.physical_id, props["Content"], None)
            elif res.resource_type == "AWS::Lambda::Function" and props.get("Code"):
                self._functions[res.physical_id] = self._materialize(res.physical_id, props["Code"],
                                                                     props.get("Runtime"))
                self._declared_layers[res.physical_id] = [str(x) for x in props.get("Layers") or []]

    def code_dir(self, function: str) -> Path:
        try:
            return self._functions[function]
        except KeyError:
            known = ", ".join(sorted(self._functions)) or "none"
            raise DeployError(f"the local runtime has no code for function {function} (functions with code: "
                              f"{known}); deploy it through the plugin or register its folder") from None

    def layer_dirs(self, function: str, arns: list[str]) -> tuple[Path, ...]:
        """Folders of the layers (in order); the declared ones when the target answered none."""
        chosen = arns or self._declared_layers.get(function, [])
        missing = [a for a in chosen if a not in self._layers]
        if missing:
            raise DeployError(f"function {function}: no content for layer(s) {', '.join(missing)}")
        return tuple(self._layers[a] for a in chosen)


def function_config(clients: Clients, code: CodeLocator, name: str, version: str | None) -> FunctionConfig:
    """Read ``name`` (at ``version``, else $LATEST) from the target."""
    lam = clients("lambda")
    params = {"FunctionName": name, **({"Qualifier": version} if version else {})}
    try:
        got = lam.get_function(**params)
    except Exception as exc:  # duck-typed: a missing function is a clear error, anything else propagates
        code_name = getattr(exc, "response", {}).get("Error", {}).get("Code")
        if code_name == "ResourceNotFoundException":
            raise DeployError(f"function {name}{':' + version if version else ''} does not exist on the target") \
                from None
        raise
    conf = got["Configuration"]
    reserved = (got.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
    # moto: get_function answers Layers as [] even when the function was created with layers; the
    # declared ones are used then (CodeLocator.layer_dirs).
    layer_arns = [str(layer["Arn"]) for layer in conf.get("Layers") or []]
    return FunctionConfig(
        name=str(conf["FunctionName"]), arn=str(conf["FunctionArn"]).split(":$LATEST")[0],
        version=str(conf.get("Version") or "$LATEST"), runtime=str(conf.get("Runtime") or ""),
        handler=str(conf.get("Handler") or ""), code_dir=code.code_dir(str(conf["FunctionName"])),
        layer_dirs=code.layer_dirs(str(conf["FunctionName"]), layer_arns),
        env={str(k): str(v) for k, v in ((conf.get("Environment") or {}).get("Variables") or {}).items()},
        timeout=float(conf.get("Timeout") or DEFAULT_TIMEOUT), memory_mb=int(conf.get("MemorySize") or DEFAULT_MEMORY),
        reserved=None if reserved is None else int(reserved))
