import base64
import json
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from scoremate_shared.auth import TokenVerifier
from scoremate_shared.errors import ServiceUnavailable, Unauthorized

ISSUER, AUDIENCE = "scoremate-auth", "scoremate"


def _key(kid: str):
    private = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
    jwk.update(kid=kid, alg="ES256", use="sig")
    return private, jwk


def _claims(**overrides):
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(uuid.uuid4()),
        "roles": ["user"],
        "typ": "access",
        "iat": now,
        "exp": now + 300,
    }
    claims.update(overrides)
    return claims


@pytest.fixture
def keys():
    return _key("k1")


@pytest.fixture
def verifier(keys):
    _, jwk = keys
    v = TokenVerifier("http://127.0.0.1:1/jwks.json", issuer=ISSUER, audience=AUDIENCE)
    v.set_keys({"keys": [jwk]})
    return v


async def test_valid_token_gives_the_principal(keys, verifier):
    private, _ = keys
    claims = _claims(roles=["user", "admin"])
    token = jwt.encode(claims, private, algorithm="ES256", headers={"kid": "k1"})
    principal = await verifier.verify(token)
    assert str(principal.user_id) == claims["sub"]
    assert principal.is_admin


async def test_expired_token_is_refused(keys, verifier):
    private, _ = keys
    token = jwt.encode(_claims(exp=int(time.time()) - 5), private, algorithm="ES256", headers={"kid": "k1"})
    with pytest.raises(Unauthorized, match="expired"):
        await verifier.verify(token)


async def test_alg_none_is_refused(verifier):
    header = base64.urlsafe_b64encode(b'{"alg":"none","kid":"k1","typ":"JWT"}').rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(_claims()).encode()).rstrip(b"=")
    with pytest.raises(Unauthorized):
        await verifier.verify(f"{header.decode()}.{body.decode()}.")


async def test_hmac_token_signed_with_the_public_key_is_refused(keys, verifier):
    private, _ = keys
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    import hashlib
    import hmac

    header = base64.urlsafe_b64encode(b'{"alg":"HS256","kid":"k1","typ":"JWT"}').rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(_claims()).encode()).rstrip(b"=")
    signing_input = header + b"." + body
    signature = base64.urlsafe_b64encode(hmac.new(public_pem, signing_input, hashlib.sha256).digest())
    with pytest.raises(Unauthorized):
        await verifier.verify((signing_input + b"." + signature.rstrip(b"=")).decode())


async def test_unknown_kid_is_refused(verifier):
    other, _ = _key("k2")
    token = jwt.encode(_claims(), other, algorithm="ES256", headers={"kid": "k2"})
    with pytest.raises(Unauthorized, match="unknown key"):
        await verifier.verify(token)


async def test_token_signed_by_another_key_under_a_known_kid_is_refused(verifier):
    other, _ = _key("k1")
    token = jwt.encode(_claims(), other, algorithm="ES256", headers={"kid": "k1"})
    with pytest.raises(Unauthorized):
        await verifier.verify(token)


async def test_tampered_payload_is_refused(keys, verifier):
    private, _ = keys
    token = jwt.encode(_claims(), private, algorithm="ES256", headers={"kid": "k1"})
    header, _, signature = token.split(".")
    forged = base64.urlsafe_b64encode(json.dumps(_claims(roles=["admin"])).encode()).rstrip(b"=")
    with pytest.raises(Unauthorized):
        await verifier.verify(f"{header}.{forged.decode()}.{signature}")


async def test_refresh_or_other_token_types_are_refused(keys, verifier):
    private, _ = keys
    token = jwt.encode(_claims(typ="refresh"), private, algorithm="ES256", headers={"kid": "k1"})
    with pytest.raises(Unauthorized, match="Not an access token"):
        await verifier.verify(token)


async def test_wrong_audience_is_refused(keys, verifier):
    private, _ = keys
    token = jwt.encode(_claims(aud="elsewhere"), private, algorithm="ES256", headers={"kid": "k1"})
    with pytest.raises(Unauthorized):
        await verifier.verify(token)


async def test_a_verified_token_is_not_verified_again_until_it_expires(keys, verifier, monkeypatch):
    private, _ = keys
    token = jwt.encode(_claims(exp=int(time.time()) + 60), private, algorithm="ES256", headers={"kid": "k1"})
    decoded = []
    real_decode = jwt.decode

    def counting_decode(*args, **kwargs):
        decoded.append(1)
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting_decode)
    first = await verifier.verify(token)
    assert await verifier.verify(token) == first
    assert len(decoded) == 1
    # Past its exp the cached answer is gone: the token is checked again (and PyJWT, on its
    # own clock, then refuses it once it really expired).
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    await verifier.verify(token)
    assert len(decoded) == 2


async def test_a_tampered_copy_of_a_cached_token_is_still_refused(keys, verifier):
    private, _ = keys
    token = jwt.encode(_claims(), private, algorithm="ES256", headers={"kid": "k1"})
    await verifier.verify(token)
    header, _body, signature = token.split(".")
    other = base64.urlsafe_b64encode(json.dumps(_claims()).encode()).rstrip(b"=").decode()
    with pytest.raises(Unauthorized):
        await verifier.verify(f"{header}.{other}.{signature}")


async def test_the_cache_of_verified_tokens_is_bounded(keys):
    private, jwk = keys
    small = TokenVerifier("http://127.0.0.1:1/jwks.json", issuer=ISSUER, audience=AUDIENCE, cache_size=3)
    small.set_keys({"keys": [jwk]})
    tokens = [jwt.encode(_claims(), private, algorithm="ES256", headers={"kid": "k1"}) for _ in range(5)]
    for token in tokens:
        await small.verify(token)
    assert len(small._verified) == 3
    assert tokens[-1] in small._verified
    assert tokens[0] not in small._verified


async def test_an_unknown_key_while_the_key_set_cannot_be_fetched_is_a_503_not_a_401(keys):
    """A worker that has not loaded the keys yet, while auth restarts: the token may be good."""
    private, _ = keys
    cold = TokenVerifier("http://127.0.0.1:1/jwks.json", issuer=ISSUER, audience=AUDIENCE)
    token = jwt.encode(_claims(), private, algorithm="ES256", headers={"kid": "k1"})
    with pytest.raises(ServiceUnavailable):
        await cold.verify(token)


async def test_an_unknown_key_in_a_fetched_key_set_is_a_401(verifier, monkeypatch):
    other, _ = _key("k2")
    token = jwt.encode(_claims(), other, algorithm="ES256", headers={"kid": "k2"})

    async def key_set_without_k2():
        return {"keys": []}

    monkeypatch.setattr(verifier, "_min_refetch", 0.0)
    verifier.use_key_loader(key_set_without_k2)
    with pytest.raises(Unauthorized, match="unknown key"):
        await verifier.verify(token)
