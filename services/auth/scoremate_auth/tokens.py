"""Token material: ES256 signing keys, access tokens, opaque refresh tokens and their rotation rule."""

import base64
import enum
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from scoremate_shared.auth import ACCESS_TOKEN_TYPE

ALGORITHM = "ES256"
REFRESH_TOKEN_BYTES = 32


@dataclass(frozen=True)
class KeyPair:
    """One signing key: the private half stays in the auth schema, the JWK is published."""

    kid: str
    private_key: ec.EllipticCurvePrivateKey
    public_jwk: dict[str, Any]

    @property
    def private_key_pem(self) -> str:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_jwk(private_key: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
    """The public JWK of a P-256 key, with its RFC 7638 thumbprint as `kid`."""
    jwk: dict[str, Any] = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private_key.public_key()))
    required = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    thumbprint = hashlib.sha256(json.dumps(required, sort_keys=True, separators=(",", ":")).encode())
    return {**required, "kid": _b64url(thumbprint.digest()), "alg": ALGORITHM, "use": "sig"}


def generate_key_pair() -> KeyPair:
    private_key = ec.generate_private_key(ec.SECP256R1())
    jwk = public_jwk(private_key)
    return KeyPair(kid=jwk["kid"], private_key=private_key, public_jwk=jwk)


def load_key_pair(kid: str, private_key_pem: str, jwk: dict[str, Any]) -> KeyPair:
    private_key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    if not isinstance(private_key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"signing key {kid} is not an EC key")
    return KeyPair(kid=kid, private_key=private_key, public_jwk=jwk)


def issue_access_token(
    key: KeyPair,
    *,
    user_id: uuid.UUID,
    roles: list[str],
    now: datetime,
    ttl: timedelta,
    issuer: str,
    audience: str,
    session_id: uuid.UUID | None = None,
) -> str:
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": str(user_id),
        "roles": roles,
        "typ": ACCESS_TOKEN_TYPE,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    if session_id is not None:
        claims["sid"] = str(session_id)  # the login (refresh family): signing out ends it everywhere
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})


def new_refresh_token() -> str:
    return secrets.token_urlsafe(REFRESH_TOKEN_BYTES)


def hash_refresh_token(token: str) -> str:
    """What is stored: a leak of the table gives no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


class RefreshTokenState(Protocol):
    @property
    def expires_at(self) -> datetime: ...
    @property
    def rotated_at(self) -> datetime | None: ...
    @property
    def revoked_at(self) -> datetime | None: ...


class RefreshOutcome(enum.Enum):
    ROTATE = "rotate"  # valid: issue a new pair, this one dies
    REUSED = "reused"  # already exchanged once: someone holds a copy, revoke the whole family
    REJECT = "reject"  # unknown, revoked or expired


def judge_refresh_token(token: RefreshTokenState | None, now: datetime) -> RefreshOutcome:
    if token is None or token.revoked_at is not None:
        return RefreshOutcome.REJECT
    # A rotated token presented again is theft or a replay, even once it has expired.
    if token.rotated_at is not None:
        return RefreshOutcome.REUSED
    if token.expires_at <= now:
        return RefreshOutcome.REJECT
    return RefreshOutcome.ROTATE
