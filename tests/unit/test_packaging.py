"""The deterministic zip of Lambda code folders."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest

from pytest_infra_parity.deploy.packaging import code_argument, code_sha256, zip_files, zip_folder
from pytest_infra_parity.deploy.provisioners.base import ProvisionError


def _make_folder(root: Path) -> Path:
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / "pkg" / "__pycache__").mkdir()
    (root / "handler.py").write_text("def handler(event, context):\n    return 1\n")
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "sub" / "data.json").write_text('{"a": 1}')
    (root / "pkg" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0compiled")
    (root / "stale.pyc").write_bytes(b"\0compiled")
    (root / "empty").mkdir()
    return root


def _touch_all(root: Path, when: float) -> None:
    for path in [root, *root.rglob("*")]:
        os.utime(path, (when, when))


def test_same_folder_gives_identical_bytes_whatever_the_mtimes(tmp_path: Path) -> None:
    folder = _make_folder(tmp_path / "code")
    _touch_all(folder, 1_000_000_000)
    first = zip_folder(folder)
    _touch_all(folder, 1_700_000_000)
    os.chmod(folder / "handler.py", 0o600)
    assert zip_folder(folder) == first


def test_entries_are_sorted_with_fixed_dates_and_modes_and_no_bytecode(tmp_path: Path) -> None:
    folder = _make_folder(tmp_path / "code")
    with zipfile.ZipFile(io.BytesIO(zip_folder(folder))) as archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        assert names == sorted(names)
        assert names == ["empty/", "handler.py", "pkg/", "pkg/__init__.py", "pkg/sub/", "pkg/sub/data.json"]
        assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)
        assert archive.read("pkg/sub/data.json") == b'{"a": 1}'
        for info in infos:
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            mode = (info.external_attr >> 16) & 0o7777
            assert mode == (0o755 if info.is_dir() else 0o644), info.filename


def test_content_changes_change_the_bytes(tmp_path: Path) -> None:
    folder = _make_folder(tmp_path / "code")
    before = zip_folder(folder)
    (folder / "handler.py").write_text("def handler(event, context):\n    return 2\n")
    assert zip_folder(folder) != before


def test_zip_folder_refuses_a_file(tmp_path: Path) -> None:
    file = tmp_path / "f.py"
    file.write_text("x = 1\n")
    with pytest.raises(NotADirectoryError):
        zip_folder(file)


def test_inline_code_is_written_to_index_by_runtime() -> None:
    python = code_argument({"ZipFile": "def handler(e, c): pass"}, "python3.12", "Fn")
    node = code_argument({"ZipFile": "exports.handler = async () => 1;"}, "nodejs20.x", "Fn")
    with zipfile.ZipFile(io.BytesIO(python["ZipFile"])) as archive:
        assert archive.namelist() == ["index.py"]
    with zipfile.ZipFile(io.BytesIO(node["ZipFile"])) as archive:
        assert archive.read("index.js") == b"exports.handler = async () => 1;"
    with pytest.raises(ProvisionError, match=r"Python or Node\.js"):
        code_argument({"ZipFile": "x"}, "java21", "Fn")


def test_other_code_forms_and_sha() -> None:
    s3 = {"S3Bucket": "b", "S3Key": "k.zip"}
    assert code_argument({**s3, "S3ObjectVersion": None}, None, "Fn") == s3
    assert code_argument({"ImageUri": "repo:tag"}, None, "Fn") == {"ImageUri": "repo:tag"}
    with pytest.raises(ProvisionError, match="LocalPath"):
        code_argument({}, "python3.12", "Fn")
    archive = zip_files({"index.py": "x = 1"})
    assert archive == zip_files({"index.py": b"x = 1"})
    expected = base64.b64encode(hashlib.sha256(archive).digest()).decode()
    assert code_sha256({"ZipFile": "x = 1"}, "python3.12", "Fn") == expected
    assert code_sha256({"S3Bucket": "b", "S3Key": "k"}, None, "Fn") is None


def test_entries_of_several_folders_merge_into_one_deterministic_zip(tmp_path: Path) -> None:
    from pytest_infra_parity.deploy.packaging import folder_entries, write_zip

    folder = _make_folder(tmp_path / "code")
    entries = folder_entries(folder)
    assert [name for name, _ in entries] == ["empty/", "handler.py", "pkg/", "pkg/__init__.py", "pkg/sub/",
                                             "pkg/sub/data.json"]
    assert write_zip(entries) == zip_folder(folder)


def test_a_killed_build_not_yet_reaped_counts_as_dead() -> None:
    import os
    import subprocess
    import sys
    import time

    from pytest_infra_parity.deploy.package_build import _pid_alive

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # exited but not waited for: a zombie
        if Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] == "Z":
            break
        time.sleep(0.01)
    assert not _pid_alive(child.pid)
    assert _pid_alive(os.getpid())
    child.wait()
