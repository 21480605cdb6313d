"""A Python Lambda packager that is safe to run in parallel and reproducible.

``package(src, out, requirements)`` writes the deterministic zip of a function folder (sorted entries,
1980-01-01 timestamps, modes 0644/0755, no bytecode: see :mod:`.packaging`) plus its requirements,
installed with ``pip install --target <staging> --no-compile --only-binary=:all:``.

What makes it safe when many builds run at once (seed 000: SST's parallel Python builder crashed with
``fatal error: concurrent map writes`` and left the state locked):

- requirements are installed once per requirement set into a shared cache, each install in its own
  staging folder, published by an atomic ``rename``; the install runs under a file lock (``filelock``,
  an ``flock`` the kernel releases when a process dies, so a SIGKILL never leaves it held);
- nothing else is shared: sources are read, never written; the zip is assembled in memory and written
  to ``.<out>.<pid>.tmp`` next to the output, then ``os.replace``\\ d over it (readers never see half a
  zip); a later build removes the temporary files of builds that died.

The zip is the same bytes for the same sources and the same installed requirements, so Lambda's
``CodeSha256`` only changes when the code does (AWS Lambda Developer Guide, "Deploying Python Lambda
functions with .zip file archives": dependencies go at the root of the archive, next to the handler).
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pytest_infra_parity.deploy.packaging import Entries, folder_entries, write_zip
from pytest_infra_parity.errors import InfraParityError

CACHE_ENV = "INFRA_PARITY_CACHE_DIR"
LOCK_TIMEOUT = 600.0
PIP_BASE = ("install", "--no-compile", "--only-binary=:all:", "--disable-pip-version-check", "--no-input",
            "--quiet")


class PackagingError(InfraParityError):
    """A function folder or a requirements file that cannot be packaged (names the file)."""


@dataclass(frozen=True)
class PackageResult:
    out: Path
    sha256: str
    """Hex SHA-256 of the zip."""
    files: int
    dependencies: Path | None
    """The cached folder the requirements were installed in (``None`` without requirements)."""


def default_cache_dir() -> Path:
    """``$INFRA_PARITY_CACHE_DIR``, else ``$XDG_CACHE_HOME/infra-parity``, else ``~/.cache/infra-parity``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "infra-parity"


def read_requirements(path: Path) -> list[str]:
    """The requirement lines of a pip requirements file (comments and blank lines dropped)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PackagingError(f"cannot read the requirements file: {exc.strerror}", path=path) from exc
    lines = [line.split(" #", 1)[0].strip() for line in text.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def _cache_key(lines: list[str], folder: Path, pip_options: Sequence[str]) -> str:
    """Requirements, pip options, interpreter and platform; local files referenced count by content."""
    digest = hashlib.sha256()
    for part in (*lines, "--", *pip_options, "--", sys.version, platform.machine(), sys.platform):
        digest.update(part.encode() + b"\0")
        candidate = folder / part
        if part and candidate.is_file():
            digest.update(hashlib.sha256(candidate.read_bytes()).digest())
    return digest.hexdigest()[:24]


def dependencies(requirements: Path, cache_dir: Path, pip_options: Sequence[str] = ()) -> Path | None:
    """The cached folder holding the installed requirements (installed now if missing)."""
    from filelock import FileLock, Timeout

    lines = read_requirements(requirements)
    if not lines:
        return None
    folder = requirements.resolve().parent
    key = _cache_key(lines, folder, pip_options)
    root = cache_dir / "deps"
    root.mkdir(parents=True, exist_ok=True)
    final = root / key
    if final.is_dir():  # published by rename: present means complete
        return final
    try:
        with FileLock(str(root / f"{key}.lock"), timeout=LOCK_TIMEOUT):
            if final.is_dir():
                return final
            for stale in root.glob(f".{key}.*.tmp"):  # a build killed while installing: we hold the lock
                shutil.rmtree(stale, ignore_errors=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{key}.", suffix=".tmp", dir=root))
            try:
                _pip_install(requirements, folder, staging, cache_dir, pip_options)
                os.rename(staging, final)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
    except Timeout as exc:
        raise PackagingError(f"waited {LOCK_TIMEOUT:.0f}s for the cache lock {exc.lock_file}") from exc
    return final


def _pip_install(requirements: Path, folder: Path, staging: Path, cache_dir: Path,
                 pip_options: Sequence[str]) -> None:
    command = [sys.executable, "-m", "pip", *PIP_BASE, "--target", str(staging),
               "--cache-dir", str(cache_dir / "pip"), "-r", str(requirements.resolve()), *pip_options]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n  ".join((done.stderr or done.stdout).strip().splitlines()[-8:])
        raise PackagingError(f"pip could not install the requirements (exit {done.returncode}):\n  {tail}",
                             path=requirements)


def _merge(deps: Path | None, src: Path) -> Entries:
    """Dependencies at the archive root, then the function's own files (which win on a clash)."""
    merged: dict[str, bytes | None] = {}
    if deps is not None:
        merged.update(folder_entries(deps))
    merged.update(folder_entries(src))
    return sorted(merged.items(), key=lambda item: item[0])


def _pid_alive(pid: int) -> bool:
    """Whether ``pid`` still runs; a zombie (killed, not yet reaped) counts as dead."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True  # no procfs (macOS): a signal could be delivered, so it is alive
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]


def _remove_dead_temporaries(out: Path) -> None:
    """Temporary files of earlier builds of ``out`` whose process is gone (killed mid-way)."""
    for stale in out.parent.glob(f".{out.name}.*.tmp"):
        pid_text = stale.name[len(out.name) + 2:-4]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not _pid_alive(int(pid_text)):
            stale.unlink(missing_ok=True)


def write_atomically(out: Path, data: bytes) -> None:
    """Write ``data`` to ``out`` through a temporary file and ``os.replace`` (POSIX rename is atomic)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_temporaries(out)
    temporary = out.parent / f".{out.name}.{os.getpid()}.tmp"
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def package(src: Path, out: Path, requirements: Path | None = None, *, cache_dir: Path | None = None,
            pip_options: Sequence[str] = ()) -> PackageResult:
    """Build the deterministic zip of ``src`` (plus its installed requirements) at ``out``."""
    if not src.is_dir():
        raise PackagingError(f"cannot package {src}: not a folder")
    if requirements is not None and not requirements.is_file():
        raise PackagingError("the requirements file does not exist", path=requirements)
    deps = None
    if requirements is not None:
        deps = dependencies(requirements, cache_dir or default_cache_dir(), pip_options)
    entries = _merge(deps, src)
    data = write_zip(entries)
    write_atomically(out, data)
    files = sum(1 for _, content in entries if content is not None)
    return PackageResult(out, hashlib.sha256(data).hexdigest(), files, deps)
