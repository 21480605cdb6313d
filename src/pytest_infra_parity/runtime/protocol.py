"""The worker protocol: length-prefixed JSON frames over a pair of pipes.

A frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON. The runtime writes
requests on one pipe and reads answers on another (never the worker's stdout, which belongs to the
handler's logs), so one warm worker serves any number of invocations without a new process.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time
from typing import Any

__all__ = ["FrameTimeout", "WorkerGone", "read_frame", "write_frame"]

_HEADER = struct.Struct(">I")
MAX_FRAME = 64 * 1024 * 1024


class WorkerGone(Exception):
    """The worker closed its pipe (it exited or was killed)."""


class FrameTimeout(Exception):
    """No complete frame arrived before the deadline."""


def write_frame(fd: int, message: dict[str, Any]) -> None:
    """Write one frame (blocking until the pipe accepted every byte)."""
    data = json.dumps(message, separators=(",", ":")).encode()
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        try:
            written = os.write(fd, view)
        except BrokenPipeError:
            raise WorkerGone("the worker's request pipe is closed") from None
        view = view[written:]


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    left = size
    while left:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise FrameTimeout(f"no answer within the deadline ({left} of {size} bytes missing)")
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise WorkerGone("the worker closed its answer pipe")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, deadline: float | None = None) -> dict[str, Any]:
    """Read one frame; ``deadline`` is a ``time.monotonic()`` value (None waits forever)."""
    (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    if size > MAX_FRAME:
        raise WorkerGone(f"the worker sent a frame of {size} bytes (limit {MAX_FRAME})")
    loaded = json.loads(_read_exact(fd, size, deadline))
    if not isinstance(loaded, dict):
        raise WorkerGone("the worker sent a frame that is not a JSON object")
    return loaded
