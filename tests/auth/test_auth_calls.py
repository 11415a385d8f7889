"""Every auth call of API.md and its errors, through the gateway."""

import pytest

from tests.support import ApiClient

pytestmark = pytest.mark.stack
PASSWORD = "correct horse battery"


async def test_register_validates_normalises_and_refuses_a_taken_address(api: ApiClient):
    email = "Some.One+Scores@Example.COM "
    created = await api.http.post("/auth/register", json={"email": email, "password": PASSWORD})
    assert created.status_code == 201
    user = created.json()
    assert set(user) == {"id", "email", "plan", "referral_code", "created_at", "email_verified"}
    assert user["email_verified"] is False
    assert user["email"] == "some.one+scores@example.com"
    assert user["plan"] == "solo"
    taken = await api.http.post(
        "/auth/register", json={"email": "some.one+scores@example.com", "password": PASSWORD}
    )
    assert taken.status_code == 409
    bad_email = await api.http.post("/auth/register", json={"email": "not-an-email", "password": PASSWORD})
    assert bad_email.status_code == 422
    assert "email" in bad_email.json()["detail"]
    short = await api.http.post("/auth/register", json={"email": "short@example.com", "password": "1234567"})
    assert short.status_code == 422
    assert "password" in short.json()["detail"]
    malformed = await api.http.post(
        "/auth/register", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 422


async def test_login_answers_unknown_email_and_wrong_password_alike(api: ApiClient):
    user = await api.register()
    tokens = await api.login(user.email.upper(), user.password)
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] > 0
    wrong = await api.http.post("/auth/login", json={"email": user.email, "password": "wrong password"})
    unknown = await api.http.post(
        "/auth/login", json={"email": "nobody@example.com", "password": "wrong password"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert wrong.json()["type"] == unknown.json()["type"]


async def test_refresh_rotates_and_reuse_revokes_the_whole_login(api: ApiClient):
    user = await api.register()
    first = await api.http.post("/auth/refresh", json={"refresh_token": user.refresh_token})
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh_token"] != user.refresh_token
    assert (
        await api.http.get("/auth/me", headers={"Authorization": f"Bearer {rotated['access_token']}"})
    ).status_code == 200
    # The old token again: a theft signal; every token of this login dies.
    reused = await api.http.post("/auth/refresh", json={"refresh_token": user.refresh_token})
    assert reused.status_code == 401
    after = await api.http.post("/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert after.status_code == 401
    garbage = await api.http.post("/auth/refresh", json={"refresh_token": "garbage"})
    assert garbage.status_code == 401


async def test_logout_revokes_the_refresh_token(api: ApiClient):
    user = await api.register()
    assert (
        await api.http.post("/auth/logout", json={"refresh_token": user.refresh_token})
    ).status_code == 204
    assert (
        await api.http.post("/auth/refresh", json={"refresh_token": user.refresh_token})
    ).status_code == 401
    assert (await api.http.post("/auth/logout", json={"refresh_token": "unknown"})).status_code == 204


async def test_me_and_jwks(api: ApiClient):
    user = await api.register()
    me = await api.http.get("/auth/me", headers=user.headers)
    assert me.status_code == 200
    assert me.json()["id"] == user.id
    assert (await api.http.get("/auth/me")).status_code == 401
    jwks = await api.http.get("/auth/.well-known/jwks.json")
    assert jwks.status_code == 200
    keys = jwks.json()["keys"]
    assert keys
    assert all(k["kty"] == "EC" and k["alg"] == "ES256" and "d" not in k for k in keys)
