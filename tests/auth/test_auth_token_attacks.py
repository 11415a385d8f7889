"""Forged, tampered and expired access tokens are 401 in every service, through the gateway."""

import base64
import hashlib
import hmac
import json
import time
import uuid

import jwt
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy.ext.asyncio import create_async_engine

from scoremate_auth.keys import KeyCipher
from tests.support import ApiClient

pytestmark = pytest.mark.stack

# One authenticated call per service.
ENDPOINTS = [
    ("GET", "/auth/me"),
    ("GET", f"/files/download-url?score_id={uuid.uuid4()}"),
    ("GET", "/scores"),
    ("GET", "/setlists"),
    ("GET", "/tasks"),
    ("GET", "/billing/usage"),
]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(sub: str, **overrides) -> dict:
    now = int(time.time())
    claims = {
        "iss": "scoremate-auth",
        "aud": "scoremate",
        "sub": sub,
        "roles": ["user", "admin"],
        "typ": "access",
        "iat": now,
        "exp": now + 300,
    }
    return claims | overrides


async def _active_private_key(stack) -> tuple[str, str]:
    """The real signing key, read as superuser: to make an expired token that is otherwise valid."""
    engine = create_async_engine(stack.superuser_database_url)
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.text("SELECT kid, private_key_pem FROM auth.signing_keys WHERE retired_at IS NULL")
                )
            ).one()
    finally:
        await engine.dispose()
    # Sealed at rest: only the stack's own encryption key opens it.
    return row.kid, KeyCipher(stack.cfg.signing_key_encryption_key()).open(row.kid, row.private_key_pem)


async def test_forged_tampered_and_expired_tokens_are_refused_everywhere(api: ApiClient, stack):
    user = await api.register()
    jwks = (await api.http.get("/auth/.well-known/jwks.json")).json()
    public_jwk = jwks["keys"][0]
    kid = public_jwk["kid"]
    public_pem = jwt.PyJWK.from_dict(public_jwk).key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = _claims(user.id)

    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": kid}).encode())
    alg_none = f"{header}.{_b64(json.dumps(claims).encode())}."
    hs_header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    hs_input = f"{hs_header}.{_b64(json.dumps(claims).encode())}".encode()
    hmac_with_public_key = (
        f"{hs_input.decode()}.{_b64(hmac.new(public_pem, hs_input, hashlib.sha256).digest())}"
    )
    stranger_key = ec.generate_private_key(ec.SECP256R1())
    wrong_kid = jwt.encode(claims, stranger_key, algorithm="ES256", headers={"kid": "not-a-known-kid"})
    own_key_known_kid = jwt.encode(claims, stranger_key, algorithm="ES256", headers={"kid": kid})
    head, body, signature = user.access_token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    tampered = f"{head}.{_b64(json.dumps(payload | {'roles': ['user', 'admin']}).encode())}.{signature}"
    real_kid, real_pem = await _active_private_key(stack)
    expired = jwt.encode(
        _claims(user.id, iat=int(time.time()) - 3600, exp=int(time.time()) - 60),
        real_pem,
        algorithm="ES256",
        headers={"kid": real_kid},
    )
    attacks = {
        "alg none": alg_none,
        "HMAC with the public key": hmac_with_public_key,
        "unknown kid": wrong_kid,
        "another key under the real kid": own_key_known_kid,
        "tampered payload": tampered,
        "expired": expired,
        "garbage": "not.a.token",
    }
    for method, path in ENDPOINTS:
        valid = await api.http.request(method, path, headers=user.headers)
        assert valid.status_code != 401, (path, valid.text)
        for name, token in attacks.items():
            response = await api.http.request(method, path, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 401, (path, name, response.status_code)
            assert response.headers["content-type"].startswith("application/problem+json")
