"""The outcome of one invocation, and the error documents Lambda answers.

Shapes from the Lambda API reference (Invoke: ``X-Amz-Function-Error``, ``X-Amz-Executed-Version``,
``X-Amz-Log-Result``; errors ``TooManyRequestsException`` with ``Reason`` and ``Type``, and
``ResourceNotFoundException``) and from the runtimes: a timed-out invocation answers
``{"errorType": "Sandbox.Timedout", "errorMessage": "RequestId: <id> Error: Task timed out after
<n>.00 seconds"}`` with ``X-Amz-Function-Error: Unhandled``; an environment that ran out of memory
answers ``Runtime.ExitError`` ("signal: killed"). Every function error is reported as ``Unhandled``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pytest_infra_parity.runtime.metrics import InvocationRecord

__all__ = ["InvocationResult", "out_of_memory", "throttle_body", "timed_out"]


def timed_out(request_id: str, timeout: float) -> dict[str, Any]:
    return {"errorType": "Sandbox.Timedout",
            "errorMessage": f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds"}


def out_of_memory(request_id: str) -> dict[str, Any]:
    return {"errorType": "Runtime.ExitError",
            "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: signal: killed"}


def throttle_body(reason: str) -> dict[str, Any]:
    return {"Reason": reason, "Type": "User", "message": "Rate Exceeded."}


@dataclass(frozen=True)
class InvocationResult:
    """What a synchronous invocation returns to its caller."""

    status: int
    """200 for an invocation that ran (even with a function error), 429 throttled, 404 unknown function."""
    payload: bytes
    function_error: str | None
    executed_version: str | None
    record: InvocationRecord | None
    log: str = ""
    error_code: str | None = None
    """The API error for a non-200 status (``TooManyRequestsException``...)."""

    @property
    def throttled(self) -> bool:
        return self.status == 429

    def json(self) -> Any:
        return json.loads(self.payload or b"null")
