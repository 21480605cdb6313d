"""A deliberately racy Lambda builder, for proving that the build race harness catches races.

usage: python racy_build.py FUNCTION SRC OUT [--lock]

Every build copies its sources into ONE shared staging folder (``.build-staging`` in the working
directory), waits a little, zips whatever the folder holds straight into OUT (no temporary file, no
rename), then deletes the folder. Two builds at once mix their files, or one deletes the folder under
the other (a traceback). With ``--lock`` it also takes a naive lock file (``.build.lock``) and refuses
to run while it exists ("Locked"), so a build killed mid-way blocks every later one, as SST's lock did.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import zipfile
from pathlib import Path


def main(argv: list[str]) -> int:
    function, src, out = argv[0], Path(argv[1]), Path(argv[2])
    lock = Path.cwd() / ".build.lock"
    if "--lock" in argv:
        if lock.exists():
            print(f"error: Locked: another build holds {lock} (remove it by hand)")
            return 1
        lock.write_text(function)
        time.sleep(float(os.environ.get("RACY_HOLD", "0")))  # a long build: room to be killed holding the lock
    staging = Path.cwd() / ".build-staging"
    staging.mkdir(exist_ok=True)
    for path in sorted(src.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            target = staging / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    time.sleep(0.05)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as archive:
        for path in staging.rglob("*"):
            if path.is_file():
                archive.write(path, path.relative_to(staging).as_posix())
                time.sleep(0.01)
    shutil.rmtree(staging)
    lock.unlink(missing_ok=True)
    print(f"built {function} -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
