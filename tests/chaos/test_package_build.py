"""The reference packager: reproducible, safe in parallel, and unharmed by a build killed mid-way."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pytest_infra_parity.cli import main
from pytest_infra_parity.deploy import package_build
from pytest_infra_parity.deploy.package_build import PackagingError, package, read_requirements


def _wheel(folder: Path) -> Path:
    """A minimal pure-Python wheel (PEP 427), built by hand: no index, no build backend."""
    files = {
        "tinydep/__init__.py": b"VALUE = 42\n",
        "tinydep-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: tinydep\nVersion: 1.0\n",
        "tinydep-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                                       b"Tag: py3-none-any\n",
    }
    record = "".join(f"{name},sha256={_b64(hashlib.sha256(data).digest())},{len(data)}\n"
                     for name, data in files.items())
    files["tinydep-1.0.dist-info/RECORD"] = (record + "tinydep-1.0.dist-info/RECORD,,\n").encode()
    path = folder / "tinydep-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def _b64(digest: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def test_same_sources_same_bytes_whatever_the_times(functions: Path, tmp_path: Path) -> None:
    first = package(functions / "api", tmp_path / "a.zip")
    os.utime(functions / "api" / "app.py", (1_000_000_000, 1_000_000_000))
    second = package(functions / "api", tmp_path / "b.zip")
    assert first.sha256 == second.sha256 and first.files == 3
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    assert oct((tmp_path / "a.zip").stat().st_mode & 0o777) == "0o644"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".tmp") == []


def test_requirements_are_installed_once_into_the_cache(functions: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    _wheel(wheels)
    requirements = wheels / "requirements.txt"
    requirements.write_text("# local wheel only: no index\n./tinydep-1.0-py3-none-any.whl\n")
    calls: list[Path] = []
    real = package_build._pip_install

    def counting(*args: object) -> None:
        calls.append(Path(str(args[2])))
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(package_build, "_pip_install", counting)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda i: package(functions / "api", tmp_path / f"p{i}.zip", requirements),
                                range(4)))
    assert len(calls) == 1 and len({r.sha256 for r in results}) == 1
    names = _names((tmp_path / "p0.zip").read_bytes())
    assert "tinydep/__init__.py" in names and "app.py" in names and not any(n.endswith(".pyc") for n in names)
    deps_root = tmp_path / "cache" / "deps"
    assert [p.name for p in deps_root.iterdir() if p.name.endswith(".tmp")] == []


def test_empty_requirements_need_no_pip(functions: Path, tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# nothing\n\n")
    assert read_requirements(requirements) == []
    result = package(functions / "api", tmp_path / "x.zip", requirements)
    assert result.dependencies is None and result.files == 3
    with pytest.raises(PackagingError, match="requirements file does not exist"):
        package(functions / "api", tmp_path / "y.zip", tmp_path / "missing.txt")


def test_a_build_killed_holding_the_cache_lock_does_not_block_the_next(functions: Path, tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"{_wheel(tmp_path)}\n")
    cache = tmp_path / "cache"
    key = package_build._cache_key(read_requirements(requirements), tmp_path, ())
    (cache / "deps" / f".{key}.dead.tmp").mkdir(parents=True)  # a staging folder of a killed install
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time, filelock\n"
         f"filelock.FileLock({str(cache / 'deps' / (key + '.lock'))!r}).acquire()\n"
         "print('held', flush=True)\ntime.sleep(60)\n"], stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
    dead_tmp = tmp_path / f".out.zip.{holder.pid}.tmp"
    dead_tmp.write_bytes(b"half a zip")
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    result = package(functions / "api", tmp_path / "out.zip", requirements, cache_dir=cache)
    assert "tinydep/__init__.py" in _names((tmp_path / "out.zip").read_bytes())
    assert result.dependencies is not None and not dead_tmp.exists()
    assert not list((cache / "deps").glob(".*.tmp"))


def test_pip_failure_names_the_requirements_file(functions: Path, tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("./no-such-1.0-py3-none-any.whl\n")
    with pytest.raises(PackagingError, match=r"requirements.txt: pip could not install"):
        package(functions / "api", tmp_path / "x.zip", requirements)
    assert not list((tmp_path / "cache" / "deps").glob(".*.tmp"))


def test_cli_package(functions: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli" / "api.zip"
    assert main(["package", str(functions / "api"), "-o", str(out)]) == 0
    assert f"{out}: 3 files, sha256 {hashlib.sha256(out.read_bytes()).hexdigest()}" in capsys.readouterr().out
    assert main(["package", str(tmp_path / "nope"), "-o", str(out)]) == 2
    assert "not a folder" in capsys.readouterr().err
