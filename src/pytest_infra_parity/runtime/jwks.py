"""A local test key set for JWT authorizers: an RSA key, its JWKS, and tokens signed with it.

Real Cognito user pools publish their keys at
``https://cognito-idp.<region>.amazonaws.com/<pool id>/.well-known/jwks.json``, which is not reachable
offline (and moto's keys are not the pool's). The gateway therefore verifies tokens against this key
set; tests and load profiles mint tokens with the claims Cognito puts in an ID or access token (``sub``,
``iss``, ``aud`` or ``client_id``, ``token_use``, ``exp``, ``iat``, ``auth_time``). The key is generated
with the ``cryptography`` package (installed with moto).
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

__all__ = ["LocalJwks"]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_b64(value: int) -> str:
    return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


class LocalJwks:
    """An RSA-2048 key with a JWKS document and a token minter."""

    def __init__(self, kid: str | None = None) -> None:
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.kid = kid or f"infra-parity-{uuid.uuid4().hex[:8]}"
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        numbers = self._key.public_key().public_numbers()
        self.jwk = {"kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256", "n": _int_b64(numbers.n),
                    "e": _int_b64(numbers.e)}

    @property
    def document(self) -> dict[str, Any]:
        """The JWKS (``{"keys": [...]}``)."""
        return {"keys": [dict(self.jwk)]}

    def sign(self, claims: dict[str, Any], kid: str | None = None) -> str:
        """A compact RS256 JWT of ``claims``."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        header = {"alg": "RS256", "typ": "JWT", "kid": kid or self.kid}
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        signature = self._key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64url(signature)}"

    def token(self, issuer: str, audience: str, subject: str = "user-1", *, lifetime: float = 3600,
              token_use: str = "id", scopes: str | None = None, **extra: Any) -> str:
        """A Cognito-like token: ``aud`` for an ID token, ``client_id`` for an access token."""
        now = int(time.time())
        claims: dict[str, Any] = {"sub": subject, "iss": issuer, "token_use": token_use, "auth_time": now,
                                  "iat": now, "exp": int(now + lifetime), "jti": str(uuid.uuid4())}
        claims["aud" if token_use == "id" else "client_id"] = audience
        if scopes:
            claims["scope"] = scopes
        claims.update(extra)
        return self.sign(claims)
