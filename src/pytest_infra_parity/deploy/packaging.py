"""Deterministic zip archives of Lambda code folders.

The same folder always gives the same bytes, whatever the files' timestamps, owners or the order the
file system lists them in: entries are sorted, every timestamp is 1980-01-01 00:00:00, files are
mode 0644 and directories 0755, and ``__pycache__`` folders and ``*.pyc`` files are left out. Equal
bytes mean an equal ``CodeSha256``, so a redeploy of unchanged code is recognisable as such.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_infra_parity.deploy.provisioners.base import ProvisionError

FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644
DIR_MODE = 0o040755
_MSDOS_DIRECTORY = 0x10
_UNIX = 3


def _excluded(name: str) -> bool:
    return name == "__pycache__" or name.endswith(".pyc")


Entries = list[tuple[str, bytes | None]]
"""``(archive name, content)`` pairs; ``None`` content marks a directory entry."""


def _entry(name: str, is_dir: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
    info.create_system = _UNIX
    if is_dir:
        info.external_attr = (DIR_MODE << 16) | _MSDOS_DIRECTORY
        info.compress_type = zipfile.ZIP_STORED
    else:
        info.external_attr = FILE_MODE << 16
        info.compress_type = zipfile.ZIP_DEFLATED
    return info


def folder_entries(root: Path) -> Entries:
    """``(archive name, content)`` for every kept entry, sorted; ``None`` content marks a directory."""
    entries: Entries = []
    for current, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not _excluded(d))
        base = Path(current)
        relative = base.relative_to(root).as_posix()
        if relative != ".":
            entries.append((relative + "/", None))
        for name in sorted(files):
            if _excluded(name):
                continue
            entries.append((Path(relative, name).as_posix().removeprefix("./"), (base / name).read_bytes()))
    entries.sort(key=lambda item: item[0])
    return entries


def write_zip(entries: Entries) -> bytes:
    """The zip of ``entries`` in the order given, with fixed dates and modes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries:
            info = _entry(name, content is None)
            archive.writestr(info, b"" if content is None else content)
    return buffer.getvalue()


def zip_folder(path: str | os.PathLike[str]) -> bytes:
    """The deterministic zip of a folder's content (the folder itself is not an entry)."""
    root = Path(path)
    if not root.is_dir():
        raise NotADirectoryError(f"cannot package {root}: not a folder")
    return write_zip(folder_entries(root))


def zip_files(files: Mapping[str, str | bytes]) -> bytes:
    """A deterministic zip holding the given ``{archive name: content}`` files."""
    entries: Entries = [
        (name, content.encode() if isinstance(content, str) else content) for name, content in files.items()
    ]
    entries.sort(key=lambda item: item[0])
    return write_zip(entries)


def code_argument(code: Mapping[str, Any], runtime: str | None, what: str) -> dict[str, Any]:
    """The API ``Code``/``Content`` for a template's: ``LocalPath`` and inline ``ZipFile`` become zips."""
    if "LocalPath" in code:
        return {"ZipFile": zip_folder(code["LocalPath"])}
    if "ZipFile" in code:
        return {"ZipFile": zip_files({_inline_file(runtime, what): str(code["ZipFile"])})}
    if "S3Bucket" in code and "S3Key" in code:
        keys = ("S3Bucket", "S3Key", "S3ObjectVersion")
        return {key: str(code[key]) for key in keys if code.get(key) is not None}
    if "ImageUri" in code:
        return {"ImageUri": str(code["ImageUri"])}
    raise ProvisionError(
        f"{what}: Code needs LocalPath, ZipFile, S3Bucket+S3Key or ImageUri, got {sorted(code)}"
    )


def _inline_file(runtime: str | None, what: str) -> str:
    # CloudFormation writes inline source to a file named "index" for the Node.js and Python runtimes.
    if runtime and runtime.startswith("python"):
        return "index.py"
    if runtime and runtime.startswith("nodejs"):
        return "index.js"
    raise ProvisionError(f"{what}: inline ZipFile code needs a Python or Node.js runtime, not {runtime!r}")


def code_sha256(code: Mapping[str, Any] | None, runtime: str | None, what: str) -> str | None:
    """The ``CodeSha256`` the target must report for a local or inline package (``None`` for S3/image)."""
    if not code or ("LocalPath" not in code and "ZipFile" not in code):
        return None
    archive = code_argument(code, runtime, what)["ZipFile"]
    return base64.b64encode(hashlib.sha256(archive).digest()).decode()
