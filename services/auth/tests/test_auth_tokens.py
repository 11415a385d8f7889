"""Access tokens issued by auth, checked by the shared verifier every service uses."""

import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from scoremate_auth.keys import KeyCipher
from scoremate_auth.tokens import generate_key_pair, issue_access_token, load_key_pair, public_jwk
from scoremate_shared.auth import TokenVerifier
from scoremate_shared.errors import Unauthorized

ISSUER, AUDIENCE = "scoremate-auth", "scoremate"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def key():
    return generate_key_pair()


@pytest.fixture
def verifier(key):
    # An unreachable JWKS URL: every key the verifier knows comes from set_keys.
    v = TokenVerifier("http://127.0.0.1:1/jwks.json", issuer=ISSUER, audience=AUDIENCE)
    v.set_keys({"keys": [key.public_jwk]})
    return v


def _issue(key, *, user_id=None, roles=("user",), now=None, ttl=900):
    return issue_access_token(
        key,
        user_id=user_id or uuid.uuid4(),
        roles=list(roles),
        now=now or datetime.now(UTC),
        ttl=timedelta(seconds=ttl),
        issuer=ISSUER,
        audience=AUDIENCE,
    )


async def test_issued_token_verifies_with_user_and_roles(key, verifier):
    user_id = uuid.uuid4()
    principal = await verifier.verify(_issue(key, user_id=user_id, roles=["user", "admin"]))
    assert principal.user_id == user_id
    assert principal.roles == frozenset({"user", "admin"})
    assert principal.is_admin


async def test_issued_token_carries_the_contract_claims(key):
    now = datetime.now(UTC)
    token = _issue(key, now=now, ttl=900)
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "ES256"
    assert header["kid"] == key.kid
    assert claims["typ"] == "access"
    assert claims["iss"] == ISSUER
    assert claims["aud"] == AUDIENCE
    assert claims["exp"] - claims["iat"] == 900


async def test_expired_token_is_refused(key, verifier):
    token = _issue(key, now=datetime.now(UTC) - timedelta(seconds=1000), ttl=900)
    with pytest.raises(Unauthorized, match="expired"):
        await verifier.verify(token)


async def test_alg_none_is_refused(key, verifier):
    claims = jwt.decode(_issue(key), options={"verify_signature": False})
    header = _b64(json.dumps({"alg": "none", "kid": key.kid, "typ": "JWT"}).encode())
    with pytest.raises(Unauthorized):
        await verifier.verify(f"{header}.{_b64(json.dumps(claims).encode())}.")


async def test_hs256_signed_with_the_public_key_pem_is_refused(key, verifier):
    claims = jwt.decode(_issue(key), options={"verify_signature": False})
    public_pem = key.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "kid": key.kid, "typ": "JWT"}).encode())
    signing_input = f"{header}.{_b64(json.dumps(claims).encode())}"
    signature = _b64(hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest())
    with pytest.raises(Unauthorized):
        await verifier.verify(f"{signing_input}.{signature}")


async def test_token_of_an_unpublished_key_is_refused(verifier):
    with pytest.raises(Unauthorized, match="unknown key"):
        await verifier.verify(_issue(generate_key_pair()))


async def test_token_signed_by_another_key_under_a_known_kid_is_refused(key, verifier):
    other = generate_key_pair()
    forged = type(other)(kid=key.kid, private_key=other.private_key, public_jwk=other.public_jwk)
    with pytest.raises(Unauthorized):
        await verifier.verify(_issue(forged))


async def test_tampered_payload_is_refused(key, verifier):
    header, payload, signature = _issue(key, roles=["user"]).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["roles"] = ["user", "admin"]
    with pytest.raises(Unauthorized):
        await verifier.verify(f"{header}.{_b64(json.dumps(claims).encode())}.{signature}")


async def test_previous_key_still_verifies_while_published(verifier, key):
    """After a rotation both keys are in the JWKS: tokens of the old one stay valid."""
    new = generate_key_pair()
    verifier.set_keys({"keys": [new.public_jwk, key.public_jwk]})
    assert (await verifier.verify(_issue(key))).user_id
    assert (await verifier.verify(_issue(new))).user_id


def test_kid_is_the_rfc7638_thumbprint_and_jwk_is_public_only(key):
    jwk = key.public_jwk
    assert set(jwk) == {"crv", "kty", "x", "y", "kid", "alg", "use"}
    assert (jwk["alg"], jwk["use"], jwk["crv"]) == ("ES256", "sig", "P-256")
    assert "d" not in jwk
    required = {k: jwk[k] for k in ("crv", "kty", "x", "y")}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True)
    assert jwk["kid"] == _b64(hashlib.sha256(canonical.encode()).digest())
    assert public_jwk(key.private_key)["kid"] == key.kid


def test_stored_pem_loads_back_to_the_same_key(key):
    loaded = load_key_pair(key.kid, key.private_key_pem, key.public_jwk)
    assert public_jwk(loaded.private_key) == key.public_jwk
    assert key.private_key_pem.startswith("-----BEGIN PRIVATE KEY-----")


def test_two_keys_differ():
    assert generate_key_pair().kid != generate_key_pair().kid


def test_token_lifetime_follows_the_ttl(key):
    token = _issue(key, ttl=60)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert abs(claims["exp"] - (time.time() + 60)) < 5


def test_signing_keys_are_sealed_at_rest_and_open_only_with_their_key_and_kid():
    key = generate_key_pair()
    cipher = KeyCipher("the-operators-long-random-encryption-key-0123456789")
    sealed = cipher.seal(key.kid, key.private_key_pem)
    assert "PRIVATE KEY" not in sealed
    assert sealed != cipher.seal(key.kid, key.private_key_pem)  # a fresh nonce every time
    assert cipher.open(key.kid, sealed) == key.private_key_pem
    with pytest.raises(ValueError, match="SIGNING_KEY_ENCRYPTION_KEY"):
        KeyCipher("another-long-random-encryption-key-0123456789").open(key.kid, sealed)
    with pytest.raises(ValueError, match="cannot be opened"):
        cipher.open("another-kid", sealed)  # bound to its kid: rows cannot be swapped
    # A key written before sealing existed still opens (and is sealed at the next start).
    assert cipher.open(key.kid, key.private_key_pem) == key.private_key_pem
