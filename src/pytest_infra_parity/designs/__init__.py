"""Designs: a template plus what the plugin needs to bring it up and check it.

A design is a folder holding a template (CloudFormation YAML/JSON, SAM, or CDK synth output) and an
optional ``design.yaml`` (name, description, parameters, Lambda handler folders, usage profile,
budget, criteria, deviations from the seed, prerequisites). A folder holding only a template is a
design named after the folder, and so is a template file given by path. The five seed designs ship
in this package; users add folders with ``--infra-design-path``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pytest_infra_parity.errors import DesignError

BUILTIN_ROOT = Path(__file__).resolve().parent
TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")
_CDK_SUFFIX = ".template.json"
_KNOWN_KEYS = frozenset(
    {
        "name", "seed", "title", "description", "template", "parameters", "functions", "usage", "budget",
        "criteria", "deviations", "prerequisites", "notes", "build",
    }
)
ROOM_KEYS = frozenset({"traffic", "canary", "scaling", "flags", "analysis", "variant_of", "expected_failures",
                       "implementations", "locks", "cost"})
"""Sections the rooms read (control-plane emulation, parity implementations, chaos, cost), kept in
:attr:`Design.sections` as written; each room validates its own section."""


@dataclass(frozen=True)
class Design:
    """A deployable design."""

    name: str
    folder: Path
    template_path: Path
    title: str = ""
    description: str = ""
    seed: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    functions: dict[str, Path] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)
    budget: dict[str, Any] = field(default_factory=dict)
    criteria: tuple[str, ...] = ()
    deviations: tuple[str, ...] = ()
    prerequisites: dict[str, Any] = field(default_factory=dict)
    builtin: bool = False
    sections: dict[str, Any] = field(default_factory=dict)
    """The room sections of ``design.yaml`` (:data:`ROOM_KEYS`), as written."""


def _find_template(folder: Path) -> Path | None:
    for name in TEMPLATE_NAMES:
        if (folder / name).is_file():
            return folder / name
    synth = sorted(folder.glob(f"*{_CDK_SUFFIX}"))
    return synth[0] if len(synth) == 1 else None


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise DesignError(f"malformed YAML: {exc.problem or exc}", path=path, line=line) from exc
    except yaml.YAMLError as exc:
        raise DesignError(f"malformed YAML: {exc}", path=path) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DesignError("design.yaml must be a mapping of keys (name, template, parameters...)", path=path)
    return data


def _mapping(value: Any, key: str, path: Path) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DesignError(f"'{key}' must be a mapping, got {type(value).__name__}", path=path)
    return dict(value)


def _str_list(value: Any, key: str, path: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise DesignError(f"'{key}' must be a list of sentences, got {type(value).__name__}", path=path)
    return tuple(str(item) for item in value)


def _prerequisites(value: Any, path: Path) -> dict[str, Any]:
    found = _mapping(value, "prerequisites", path)
    _mapping(found.get("secrets"), "prerequisites.secrets", path)
    return found


def _str_map(value: Any, key: str, path: Path) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DesignError(f"'{key}' must be a mapping", path=path)
    return {str(k): str(v) for k, v in value.items()}


def load_design(folder: Path, *, builtin: bool = False) -> Design:
    """Load the design in ``folder`` (with or without ``design.yaml``)."""
    folder = folder.resolve()
    meta_path = folder / "design.yaml"
    meta = _read_yaml(meta_path) if meta_path.is_file() else {}
    unknown = sorted(set(meta) - _KNOWN_KEYS - ROOM_KEYS)
    if unknown:
        raise DesignError(
            f"unknown key(s) {', '.join(unknown)}; known keys: {', '.join(sorted(_KNOWN_KEYS | ROOM_KEYS))}",
            path=meta_path,
        )
    if "template" in meta:
        template_path = (folder / str(meta["template"])).resolve()
        if not template_path.is_file():
            raise DesignError(f"template {meta['template']!r} does not exist in {folder}", path=meta_path)
    else:
        found = _find_template(folder)
        if found is None:
            raise DesignError(
                f"no template in {folder} (expected one of {', '.join(TEMPLATE_NAMES)} or a CDK "
                f"*{_CDK_SUFFIX})"
            )
        template_path = found
    functions = {k: (folder / v).resolve() for k, v in _str_map(meta.get("functions"), "functions", meta_path).items()}
    for logical_id, handler in functions.items():
        if not handler.is_dir():
            raise DesignError(f"handler folder of {logical_id} does not exist: {handler}", path=meta_path)
    return Design(
        name=str(meta.get("name") or folder.name),
        folder=folder,
        template_path=template_path,
        title=str(meta.get("title", "")),
        description=str(meta.get("description", "")).strip(),
        seed=str(meta["seed"]) if meta.get("seed") is not None else None,
        parameters=_str_map(meta.get("parameters"), "parameters", meta_path),
        functions=functions,
        usage=_mapping(meta.get("usage"), "usage", meta_path),
        budget=_mapping(meta.get("budget"), "budget", meta_path),
        criteria=_str_list(meta.get("criteria"), "criteria", meta_path),
        deviations=_str_list(meta.get("deviations"), "deviations", meta_path),
        prerequisites=_prerequisites(meta.get("prerequisites"), meta_path),
        builtin=builtin,
        sections={key: meta[key] for key in sorted(ROOM_KEYS) if key in meta},
    )


def design_from_template(path: Path) -> Design:
    """A template file given by path is a design named after its folder."""
    path = path.resolve()
    if not path.is_file():
        raise DesignError(f"template {path} does not exist")
    return Design(name=path.parent.name, folder=path.parent, template_path=path)


def builtin_designs() -> dict[str, Design]:
    """The seed designs shipped with the plugin, by name."""
    found: dict[str, Design] = {}
    for folder in sorted(p for p in BUILTIN_ROOT.iterdir() if p.is_dir() and not p.name.startswith("_")):
        if (folder / "design.yaml").is_file() or _find_template(folder):
            design = load_design(folder, builtin=True)
            found[design.name] = design
    return found


def discover(paths: tuple[Path, ...] | list[Path]) -> dict[str, Design]:
    """Designs in user folders: each folder itself if it is a design, else each of its sub-folders."""
    found: dict[str, Design] = {}
    for root in paths:
        candidates = [root] if _is_design(root) else sorted(p for p in root.iterdir() if _is_design(p))
        for folder in candidates:
            design = load_design(folder)
            if design.name in found:
                raise DesignError(
                    f"two designs named {design.name!r}: {found[design.name].folder} and {folder}"
                )
            found[design.name] = design
    return found


def _is_design(folder: Path) -> bool:
    return folder.is_dir() and ((folder / "design.yaml").is_file() or _find_template(folder) is not None)


def all_designs(paths: tuple[Path, ...] | list[Path] = ()) -> dict[str, Design]:
    """Built-in designs, overridden by user designs of the same name."""
    designs = builtin_designs()
    designs.update(discover(paths))
    return designs


def resolve_design(ref: str | Path, paths: tuple[Path, ...] | list[Path] = (), base: Path | None = None) -> Design:
    """A design by name, by folder, or by template file path."""
    text = str(ref)
    candidate = Path(text)
    if not candidate.is_absolute() and base is not None:
        candidate = base / candidate
    looks_like_path = "/" in text or text.endswith((".yaml", ".yml", ".json"))
    if looks_like_path or candidate.exists():
        if candidate.is_file():
            return design_from_template(candidate)
        if candidate.is_dir():
            return load_design(candidate)
        if looks_like_path:
            raise DesignError(f"no design or template at {candidate}")
    designs = all_designs(paths)
    if text in designs:
        return designs[text]
    known = ", ".join(sorted(designs)) or "none"
    raise DesignError(
        f"unknown design {text!r}; known designs: {known} (add design folders with --infra-design-path in "
        "pytest, --design-path on the command line)"
    )
