"""LocalStack's own virtualenv: created on first use in the cache folder, reused afterwards.

``localstack-core[runtime]`` is installed with the constraints file shipped in the package (its
dependencies as of its release). A marker file written last records what was installed (version,
constraints digest, Python); a virtualenv whose marker matches is reused as it is, anything else
(no marker: an install that was interrupted; another version) is rebuilt. A file lock keeps two
processes (xdist workers, a CLI and a test run) from building it at the same time.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pytest_infra_parity.errors import TargetError
from pytest_infra_parity.targets.localstack_paths import CONSTRAINTS, LOCALSTACK_VERSION, localstack_dir
from pytest_infra_parity.targets.localstack_python import FoundPython, find_python

MARKER = "infra-parity-localstack.json"
INSTALL_TIMEOUT = 900


@dataclass(frozen=True)
class Venv:
    """A usable LocalStack virtualenv; ``installed_seconds`` is 0 when it was reused."""

    folder: Path
    python: Path
    installed_seconds: float = 0.0

    @property
    def reused(self) -> bool:
        return self.installed_seconds == 0.0


def expected_marker(python: FoundPython, constraints: Path = CONSTRAINTS) -> dict[str, str]:
    """What the marker of a virtualenv built now would say: a different one means rebuild."""
    return {
        "package": f"localstack-core[runtime]=={LOCALSTACK_VERSION}",
        "constraints_sha256": hashlib.sha256(constraints.read_bytes()).hexdigest(),
        "python": python.short,
    }


def venv_folder(cache: Path, python: FoundPython) -> Path:
    return localstack_dir(cache) / f"venv-{LOCALSTACK_VERSION}-py{python.short}"


def is_reusable(folder: Path, expected: dict[str, str]) -> bool:
    """The marker matches and the interpreter is there."""
    try:
        found = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(found == expected and (folder / "bin" / "python").exists())


Runner = Callable[[list[str], Path], None]


def run_logged(command: list[str], log: Path) -> None:
    """Run one install command, appending its output to ``log``; :class:`TargetError` on failure."""
    with log.open("a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(command)}\n")
        out.flush()
        try:
            done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, timeout=INSTALL_TIMEOUT,
                                  check=False)
        except subprocess.TimeoutExpired as exc:
            raise TargetError(f"installing LocalStack took over {INSTALL_TIMEOUT} s; see {log}") from exc
    if done.returncode != 0:
        tail = "\n    ".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-12:])
        raise TargetError(f"installing LocalStack failed (exit {done.returncode}); log: {log}\n    {tail}")


def build(folder: Path, python: FoundPython, expected: dict[str, str], run: Runner = run_logged,
          constraints: Path = CONSTRAINTS) -> float:
    """Create the virtualenv from scratch; the marker is written last. Returns the seconds it took."""
    started = time.monotonic()
    if folder.exists():
        shutil.rmtree(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    log = folder.parent / "install.log"
    log.write_text(f"installing {expected['package']} with {python.path}\n", encoding="utf-8")
    run([python.path, "-m", "venv", str(folder)], log)
    pip = [str(folder / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "--no-input"]
    run([*pip, "install", "-q", expected["package"], "-c", str(constraints)], log)
    (folder / MARKER).write_text(json.dumps(expected, indent=2, sort_keys=True), encoding="utf-8")
    return time.monotonic() - started


def ensure_venv(cache: Path, python: FoundPython | None = None, run: Runner = run_logged,
                constraints: Path = CONSTRAINTS) -> Venv:
    """The LocalStack virtualenv for this cache folder: reused when its marker matches, else (re)built."""
    from filelock import FileLock, Timeout

    python = python or find_python()
    folder = venv_folder(cache, python)
    expected = expected_marker(python, constraints)
    if is_reusable(folder, expected):
        return Venv(folder, folder / "bin" / "python")
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(folder) + ".lock", timeout=INSTALL_TIMEOUT):
            if is_reusable(folder, expected):  # another process built it while we waited
                return Venv(folder, folder / "bin" / "python")
            seconds = build(folder, python, expected, run, constraints)
    except Timeout as exc:
        raise TargetError(f"another process has been installing LocalStack in {folder} for "
                          f"{INSTALL_TIMEOUT} s; remove {folder}.lock if it is gone") from exc
    return Venv(folder, folder / "bin" / "python", installed_seconds=max(seconds, 0.001))
