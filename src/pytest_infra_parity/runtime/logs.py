"""What the handlers printed, per function: recent lines and counts of tagged lines.

Lambda sends a function's output to CloudWatch Logs, framed by ``START``/``END``/``REPORT`` lines
("Using CloudWatch Logs with Lambda"). The local runtime keeps the last lines of each function in
memory with the same framing, and counts the lines that start with a bracketed tag (``[SHADOW-DIFF]``,
``[ERROR]``...), which is how the seeds' handlers report what a test wants to count.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, deque

__all__ = ["LogStore", "report_line"]

TAG = re.compile(r"^\s*(\[[A-Z][A-Z0-9_-]*\])", re.MULTILINE)


def report_line(request_id: str, duration_ms: float, memory_mb: int, max_rss_kb: int, init_ms: float | None) -> str:
    """Lambda's REPORT line for one invocation."""
    billed = max(1, int(-(-duration_ms // 1)))
    line = (f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {memory_mb} MB\tMax Memory Used: {max(1, max_rss_kb // 1024)} MB")
    return line + (f"\tInit Duration: {init_ms:.2f} ms" if init_ms is not None else "")


class LogStore:
    """Recent log lines and tag counts, per function name."""

    def __init__(self, keep: int = 2000) -> None:
        self._lock = threading.Lock()
        self._lines: dict[str, deque[str]] = {}
        self._tags: dict[str, Counter[str]] = {}
        self.keep = keep

    def add(self, function: str, text: str) -> None:
        if not text:
            return
        tags = TAG.findall(text)
        with self._lock:
            lines = self._lines.setdefault(function, deque(maxlen=self.keep))
            lines.extend(text.rstrip("\n").split("\n"))
            if tags:
                self._tags.setdefault(function, Counter()).update(tags)

    def lines(self, function: str) -> list[str]:
        with self._lock:
            return list(self._lines.get(function, ()))

    def count(self, function: str, tag: str) -> int:
        """How many lines of ``function`` started with ``tag`` (``[SHADOW-DIFF]``, with or without brackets)."""
        wanted = tag if tag.startswith("[") else f"[{tag}]"
        with self._lock:
            return self._tags.get(function, Counter())[wanted]

    def tags(self, function: str) -> dict[str, int]:
        with self._lock:
            return dict(self._tags.get(function, Counter()))

    def reset(self) -> None:
        with self._lock:
            self._lines.clear()
            self._tags.clear()
