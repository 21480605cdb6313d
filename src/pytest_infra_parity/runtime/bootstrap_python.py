"""The Python worker of the local Lambda runtime: one warm execution environment (run as a script).

Standard library only, and no import of the plugin, so the handler sees what a Lambda sandbox gives it:
``sys.path`` starts with ``LAMBDA_TASK_ROOT`` then each layer's ``python/lib/python3.x/site-packages``
and ``python/`` (the ``/opt/python`` paths of "Packaging your layer content", Lambda developer guide;
a later layer shadows an earlier one as its files would overwrite them under ``/opt``). The init phase
imports the handler module ("Lambda execution environment lifecycle": Init, then Invoke), wrapped by
the fault wrapper, and reports its duration; each invocation then gets the event and a context object
(``aws_request_id``, ``function_name``, ``function_version``, ``invoked_function_arn``,
``memory_limit_in_mb``, ``log_group_name``, ``log_stream_name``, ``get_remaining_time_in_millis()``), and
answers the JSON result or the error as the Python runtime reports it (``errorMessage``, ``errorType``,
``requestId``, ``stackTrace``; ``Runtime.ImportModuleError``, ``Runtime.HandlerNotFound``,
``Runtime.MarshalError``). What the handler prints during an invocation is sent back as its log.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import json
import os
import resource
import struct
import sys
import threading
import time
import traceback
from typing import Any

_HEADER = struct.Struct(">I")


def _read_exact(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, left)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> dict[str, Any]:
    (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size))
    loaded: dict[str, Any] = json.loads(_read_exact(fd, size))
    return loaded


def write_frame(fd: int, message: dict[str, Any]) -> None:
    data = json.dumps(message, separators=(",", ":")).encode()
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


class Capture(io.TextIOBase):
    """Collects what the handler writes (every thread) while an invocation runs."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            self._parts.append(text)
        return len(text)

    def take(self, limit: int = 256 * 1024) -> str:
        with self._lock:
            text, self._parts = "".join(self._parts), []
        return text[-limit:]


class Context:
    """The ``context`` argument of a Python handler."""

    def __init__(self, request_id: str, deadline_ms: float, invoked_arn: str = "") -> None:
        env = os.environ
        self.aws_request_id = request_id
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = invoked_arn
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int(self._deadline_ms - time.time() * 1000))


_INTERNAL = (os.path.abspath(__file__), "faults_wrapper.py")


def error_shape(exc: BaseException, request_id: str = "", error_type: str | None = None) -> dict[str, Any]:
    """The Python runtime's error document; frames of the bootstrap and wrapper are left out."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.endswith(_INTERNAL) and os.path.abspath(f.filename) != _INTERNAL[0]]
    return {"errorMessage": str(exc), "errorType": error_type or type(exc).__name__, "requestId": request_id,
            "stackTrace": traceback.format_list(frames)}


def setup_path(task_root: str, layers: list[str]) -> None:
    """``sys.path`` as in a Lambda sandbox: task root, then the layers' Python folders, then the runtime's."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    head = [task_root]
    for layer in reversed(layers):
        head += [os.path.join(layer, "python", "lib", version, "site-packages"), os.path.join(layer, "python")]
    script_dir = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if p and os.path.abspath(p) != script_dir and p not in head]
    sys.path[:] = head + rest


def load_wrapper(path: str) -> Any:
    spec = importlib.util.spec_from_file_location("infra_parity_faults_wrapper", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the fault wrapper from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def init_handler(spec: str, wrapper: Any) -> Any:
    """Import the handler; raises with the runtime's error type in ``args[1]`` on failure."""
    module_name, _, attribute = spec.replace("/", ".").rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # any import failure is the runtime's ImportModuleError
        raise RuntimeError(f"Unable to import module '{module_name}': {exc}", "Runtime.ImportModuleError") from exc
    handler = getattr(module, attribute, None)
    if not callable(handler):
        raise RuntimeError(f"Handler '{attribute}' missing on module '{module_name}'", "Runtime.HandlerNotFound")
    return wrapper.wrap(handler)


def peak_rss_kb() -> int:
    """The process's peak resident memory since it started (``VmHWM``: ``ru_maxrss`` survives ``exec``)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def invoke(handler: Any, message: dict[str, Any], capture: Capture) -> dict[str, Any]:
    """Run one invocation; the answer frame."""
    request_id = str(message["request_id"])
    if message.get("faults") is not None:
        os.environ["INFRA_PARITY_FAULTS"] = str(message["faults"])
    context = Context(request_id, float(message["deadline_ms"]), str(message.get("invoked_arn") or ""))
    event = json.loads(message["event"]) if message.get("event") else {}
    answer: dict[str, Any] = {"type": "result", "id": message.get("id")}
    try:
        result = handler(event, context)
        try:
            answer["payload"] = json.dumps(result)
        except (TypeError, ValueError) as exc:
            answer["error"] = {"errorMessage": f"Unable to marshal response: {exc}", "errorType":
                               "Runtime.MarshalError", "requestId": request_id, "stackTrace": []}
    except Exception as exc:  # every handler error is reported to the caller, as Lambda does
        answer["error"] = error_shape(exc, request_id)
        print(f"[ERROR] {type(exc).__name__}: {exc}", file=sys.stderr)
    answer["log"] = capture.take()
    answer["max_rss_kb"] = peak_rss_kb()
    return answer


def main() -> None:
    rfd, wfd = (int(x) for x in os.environ["INFRA_PARITY_WORKER_FDS"].split(","))
    capture = Capture()
    sys.stdout = sys.stderr = capture
    layers = [p for p in os.environ.get("INFRA_PARITY_LAYER_DIRS", "").split(os.pathsep) if p]
    started = time.monotonic()
    try:
        setup_path(os.environ["LAMBDA_TASK_ROOT"], layers)
        handler = init_handler(os.environ["_HANDLER"], load_wrapper(os.environ["INFRA_PARITY_WRAPPER"]))
    except RuntimeError as exc:
        kind = exc.args[1] if len(exc.args) > 1 else "Runtime.Unknown"
        error: dict[str, Any] = {"errorMessage": str(exc.args[0]), "errorType": kind, "requestId": "",
                                 "stackTrace": []}
        write_frame(wfd, {"type": "init_error", "error": error, "log": capture.take()})
        return
    write_frame(wfd, {"type": "ready", "init_ms": (time.monotonic() - started) * 1000, "log": capture.take()})
    while True:
        try:
            message = read_frame(rfd)
        except EOFError:
            return
        write_frame(wfd, invoke(handler, message, capture))


if __name__ == "__main__":
    main()
