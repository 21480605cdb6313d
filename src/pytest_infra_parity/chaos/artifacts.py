"""Build artifacts: digests, zip listings, and files that belong to another function.

A zip can be compared byte for byte, or after normalising its timestamps (every entry's date and
the extended-timestamp extra field 0x5455 dropped; PKWARE APPNOTE.TXT 4.4.6 and 4.5.x): two builds
that differ only in when they ran compare equal that way. A folder artifact is compared through the
sorted list of its files and their digests.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_EXCLUDED_PARTS = ("__pycache__",)


@dataclass(frozen=True)
class Artifact:
    path: Path
    digest: str
    """SHA-256 of the bytes (or of the normalised listing, see :func:`read_artifact`)."""
    files: dict[str, str]
    """Archive name -> SHA-256 of its content (empty when the artifact is not a zip or folder)."""
    kind: str
    """``zip``, ``folder`` or ``file``."""


def _zip_files(data: bytes) -> dict[str, str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {info.filename: hashlib.sha256(archive.read(info)).hexdigest()
                    for info in archive.infolist() if not info.is_dir()}
    except (zipfile.BadZipFile, OSError, EOFError):
        return None


def _normalised_zip_digest(data: bytes) -> str:
    """Digest of the entries (order, name, mode, compression, content) without timestamps."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            header = f"{info.filename}\0{info.external_attr}\0{info.compress_type}\0".encode()
            digest.update(header + hashlib.sha256(archive.read(info)).digest())
    return digest.hexdigest()


def _folder_files(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*"))
            if path.is_file() and not any(part in _EXCLUDED_PARTS for part in path.parts)}


def read_artifact(path: Path, *, normalize_zip_times: bool = False) -> Artifact:
    """Read what a build wrote; a missing artifact raises ``FileNotFoundError``."""
    if path.is_dir():
        files = _folder_files(path)
        listing = "\n".join(f"{name} {digest}" for name, digest in sorted(files.items()))
        return Artifact(path, hashlib.sha256(listing.encode()).hexdigest(), files, "folder")
    data = path.read_bytes()
    listed = _zip_files(data)
    if listed is None:
        return Artifact(path, hashlib.sha256(data).hexdigest(), {}, "file")
    digest = _normalised_zip_digest(data) if normalize_zip_times else hashlib.sha256(data).hexdigest()
    return Artifact(path, digest, listed, "zip")


def source_files(folder: Path) -> dict[str, str]:
    """The files of a function's source folder, as they would appear in its zip."""
    return {name: digest for name, digest in _folder_files(folder).items() if not name.endswith(".pyc")}


def foreign_files(function: str, artifact: Artifact, sources: Mapping[str, Mapping[str, str]]) -> list[str]:
    """``"name (from other)"`` for entries that are another function's file and not this one's.

    An entry counts when its name and content match a file of another function's source folder and
    this function's own folder has no file with that name and content (shared files do not count).
    """
    own = sources.get(function, {})
    found: list[str] = []
    for name, digest in sorted(artifact.files.items()):
        if own.get(name) == digest:
            continue
        owners = [other for other, files in sorted(sources.items())
                  if other != function and files.get(name) == digest]
        if owners:
            found.append(f"{name} (from {', '.join(owners)})")
    return found


def difference(reference: Artifact, other: Artifact) -> str:
    """One line saying how ``other`` differs from ``reference`` (missing, extra, changed files)."""
    if reference.kind != other.kind:
        return f"is a {other.kind}, the reference is a {reference.kind}"
    missing = sorted(set(reference.files) - set(other.files))
    extra = sorted(set(other.files) - set(reference.files))
    changed = sorted(n for n in set(reference.files) & set(other.files) if reference.files[n] != other.files[n])
    parts = [f"{label}: {', '.join(names[:5])}{' ...' if len(names) > 5 else ''}"
             for label, names in (("missing", missing), ("extra", extra), ("changed", changed)) if names]
    if not parts:
        return "same files and contents, different bytes (timestamps, order or modes)"
    return "; ".join(parts)
