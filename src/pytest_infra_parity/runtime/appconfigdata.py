"""AppConfig Data (the configuration data plane) for handlers on a target that does not serve it (moto).

From the AppConfig Data API reference: ``StartConfigurationSession`` (``POST /configurationsessions``,
identifiers by id or name) answers an ``InitialConfigurationToken``; ``GetLatestConfiguration`` (``GET
/configuration?configuration_token=``) answers the configuration deployed to the environment, with a
new token (``Next-Poll-Configuration-Token``, each token is used once) and
``Next-Poll-Interval-In-Seconds`` (60 unless the session asked for more); the body is empty when the
configuration did not change since the previous call of the session. For an
``AWS.AppConfig.FeatureFlags`` profile the data plane returns the evaluated flags (the hosted document's
``values``: ``{"flag": {"enabled": false, ...}}``). Nothing is deployed until a deployment is recorded
with :meth:`AppConfigData.deploy` (moto runs no AppConfig deployment): the body stays empty until then,
which is what a handler sees before the first deployment completes.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["AppConfigData"]

Answer = tuple[int, bytes, dict[str, str]]


@dataclass
class _Session:
    application: str
    environment: str
    profile: str
    interval: int
    served: int | None = None


def _error(status: int, kind: str, message: str) -> Answer:
    return status, json.dumps({"Message": message}).encode(), {"x-amzn-ErrorType": kind}


class AppConfigData:
    """Sessions and deployed versions, the hosted content read from the target's AppConfig."""

    def __init__(self, clients: Callable[[str], Any]) -> None:
        self._clients = clients
        self._lock = threading.Lock()
        self._sessions: dict[str, _Session] = {}
        self._deployed: dict[tuple[str, str, str], int] = {}

    def deploy(self, application: str, environment: str, profile: str, version: int) -> None:
        """Record that hosted ``version`` of ``profile`` is deployed to ``environment`` (ids)."""
        with self._lock:
            self._deployed[(application, environment, profile)] = int(version)

    def _resolve(self, body: dict[str, Any]) -> tuple[str, str, str]:
        """Application and profile are checked on the target; identifiers are the ids (as the designs pass them).

        moto: AppConfig has no environment API and no ListApplications, so the environment identifier is
        taken as given and the application and profile are read by id.
        """
        appconfig = self._clients("appconfig")
        app = str(body.get("ApplicationIdentifier") or "")
        profile = str(body.get("ConfigurationProfileIdentifier") or "")
        env = str(body.get("EnvironmentIdentifier") or "")
        try:
            appconfig.get_application(ApplicationId=app)
            appconfig.get_configuration_profile(ApplicationId=app, ConfigurationProfileId=profile)
        except Exception as exc:  # duck-typed: a missing resource is a 404 for the caller
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code in ("ResourceNotFoundException", "404"):
                raise LookupError(f"application {app!r} or configuration profile {profile!r}") from None
            raise
        if not env:
            raise LookupError("environment (no EnvironmentIdentifier)")
        return app, env, profile

    def start_session(self, raw: bytes) -> Answer:
        try:
            body = json.loads(raw or b"{}")
            app, env, profile = self._resolve(body)
        except (ValueError, AttributeError):
            return _error(400, "BadRequestException", "the request body must be JSON")
        except LookupError as exc:
            return _error(404, "ResourceNotFoundException", f"not found: {exc}")
        interval = max(15, int(body.get("RequiredMinimumPollIntervalInSeconds") or 60))
        token = str(uuid.uuid4())
        with self._lock:
            self._sessions[token] = _Session(app, env, profile, interval)
        return 201, json.dumps({"InitialConfigurationToken": token}).encode(), {}

    def _content(self, session: _Session, version: int) -> tuple[bytes, str]:
        got = self._clients("appconfig").get_hosted_configuration_version(
            ApplicationId=session.application, ConfigurationProfileId=session.profile, VersionNumber=version)
        content = got["Content"].read() if hasattr(got["Content"], "read") else bytes(got["Content"])
        kind = self._clients("appconfig").get_configuration_profile(
            ApplicationId=session.application, ConfigurationProfileId=session.profile).get("Type")
        if kind == "AWS.AppConfig.FeatureFlags":
            values = json.loads(content or b"{}").get("values") or {}
            return json.dumps(values).encode(), "application/json"
        return content, str(got.get("ContentType") or "application/octet-stream")

    def latest(self, token: str) -> Answer:
        with self._lock:
            session = self._sessions.pop(token, None)
        if session is None:
            return _error(400, "BadRequestException", "the configuration token is not valid (each is used once)")
        with self._lock:
            version = self._deployed.get((session.application, session.environment, session.profile))
        body, content_type = b"", "application/json"
        if version is not None and version != session.served:
            body, content_type = self._content(session, version)
            session.served = version
        nxt = str(uuid.uuid4())
        with self._lock:
            self._sessions[nxt] = session
        headers = {"Next-Poll-Configuration-Token": nxt, "Next-Poll-Interval-In-Seconds": str(session.interval),
                   "Content-Type": content_type}
        if version is not None:
            headers["Version-Label"] = str(version)
        return 200, body, headers
