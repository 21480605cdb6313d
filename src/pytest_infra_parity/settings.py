"""The plugin's settings: command-line option, then ini key, then environment, then default.

Resolved once per session into a frozen :class:`Settings`, kept in ``config.stash``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pytest_infra_parity.errors import ConfigError

BUILTIN_TARGETS = ("moto", "localstack", "aws")
LOCALSTACK_MODES = ("existing", "start")
FALLBACKS = ("moto", "none")
DEFAULT_REGION = "us-east-1"
DEFAULT_LOCALSTACK_ENDPOINT = "http://localhost:4566"


@dataclass(frozen=True)
class Settings:
    """Where and how the plugin deploys and checks designs."""

    target: str = "moto"
    region: str = DEFAULT_REGION
    region_source: str = "default"
    profile: str | None = None
    endpoint: str = DEFAULT_LOCALSTACK_ENDPOINT
    allowed_accounts: tuple[str, ...] = ()
    design_paths: tuple[Path, ...] = ()
    localstack_mode: str = "existing"
    fallback: str | None = None
    """Where the clients of services LocalStack cannot serve go (``moto``), or ``None``."""
    run_id: str = "local"
    keep_stacks: bool = False
    allow_destructive: bool = False
    """``--infra-allow-destructive``: on a target that is read-only by default (aws), deploy and run chaos."""
    reports: tuple[Path, ...] = ()
    """``--infra-report`` files: ``.html`` (self-contained report) and/or ``.json``."""
    extra: Mapping[str, str] = field(default_factory=dict)


def profile_region(profile: str | None, profile_source: str = "--infra-profile") -> str | None:
    """The region configured for a named profile (``~/.aws/config``), without creating clients."""
    import botocore.exceptions
    import botocore.session

    try:
        session = botocore.session.Session(profile=profile) if profile else botocore.session.Session()
        region = session.get_config_variable("region")
    except botocore.exceptions.ProfileNotFound as exc:
        raise ConfigError(
            f"{profile_source}: the AWS profile {profile!r} is not configured (see `aws configure list-profiles`)"
        ) from exc
    except botocore.exceptions.BotoCoreError as exc:
        config_file = os.environ.get("AWS_CONFIG_FILE", "~/.aws/config")
        raise ConfigError(f"cannot read the AWS configuration ({config_file}): {exc}") from exc
    return str(region) if region else None


def resolve_region(explicit: tuple[str, str] | None, profile: str | None, env: Mapping[str, str],
                   read_profile: bool = True, profile_source: str = "--infra-profile") -> tuple[str, str]:
    """The region and where it came from: option or ini key, environment, profile (aws only), default."""
    if explicit:
        return explicit
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if env.get(var):
            return env[var], f"environment {var}"
    from_profile = profile_region(profile, profile_source) if read_profile else None
    if from_profile:
        return from_profile, f"profile {profile or 'default'}"
    return DEFAULT_REGION, "default"


def _split(values: list[str] | tuple[str, ...] | None) -> list[str]:
    out: list[str] = []
    for value in values or ():
        out.extend(part.strip() for part in str(value).replace(",", " ").split() if part.strip())
    return out


def _localstack_choices(mode: str | None, fallback: str | None) -> tuple[str, str | None]:
    """``--infra-localstack`` (existing, start) and ``--infra-fallback`` (moto, none: ``None``)."""
    mode = mode or "existing"
    if mode not in LOCALSTACK_MODES:
        raise ConfigError(f"--infra-localstack must be one of {', '.join(LOCALSTACK_MODES)}, got {mode!r}")
    fallback = (fallback or "none").strip()
    if fallback not in FALLBACKS:
        raise ConfigError(f"--infra-fallback must be one of {', '.join(FALLBACKS)}, got {fallback!r}")
    return mode, None if fallback == "none" else fallback


def _accounts(get: Callable[[str], object], getini: Callable[[str], object]) -> list[str]:
    accounts = _split(get("infra_allowed_account")) + _split(getini("infra_allowed_account"))  # type: ignore[arg-type]
    for account in accounts:
        if not (account.isdigit() and len(account) == 12):
            raise ConfigError(f"--infra-allowed-account: {account!r} is not a 12-digit AWS account id")
    return accounts


def _design_paths(get: Callable[[str], object], getini: Callable[[str], object], rootdir: Path) -> tuple[Path, ...]:
    paths = [Path(p) for p in _split(get("infra_design_path"))]  # type: ignore[arg-type]
    paths += [Path(p) for p in _split(getini("infra_design_path"))]  # type: ignore[arg-type]
    resolved = tuple(p if p.is_absolute() else (rootdir / p).resolve() for p in paths)
    for path in resolved:
        if not path.is_dir():
            raise ConfigError(f"--infra-design-path: {path} is not a folder")
    return resolved


REPORT_SUFFIXES = (".html", ".htm", ".json")


def _reports(get: Callable[[str], object], getini: Callable[[str], object], rootdir: Path) -> tuple[Path, ...]:
    """The ``--infra-report`` paths (option, else ini ``infra_report``), checked before anything runs."""
    given = _split(get("infra_report")) or _split(getini("infra_report"))  # type: ignore[arg-type]
    paths: list[Path] = []
    for text in given:
        path = Path(text).expanduser()
        path = path if path.is_absolute() else rootdir / path
        if path.suffix.lower() not in REPORT_SUFFIXES:
            raise ConfigError(f"--infra-report: {text!r} must end in .html or .json (the format is taken from it)")
        if path.is_dir():
            raise ConfigError(f"--infra-report: {text!r} is a folder; give a file name ending in .html or .json")
        parent = next((p for p in (path.parent, *path.parent.parents) if p.exists()), None)
        if parent is None or not parent.is_dir() or not os.access(parent, os.W_OK):
            where = parent or path.parent
            raise ConfigError(f"--infra-report: cannot write {text!r}: {where} is not a writable folder")
        paths.append(path)
    return tuple(dict.fromkeys(paths))


def _flag(get: Callable[[str], object], getini: Callable[[str], object], name: str, env: Mapping[str, str],
          variable: str) -> bool:
    """A boolean option: the command line, else the ini key, else the environment variable (1/true/yes)."""
    if get(name):
        return True
    if getini(name):
        return True
    return env.get(variable, "").strip().lower() in ("1", "true", "yes")


def build_settings(
    get: Callable[[str], object],
    getini: Callable[[str], object],
    rootdir: Path,
    env: Mapping[str, str] | None = None,
    run_id: str = "local",
) -> Settings:
    """Resolve every setting; ``get`` reads a command-line option, ``getini`` an ini key."""
    env = dict(os.environ) if env is None else env

    def pick_with_source(option: str, ini: str) -> tuple[str, str] | None:
        value = get(option)
        if value not in (None, ""):
            return str(value), "option"
        ini_value = getini(ini)
        return (str(ini_value), f"ini {ini}") if ini_value not in (None, "", []) else None

    def pick(option: str, ini: str) -> str | None:
        found = pick_with_source(option, ini)
        return found[0] if found else None

    target = (pick("infra_target", "infra_target") or env.get("INFRA_PARITY_TARGET") or "moto").strip()
    profile_option = pick("infra_profile", "infra_profile")
    profile = profile_option or (env.get("AWS_PROFILE") if target == "aws" else None)
    profile_source = "--infra-profile" if profile_option else "AWS_PROFILE"
    # Only the aws target reads the AWS configuration files: a stale AWS_PROFILE or a broken
    # ~/.aws/config must not break a run that never talks to AWS.
    region, region_source = resolve_region(pick_with_source("infra_region", "infra_region"), profile, env,
                                           read_profile=target == "aws", profile_source=profile_source)
    endpoint = (
        pick("infra_endpoint", "infra_endpoint") or env.get("LOCALSTACK_ENDPOINT") or DEFAULT_LOCALSTACK_ENDPOINT
    )
    if not endpoint.startswith(("http://", "https://")):
        raise ConfigError(f"--infra-endpoint must be an http(s) URL, got {endpoint!r}")
    mode, fallback = _localstack_choices(pick("infra_localstack", "infra_localstack"),
                                         pick("infra_fallback", "infra_fallback") or env.get("INFRA_PARITY_FALLBACK"))
    accounts = _accounts(get, getini)
    resolved_paths = _design_paths(get, getini, rootdir)
    return Settings(
        target=target,
        region=region,
        region_source=region_source,
        profile=profile,
        endpoint=endpoint.rstrip("/"),
        allowed_accounts=tuple(dict.fromkeys(accounts)),
        design_paths=resolved_paths,
        localstack_mode=mode,
        fallback=fallback,
        run_id=run_id,
        keep_stacks=bool(get("infra_keep_stacks")),
        allow_destructive=_flag(get, getini, "infra_allow_destructive", env, "INFRA_PARITY_ALLOW_DESTRUCTIVE"),
        reports=_reports(get, getini, rootdir),
    )
