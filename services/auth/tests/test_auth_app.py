"""The app's wiring without servers: problem documents, 401s, Retry-After, the token verifier's key source."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from scoremate_auth.api import get_auth
from scoremate_auth.keys import KeyRing, LocalTokenVerifier
from scoremate_auth.main import AuthRuntime, create_app
from scoremate_auth.service import AuthService, TooManyLoginAttempts
from scoremate_auth.settings import AuthSettings
from scoremate_auth.tokens import generate_key_pair, issue_access_token
from scoremate_shared.db import Database
from scoremate_shared.errors import Unauthorized

SETTINGS = AuthSettings(
    database_url="postgresql+asyncpg://auth:pw@127.0.0.1:1/none",
    amqp_url="amqp://guest:guest@127.0.0.1:1/",
    jwks_url="http://127.0.0.1:1/jwks.json",
    signing_key_encryption_key="unit-test-signing-key-encryption-key-0123456789",
    s3_endpoint_url="http://127.0.0.1:1",
    s3_public_endpoint_url="http://127.0.0.1:1",
    s3_access_key="unit-test-auth-storage",
    s3_secret_key="unit-test-auth-storage-key-0123456789",
    email_delivery="smtp",
    smtp_host="127.0.0.1",
)


@pytest.fixture
def app():
    # No lifespan: nothing connects, so only what fails before the database can be exercised.
    return create_app(SETTINGS)


@pytest.fixture
def client(app):
    return TestClient(app)


def test_register_with_short_password_is_a_422_problem_naming_the_field(client):
    response = client.post("/auth/register", json={"email": "ada@example.com", "password": "short"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["password"]


def test_register_with_bad_email_is_a_422_naming_email(client):
    response = client.post("/auth/register", json={"email": "ada@", "password": "long enough"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["email"]


def test_me_without_token_is_401(client):
    response = client.get("/auth/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_delete_me_with_garbage_token_is_401(client):
    response = client.delete("/auth/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert response.status_code == 401


def test_the_app_verifies_with_its_own_keys_not_over_http(app):
    runtime = app.state.runtime
    assert isinstance(runtime, AuthRuntime)
    assert isinstance(app.state.token_verifier, LocalTokenVerifier)
    assert app.state.token_verifier is runtime.token_verifier


class _LockedAuth(AuthService):
    async def login(self, db, data, client=""):
        raise TooManyLoginAttempts(42)


def test_locked_login_is_429_with_retry_after(app, client):
    runtime = app.state.runtime
    app.dependency_overrides[get_auth] = lambda: _LockedAuth(SETTINGS, runtime.auth.passwords, runtime.keys)
    response = client.post("/auth/login", json={"email": "ada@example.com", "password": "whatever"})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "42"
    assert response.json()["type"].endswith("too-many-login-attempts")


class _TableKeyRing(KeyRing):
    """The key ring, with the table replaced by a list (reload is all the verifier uses)."""

    def __init__(self, jwks):
        super().__init__(Database(SETTINGS), SETTINGS)
        self.table = jwks
        self.reloads = 0

    async def reload(self):
        self.reloads += 1
        for listener in self.listeners:
            listener(self.table)
        return self.table


def _token(key):
    return issue_access_token(
        key,
        user_id=uuid.uuid4(),
        roles=["user"],
        now=datetime.now(UTC),
        ttl=timedelta(seconds=60),
        issuer=SETTINGS.jwt_issuer,
        audience=SETTINGS.jwt_audience,
    )


async def test_key_rotated_elsewhere_is_read_from_the_table_on_an_unknown_kid():
    old, new = generate_key_pair(), generate_key_pair()
    ring = _TableKeyRing({"keys": [old.public_jwk]})
    verifier = LocalTokenVerifier(SETTINGS, ring, min_reload_seconds=0)
    await ring.reload()
    assert (await verifier.verify(_token(old))).user_id
    ring.table = {"keys": [new.public_jwk, old.public_jwk]}  # the CLI rotated
    assert (await verifier.verify(_token(new))).user_id
    assert ring.reloads == 2


async def test_unknown_kid_reloads_are_throttled():
    ring = _TableKeyRing({"keys": []})
    verifier = LocalTokenVerifier(SETTINGS, ring, min_reload_seconds=60)
    for _ in range(3):
        with pytest.raises(Unauthorized, match="unknown key"):
            await verifier.verify(_token(generate_key_pair()))
    assert ring.reloads == 1
