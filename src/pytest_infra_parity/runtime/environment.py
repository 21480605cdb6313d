"""The environment of a worker: Lambda's reserved variables, the function's own, and the local endpoints.

Reserved variables from "Using Lambda environment variables" (Lambda developer guide): ``_HANDLER``,
``AWS_REGION``, ``AWS_DEFAULT_REGION``, ``AWS_EXECUTION_ENV`` (``AWS_Lambda_<runtime>``),
``AWS_LAMBDA_FUNCTION_NAME``, ``AWS_LAMBDA_FUNCTION_MEMORY_SIZE``, ``AWS_LAMBDA_FUNCTION_VERSION``,
``AWS_LAMBDA_INITIALIZATION_TYPE``, ``AWS_LAMBDA_LOG_GROUP_NAME``, ``AWS_LAMBDA_LOG_STREAM_NAME``,
``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/``AWS_SESSION_TOKEN``, ``LAMBDA_TASK_ROOT``,
``LAMBDA_RUNTIME_DIR``, ``TZ`` (``:UTC``); the function's variables cannot override them. On an emulated
target the SDKs inside the handler are pointed at it with ``AWS_ENDPOINT_URL`` (the SDKs' "service-
specific endpoints" setting), and at the runtime's own data plane for ``lambda`` (so a handler that
invokes another function runs it locally) and ``appconfigdata`` (which moto does not serve).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Mapping

from pytest_infra_parity.runtime.config import FunctionConfig

__all__ = ["worker_env"]

_PASS = ("PATH", "LANG", "LD_LIBRARY_PATH", "HOME", "SSL_CERT_FILE", "SYSTEMROOT")


def worker_env(config: FunctionConfig, *, region: str, endpoint_url: str | None, data_plane_url: str | None,
               overrides: Mapping[str, str], faults: str, credentials: tuple[str, str, str] | None = None) -> dict[
        str, str]:
    """Every variable a worker of ``config`` starts with."""
    env = {k: os.environ[k] for k in _PASS if k in os.environ}
    env.update(config.env)
    env.update(overrides)
    key, secret, token = credentials or ("testing", "testing", "testing")
    today = dt.datetime.now(dt.UTC).strftime("%Y/%m/%d")
    env.update({
        "_HANDLER": config.handler, "LAMBDA_TASK_ROOT": str(config.code_dir),
        "LAMBDA_RUNTIME_DIR": str(config.code_dir),
        "AWS_REGION": region, "AWS_DEFAULT_REGION": region, "AWS_EXECUTION_ENV": f"AWS_Lambda_{config.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": config.name, "AWS_LAMBDA_FUNCTION_VERSION": config.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory_mb), "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{config.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": f"{today}/[{config.version}]{secrets.token_hex(16)}",
        "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token, "TZ": ":UTC",
        "INFRA_PARITY_FAULTS": faults,
        "INFRA_PARITY_LAYER_DIRS": os.pathsep.join(str(p) for p in config.layer_dirs),
    })
    if endpoint_url:
        env["AWS_ENDPOINT_URL"] = endpoint_url
    if data_plane_url:
        env["AWS_ENDPOINT_URL_LAMBDA"] = data_plane_url
        env["AWS_ENDPOINT_URL_APPCONFIGDATA"] = data_plane_url
    if "SSL_CERT_FILE" in overrides:
        env["SSL_CERT_FILE"] = overrides["SSL_CERT_FILE"]
    return env
