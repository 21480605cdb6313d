"""Find a Python >= 3.13 for LocalStack's virtualenv (localstack-core 2026.3.0 requires it).

Looked for in this order, each candidate checked by running it (a pyenv shim answers even when its
version is not active): ``INFRA_PARITY_LOCALSTACK_PYTHON`` (only that one when set), the running
interpreter, pyenv's versions (``PYENV_ROOT``, else ``pyenv root``, else ``~/.pyenv``), ``pyenv which``
with each installed version, then ``python3.13``, ``python3.14``... and ``python3`` on ``PATH``.
3.13 is preferred to newer versions (the constraints file was frozen on 3.13).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from pytest_infra_parity.errors import TargetError

MINIMUM = (3, 13)
PREFERRED = (3, 13)

_CHECK = "import sys, venv, ensurepip; print('%d.%d.%d' % sys.version_info[:3])"


@dataclass(frozen=True)
class FoundPython:
    path: str
    version: tuple[int, int, int]

    @property
    def short(self) -> str:
        return f"{self.version[0]}.{self.version[1]}"


def run_version(path: str) -> tuple[int, int, int] | None:
    """The version of the Python at ``path`` if it runs and has venv and ensurepip, else ``None``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    try:
        done = subprocess.run([path, "-c", _CHECK], capture_output=True, text=True, timeout=20, env=env,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", done.stdout.strip())
    if done.returncode != 0 or not match:
        return None
    return int(match[1]), int(match[2]), int(match[3])


def _version_key(name: str) -> tuple[int, ...] | None:
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", name)  # CPython releases only (no -dev, pypy, envs)
    return tuple(int(part) for part in match.groups()) if match else None


def _preference(version: tuple[int, ...]) -> tuple[int, tuple[int, ...]]:
    return (0 if version[:2] == PREFERRED else 1, tuple(-v for v in version))


def _pyenv_root(env: Mapping[str, str]) -> Path | None:
    if env.get("PYENV_ROOT"):
        return Path(env["PYENV_ROOT"]).expanduser()
    pyenv = shutil.which("pyenv", path=env.get("PATH"))
    if pyenv:
        try:
            done = subprocess.run([pyenv, "root"], capture_output=True, text=True, timeout=20, check=False)
        except (OSError, subprocess.TimeoutExpired):
            done = None
        if done is not None and done.returncode == 0 and done.stdout.strip():
            return Path(done.stdout.strip())
    default = Path.home() / ".pyenv"
    return default if default.is_dir() else None


def _pyenv_candidates(env: Mapping[str, str]) -> Iterator[str]:
    root = _pyenv_root(env)
    if root is None or not (root / "versions").is_dir():
        return
    versions = [(key, p) for p in (root / "versions").iterdir() if (key := _version_key(p.name))]
    for key, folder in sorted(versions, key=lambda item: _preference(item[0])):
        if key[:2] >= MINIMUM:
            yield str(folder / "bin" / "python3")
    pyenv = shutil.which("pyenv", path=env.get("PATH"))
    for key, _folder in sorted(versions, key=lambda item: _preference(item[0])):
        if pyenv and key[:2] >= MINIMUM:
            version = ".".join(map(str, key))
            found = subprocess.run([pyenv, "which", "python3"], capture_output=True, text=True, timeout=20,
                                   env={**env, "PYENV_VERSION": version}, check=False)
            if found.returncode == 0 and found.stdout.strip():
                yield found.stdout.strip()


def candidates(env: Mapping[str, str]) -> Iterator[str]:
    """Paths to try, best first (duplicates are harmless: each is checked once)."""
    yield sys.executable
    yield from _pyenv_candidates(env)
    for minor in range(MINIMUM[1], MINIMUM[1] + 6):
        found = shutil.which(f"python3.{minor}", path=env.get("PATH"))
        if found:
            yield found
    found = shutil.which("python3", path=env.get("PATH"))
    if found:
        yield found


def find_python(explicit: str | None = None, env: Mapping[str, str] | None = None,
                check: Callable[[str], tuple[int, int, int] | None] = run_version) -> FoundPython:
    """The best Python >= 3.13 on this machine; :class:`TargetError` saying where it looked otherwise."""
    env = os.environ if env is None else env
    explicit = explicit or env.get("INFRA_PARITY_LOCALSTACK_PYTHON") or None
    if explicit:
        version = check(explicit)
        if version is None or version[:2] < MINIMUM:
            what = "does not run (or lacks venv/ensurepip)" if version is None else \
                f"is {'.'.join(map(str, version))}"
            raise TargetError(f"INFRA_PARITY_LOCALSTACK_PYTHON={explicit} {what}: Python "
                              f"{MINIMUM[0]}.{MINIMUM[1]}+ is needed for localstack-core")
        return FoundPython(explicit, version)
    tried: list[str] = []
    best: FoundPython | None = None
    for path in candidates(env):
        if path in tried:
            continue
        tried.append(path)
        version = check(path)
        if version is None or version[:2] < MINIMUM:
            continue
        if version[:2] == PREFERRED:
            return FoundPython(path, version)
        best = best or FoundPython(path, version)
    if best is not None:
        return best
    raise TargetError(
        f"no Python >= {MINIMUM[0]}.{MINIMUM[1]} found for LocalStack (localstack-core needs it); tried "
        f"{', '.join(tried) or 'nothing'}. Install one (e.g. `pyenv install 3.13`) or point "
        "INFRA_PARITY_LOCALSTACK_PYTHON at it; or start LocalStack yourself and use --infra-endpoint"
    )
