"""JWT authorizer checks of an HTTP API, as API Gateway performs them.

From "Controlling access to HTTP APIs with JWT authorizers" (API Gateway developer guide): the token
is taken from the identity source (``$request.header.Authorization``; a ``Bearer `` prefix is
accepted), decoded, its signature checked with the issuer's JWKS key named by ``kid`` (RSA only:
RS256/RS384/RS512), then ``iss`` must equal the issuer, ``aud`` or ``client_id`` must match one of the
audiences, ``exp`` must be in the future, ``nbf`` and ``iat`` (when present) in the past, and when the
route has authorization scopes, ``scope``/``scp`` must hold one of them. A missing or invalid token is
answered 401 ``{"message":"Unauthorized"}``, missing scopes 403 ``{"message":"Forbidden"}``; the
claims reach the integration in ``requestContext.authorizer.jwt`` (payload 2.0).

The keys: API Gateway fetches ``<issuer>/.well-known/openid-configuration`` and its ``jwks_uri``.
Cognito's real keys are not reachable offline, so the gateway is given a JWKS (a local test key set,
:mod:`.jwks`, that also mints tokens for tests and load profiles). Signatures are verified with plain
integer arithmetic (RSASSA-PKCS1-v1_5, RFC 8017 section 8.2.2), no cryptography library needed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["AuthResult", "JwtAuthorizer", "b64url_decode", "verify_rs"]

_DIGESTS = {"RS256": ("sha256", bytes.fromhex("3031300d060960864801650304020105000420")),
            "RS384": ("sha384", bytes.fromhex("3041300d060960864801650304020205000430")),
            "RS512": ("sha512", bytes.fromhex("3051300d060960864801650304020305000440"))}


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_rs(alg: str, jwk: Mapping[str, Any], signing_input: bytes, signature: bytes) -> bool:
    """RSASSA-PKCS1-v1_5 verification of ``signature`` over ``signing_input`` with an RSA JWK."""
    if alg not in _DIGESTS or jwk.get("kty") != "RSA":
        return False
    n = int.from_bytes(b64url_decode(str(jwk["n"])), "big")
    e = int.from_bytes(b64url_decode(str(jwk["e"])), "big")
    size = (n.bit_length() + 7) // 8
    if len(signature) != size:
        return False
    name, prefix = _DIGESTS[alg]
    digest = prefix + hashlib.new(name, signing_input).digest()
    expected = b"\x00\x01" + b"\xff" * (size - len(digest) - 3) + b"\x00" + digest
    return pow(int.from_bytes(signature, "big"), e, n).to_bytes(size, "big") == expected


@dataclass(frozen=True)
class AuthResult:
    """The authorizer's decision: 200 (allowed, with claims and scopes), 401 or 403, and why."""

    status: int
    reason: str
    claims: dict[str, str] | None = None
    scopes: list[str] | None = None


def _claim_text(value: Any) -> str:
    if isinstance(value, list):
        return "[" + " ".join(str(v) for v in value) + "]"
    return str(value)


@dataclass
class JwtAuthorizer:
    """One ``JWT`` authorizer: issuer, audiences, the key set, and the identity source header."""

    issuer: str
    audiences: Sequence[str]
    jwks: Mapping[str, Any]
    header: str = "authorization"
    leeway: float = 0.0

    def _token(self, headers: Mapping[str, str]) -> str | None:
        raw = headers.get(self.header.lower())
        if not raw:
            return None
        return raw[7:].strip() if raw[:7].lower() == "bearer " else raw.strip()

    def _decode(self, token: str) -> tuple[dict[str, Any], dict[str, Any]] | str:
        parts = token.split(".")
        if len(parts) != 3:
            return "the token is not a JWT"
        try:
            head, claims = json.loads(b64url_decode(parts[0])), json.loads(b64url_decode(parts[1]))
            signature = b64url_decode(parts[2])
        except (ValueError, UnicodeDecodeError):
            return "the token cannot be decoded"
        key = next((k for k in self.jwks.get("keys") or [] if k.get("kid") == head.get("kid")), None)
        if key is None:
            return f"no key {head.get('kid')!r} in the issuer's JWKS"
        if not verify_rs(str(head.get("alg")), key, f"{parts[0]}.{parts[1]}".encode(), signature):
            return "the signature does not verify"
        return head, claims

    def _claims_problem(self, claims: Mapping[str, Any], now: float) -> str | None:
        if claims.get("iss") != self.issuer:
            return f"iss {claims.get('iss')!r} is not the issuer {self.issuer!r}"
        aud = claims.get("aud", claims.get("client_id"))
        auds = aud if isinstance(aud, list) else [aud]
        if not any(a in self.audiences for a in auds):
            return f"aud/client_id {aud!r} matches no audience of the authorizer"
        if not isinstance(claims.get("exp"), int | float) or claims["exp"] <= now - self.leeway:
            return "the token has expired (exp)"
        for name in ("nbf", "iat"):
            if name in claims and float(claims[name]) > now + self.leeway:
                return f"{name} is in the future"
        return None

    def authorize(self, headers: Mapping[str, str], scopes: Sequence[str] = (), now: float | None = None
                  ) -> AuthResult:
        """Check the request's token; ``scopes`` are the route's authorization scopes."""
        token = self._token(headers)
        if token is None:
            return AuthResult(401, f"no token in the {self.header} header")
        decoded = self._decode(token)
        if isinstance(decoded, str):
            return AuthResult(401, decoded)
        _, claims = decoded
        problem = self._claims_problem(claims, time.time() if now is None else now)
        if problem:
            return AuthResult(401, problem)
        granted = str(claims.get("scope") or claims.get("scp") or "").split()
        if scopes and not set(scopes) & set(granted):
            return AuthResult(403, f"the token's scopes {granted} hold none of {list(scopes)}")
        return AuthResult(200, "authorized", {k: _claim_text(v) for k, v in claims.items()}, granted or None)
