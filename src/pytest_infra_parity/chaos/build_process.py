"""One build of the race harness: the command rendered, run in its own process group, and checked.

In the command, ``{function}``, ``{src}`` and ``{out}`` are replaced (shell-quoted) by the function's
name, its source folder and the artifact path it must write; they are also in the environment as
``IPP_FUNCTION``, ``IPP_SRC`` and ``IPP_OUT``. Any other ``{name}`` is refused before a build runs
(shell expansions such as ``${HOME}`` and braces that are not a bare name, ``awk '{print $1}'``, are
left alone), and so is a command that names neither ``{out}`` nor ``IPP_OUT``: it could not write the
artifact the harness compares.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_infra_parity.chaos import artifacts
from pytest_infra_parity.chaos.build_report import BuildResult
from pytest_infra_parity.chaos.signatures import compile_signatures, find_crash

if TYPE_CHECKING:
    from pytest_infra_parity.chaos.builds import BuildRace
    from pytest_infra_parity.chaos.schedule import Job

PLACEHOLDERS = ("{function}", "{src}", "{out}")
_PLACEHOLDER = re.compile(r"(?<!\$)\{([A-Za-z_][A-Za-z0-9_]*)\}")


def check_command(command: str) -> None:
    """``ValueError`` for an unknown ``{placeholder}`` or a command with no ``{out}`` (nor ``IPP_OUT``)."""
    if not command.strip():
        raise ValueError("the build command is empty")
    unknown = sorted({f"{{{name}}}" for name in _PLACEHOLDER.findall(command)} - set(PLACEHOLDERS))
    if unknown:
        raise ValueError(f"unknown placeholder {', '.join(unknown)} in the build command {command!r}: "
                         f"use {', '.join(PLACEHOLDERS[:-1])} and {PLACEHOLDERS[-1]}")
    if "{out}" not in command and "IPP_OUT" not in command:
        raise ValueError(f"the build command has no {{out}}: {command!r} must write the artifact at {{out}} "
                         "(or at $IPP_OUT), which every build is compared by")


def render(command: str, function: str, src: Path, out: Path) -> str:
    """The command with ``{function}``, ``{src}`` and ``{out}`` replaced by shell-quoted values."""
    values = {"{function}": function, "{src}": str(src), "{out}": str(out)}
    for placeholder, value in values.items():
        command = command.replace(placeholder, shlex.quote(value))
    return command


def environment(race: BuildRace, function: str, out: Path, tmp: Path) -> dict[str, str]:
    """The build's environment: the race's, a private ``TMPDIR``, ``IPP_FUNCTION``, ``IPP_SRC``, ``IPP_OUT``."""
    return {**os.environ, **race.env, "TMPDIR": str(tmp), "IPP_FUNCTION": function,
            "IPP_SRC": str(race.functions[function]), "IPP_OUT": str(out)}


def start(race: BuildRace, function: str, out: Path, tmp: Path) -> subprocess.Popen[bytes]:
    """The build in its own session (a kill reaches its children), with a private ``TMPDIR``."""
    command = render(race.command, function, race.functions[function], out)
    return subprocess.Popen(["/bin/sh", "-c", command], cwd=race.workspace, env=environment(race, function, out, tmp),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)



def _finish(race: BuildRace, process: subprocess.Popen[bytes]) -> tuple[int, str]:
    try:
        output, _ = process.communicate(timeout=race.timeout)
        code = process.returncode
    except subprocess.TimeoutExpired:
        kill_group(process)
        output, _ = process.communicate()
        code = -int(signal.SIGKILL)
        output += f"\n[infra-parity: killed after the {race.timeout:.0f}s build timeout]".encode()
    return code, output.decode(errors="replace")


def run_build(race: BuildRace, job: Job, round_index: int, out: Path, tmp: Path) -> BuildResult:
    """Run one build and check its exit code, output, artifact and private ``TMPDIR``."""
    tmp.mkdir(parents=True, exist_ok=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    code, output = _finish(race, start(race, job.function, out, tmp))
    result = BuildResult(job.function, job.copy, round_index, job.jitter_ms, out, code, output,
                         time.perf_counter() - started)
    result.crash = find_crash(output, compile_signatures(race.signatures))
    try:
        result.artifact = artifacts.read_artifact(out, normalize_zip_times=race.normalize_zip_times)
    except FileNotFoundError:
        result.artifact = None
    left = sorted(p.name for p in tmp.iterdir())
    if left:
        result.temporaries = left
    shutil.rmtree(tmp, ignore_errors=True)
    return result


def check_against(result: BuildResult, reference: BuildResult | None, sources: dict[str, dict[str, str]]) -> None:
    """Record how the artifact differs from the reference and which other function's files it holds."""
    if result.artifact is None:
        return
    if reference is not None and reference.artifact is not None and result.artifact.digest != \
            reference.artifact.digest:
        result.mismatch.append("differs from the reference: " + artifacts.difference(reference.artifact,
                                                                                      result.artifact))
    foreign = artifacts.foreign_files(result.function, result.artifact, sources)
    if foreign:
        result.mismatch.append("contains another function's files: " + ", ".join(foreign))
