"""Issue 11 row 5: a referral pays only for a verified mailbox, once per mailbox ever (whoever is
deleted), never more than the cap per referrer; a redeemer leaving within the window takes the
referrer's bonus back. Every attack through the gateway on the real stack."""

import asyncio
import os
import subprocess
import sys
import time
import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import TEST_REFERRAL_CAP, TEST_SOLO_QUOTA_MB, TEST_VERIFICATION_RESEND_SECONDS
from tests.support import ApiClient, User, mail_to, verify_email

pytestmark = pytest.mark.stack
BONUS_MB = 50


async def _code(api: ApiClient, user: User) -> str:
    code: str = (await api.http.get("/auth/me", headers=user.headers)).json()["referral_code"]
    return code


async def _bonus(api: ApiClient, user: User) -> int:
    response = await api.http.get("/billing/plan", headers=user.headers)
    assert response.status_code == 200, response.text
    bonus: int = response.json()["bonus_mb"]
    return bonus


async def _wait_for_bonus(api: ApiClient, user: User, expected: int, timeout: float = 15) -> int:
    deadline = time.monotonic() + timeout
    while (bonus := await _bonus(api, user)) != expected and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    return bonus


async def _redeem(api: ApiClient, user: User, code: str) -> httpx.Response:
    return await api.http.post("/billing/redeem-referral", headers=user.headers, json={"code": code})


async def _billing_row(stack: Any, sql: str, **params: Any) -> Any:
    engine = create_async_engine(stack.superuser_database_url)
    try:
        async with engine.begin() as conn:
            return (await conn.execute(sa.text(sql), params)).first()
    finally:
        await engine.dispose()


async def _wait_for_billing(stack: Any, sql: str, timeout: float = 20, **params: Any) -> None:
    """Until the query's first column is true: billing has handled the events it waits for."""
    deadline = time.monotonic() + timeout
    while True:
        row = await _billing_row(stack, sql, **params)
        if row is not None and row[0]:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"billing never reached: {sql} {params}")
        await asyncio.sleep(0.2)


async def _delete_and_wait_until_erased(api: ApiClient, stack: Any, user: User) -> None:
    assert (await api.http.delete("/auth/me", headers=user.headers)).status_code == 202
    await _wait_for_billing(
        stack,
        "SELECT count(*) = 0 FROM billing.accounts WHERE user_id = CAST(:u AS uuid)",
        u=user.id,
    )


async def _verified(api: ApiClient, stack: Any, email: str | None = None) -> User:
    """A user whose address is verified, and billing knows it (a redemption then pays at once)."""
    user = await api.register(email)
    assert (await verify_email(api, stack, user.email))["email_verified"] is True
    await _wait_for_billing(
        stack,
        "SELECT email_verified_at IS NOT NULL FROM billing.accounts WHERE user_id = CAST(:u AS uuid)",
        u=user.id,
    )
    return user


async def test_a_referral_pays_only_once_the_redeemers_email_is_verified(api: ApiClient, stack):
    referrer, redeemer = await api.register(), await api.register()
    me = (await api.http.get("/auth/me", headers=redeemer.headers)).json()
    assert me["email_verified"] is False

    redeemed = await _redeem(api, redeemer, await _code(api, referrer))
    assert redeemed.status_code == 200, redeemed.text
    assert redeemed.json() == {"bonus_mb": 0, "total_quota_mb": TEST_SOLO_QUOTA_MB, "status": "pending"}
    assert await _bonus(api, referrer) == 0
    assert await _bonus(api, redeemer) == 0

    wrong = await api.http.post("/auth/verify-email", json={"token": "not-a-token-we-sent"})
    assert wrong.status_code == 400
    assert wrong.headers["content-type"] == "application/problem+json"
    assert wrong.json()["type"].endswith("/invalid-verification-token")

    # The e-mail auth sent the address holds the link that confirms it.
    assert (await verify_email(api, stack, redeemer.email))["email_verified"] is True
    (message,) = mail_to(stack, redeemer.email)
    assert f"{stack.gateway_url}/verify-email?token=" in message["text"]  # the stack's own page
    assert await _wait_for_bonus(api, referrer, BONUS_MB) == BONUS_MB
    assert await _wait_for_bonus(api, redeemer, BONUS_MB) == BONUS_MB
    assert (await api.http.get("/auth/me", headers=redeemer.headers)).json()["email_verified"] is True
    history = (await api.http.get("/billing/history", headers=referrer.headers)).json()["items"]
    assert [(e["kind"], e["amount"]) for e in history] == [("referral_bonus", BONUS_MB)]


async def test_a_code_given_at_sign_up_waits_for_verification_too(api: ApiClient, stack):
    referrer = await api.register()
    email = f"signup-{uuid.uuid4().hex[:12]}@example.com"
    registered = await api.http.post(
        "/auth/register",
        json={
            "email": email,
            "password": "correct horse battery",
            "referral_code": await _code(api, referrer),
        },
    )
    assert registered.status_code == 201
    await _wait_for_billing(
        stack,
        "SELECT status = 'pending' FROM billing.referral_redemptions WHERE user_id = CAST(:u AS uuid)",
        u=registered.json()["id"],
    )
    assert await _bonus(api, referrer) == 0
    await verify_email(api, stack, email)
    assert await _wait_for_bonus(api, referrer, BONUS_MB) == BONUS_MB


async def test_verification_email_can_be_resent_but_not_too_often_and_not_once_verified(
    api: ApiClient, stack
):
    user = await api.register()
    deadline = time.monotonic() + 15
    while not mail_to(stack, user.email) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert len(mail_to(stack, user.email)) == 1
    assert (await api.http.post("/auth/verify-email/resend")).status_code == 401
    too_soon = await api.http.post("/auth/verify-email/resend", headers=user.headers)
    assert too_soon.status_code == 429
    assert too_soon.json()["type"].endswith("/verification-email-too-soon")
    assert int(too_soon.headers["Retry-After"]) >= 1

    await asyncio.sleep(TEST_VERIFICATION_RESEND_SECONDS)
    resent = await api.http.post("/auth/verify-email/resend", headers=user.headers)
    assert resent.status_code == 202, resent.text
    assert len(mail_to(stack, user.email)) == 2
    await verify_email(api, stack, user.email)
    await asyncio.sleep(TEST_VERIFICATION_RESEND_SECONDS)
    done = await api.http.post("/auth/verify-email/resend", headers=user.headers)
    assert done.status_code == 409
    assert done.json()["type"].endswith("/email-already-verified")
    for body in ({}, {"token": ""}, {"token": "x" * 10_000}):
        assert (await api.http.post("/auth/verify-email", json=body)).status_code == 422


async def test_deleting_the_referrer_does_not_let_the_redeemer_redeem_again(api: ApiClient, stack):
    first_referrer, second_referrer = await api.register(), await api.register()
    redeemer = await _verified(api, stack)
    assert (await _redeem(api, redeemer, await _code(api, first_referrer))).json()["status"] == "paid"
    second_code = await _code(api, second_referrer)

    await _delete_and_wait_until_erased(api, stack, first_referrer)
    again = await _redeem(api, redeemer, second_code)
    assert again.status_code == 409, again.text
    assert again.json()["type"].endswith("/referral-not-allowed")
    assert await _bonus(api, second_referrer) == 0
    assert await _bonus(api, redeemer) == BONUS_MB


async def test_a_mailbox_deleted_and_registered_again_cannot_redeem_again(api: ApiClient, stack):
    referrer = await api.register()
    code = await _code(api, referrer)
    email = f"mailbox-{uuid.uuid4().hex[:12]}@example.com"
    first = await _verified(api, stack, email)
    assert (await _redeem(api, first, code)).json()["status"] == "paid"
    assert await _wait_for_bonus(api, referrer, BONUS_MB) == BONUS_MB
    await _delete_and_wait_until_erased(api, stack, first)

    # Pseudonymised: the redemption survives without the account or the address.
    row = await _billing_row(
        stack,
        "SELECT user_id, redeemer_email_hash FROM billing.referral_redemptions "
        "WHERE referrer_id = CAST(:r AS uuid)",
        r=referrer.id,
    )
    assert row is not None
    assert row.user_id is None
    assert email not in row.redeemer_email_hash
    assert await _plain_email_rows(stack, email) == {}

    # The same mailbox again, by redemption, at sign-up, and with a sub-address: nothing pays.
    again = await _verified(api, stack, email)
    refused = await _redeem(api, again, code)
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"].endswith("/referral-not-allowed")
    await _delete_and_wait_until_erased(api, stack, again)
    tagged = email.replace("@", "+again@")
    registered = await api.http.post(
        "/auth/register", json={"email": tagged, "password": "correct horse battery", "referral_code": code}
    )
    assert registered.status_code == 201
    await verify_email(api, stack, tagged)
    await _wait_for_billing(
        stack,
        "SELECT email_verified_at IS NOT NULL AND email IS NOT NULL FROM billing.accounts "
        "WHERE user_id = CAST(:u AS uuid)",
        u=registered.json()["id"],
    )
    # The first redeemer left at once: the referrer's bonus was taken back, and none came since.
    assert await _wait_for_bonus(api, referrer, 0) == 0


async def _plain_email_rows(stack: Any, email: str) -> dict[str, int]:
    """Rows of auth and billing (messages in transit aside) that hold the address in clear."""
    engine = create_async_engine(stack.superuser_database_url)
    found: dict[str, int] = {}
    try:
        async with engine.connect() as conn:
            columns = (
                await conn.execute(
                    sa.text(
                        "SELECT table_schema, table_name, column_name FROM information_schema.columns "
                        "WHERE table_schema IN ('auth', 'billing') AND data_type IN ('text', 'jsonb') "
                        "AND table_name NOT IN ('outbox', 'inbox')"
                    )
                )
            ).all()
            for schema, table, column in columns:
                count = await conn.scalar(
                    sa.text(f'SELECT count(*) FROM "{schema}"."{table}" WHERE "{column}"::text LIKE :e'),  # noqa: S608
                    {"e": f"%{email}%"},
                )
                if count:
                    found[f"{schema}.{table}.{column}"] = int(count)
    finally:
        await engine.dispose()
    return found


async def test_the_referrers_bonus_is_taken_back_when_the_redeemer_leaves_within_the_window(
    api: ApiClient, stack
):
    referrer = await api.register()
    code = await _code(api, referrer)
    early, late = await _verified(api, stack), await _verified(api, stack)
    for redeemer in (early, late):
        assert (await _redeem(api, redeemer, code)).json()["status"] == "paid"
    assert await _wait_for_bonus(api, referrer, 2 * BONUS_MB) == 2 * BONUS_MB

    # The late one was paid longer ago than the window (30 days by default): theirs stays.
    await _billing_row(
        stack,
        "UPDATE billing.referral_redemptions SET paid_at = now() - interval '31 days' "
        "WHERE user_id = CAST(:u AS uuid) RETURNING 1",
        u=late.id,
    )
    await _delete_and_wait_until_erased(api, stack, late)
    assert await _bonus(api, referrer) == 2 * BONUS_MB
    await _delete_and_wait_until_erased(api, stack, early)
    assert await _wait_for_bonus(api, referrer, BONUS_MB) == BONUS_MB
    history = (await api.http.get("/billing/history", headers=referrer.headers)).json()["items"]
    assert [(e["kind"], e["amount"]) for e in history] == [
        ("referral_bonus", -BONUS_MB),
        ("referral_bonus", BONUS_MB),
        ("referral_bonus", BONUS_MB),
    ]
    assert history[0]["meta"]["reason"] == "redeemer_deleted"


async def test_a_referrer_is_paid_for_at_most_the_cap(api: ApiClient, stack):
    referrer = await api.register()
    code = await _code(api, referrer)
    redeemers = [await _verified(api, stack) for _ in range(TEST_REFERRAL_CAP + 1)]
    for redeemer in redeemers:
        redeemed = await _redeem(api, redeemer, code)
        assert redeemed.status_code == 200, redeemed.text
        assert redeemed.json()["status"] == "paid"
        assert redeemed.json()["bonus_mb"] == BONUS_MB  # the newcomer is paid whatever the cap
    assert await _bonus(api, referrer) == TEST_REFERRAL_CAP * BONUS_MB


def _production_env(stack: Any, service: str, **overrides: str) -> dict[str, str]:
    """The stack's environment for `service` in production mode, with passwords that are not the
    repository's own: what is refused then is refused for the setting under test."""
    env = {**os.environ, **stack.cfg.service_env(service), "ENVIRONMENT": "production", **overrides}
    env["DATABASE_URL"] = env["DATABASE_URL"].replace(stack.cfg.service_password(service), "Xq8-long-random")
    env["AMQP_URL"] = env["AMQP_URL"].replace(stack.cfg.amqp_password, "Zr4-long-random")
    if "S3_SECRET_KEY" in env:  # auth and billing write their part of an export
        env["S3_ACCESS_KEY"] = f"{service}-Vn7-storage-key"
        env["S3_SECRET_KEY"] = "Kp2-long-random-storage-secret"
    for name in ("EMAIL_DELIVERY", "SMTP_HOST", "REFERRAL_EMAIL_HASH_SECRET"):
        if name not in overrides:
            env.pop(name, None)
    return env


def _starts(service: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", f"from scoremate_{service}.main import create_app; create_app()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_auth_refuses_production_without_a_real_way_to_send_email(stack):
    refused = _starts("auth", _production_env(stack, "auth"))
    assert refused.returncode != 0
    assert "EMAIL_DELIVERY" in refused.stderr
    no_host = _starts("auth", _production_env(stack, "auth", EMAIL_DELIVERY="smtp"))
    assert no_host.returncode != 0
    assert "SMTP_HOST" in no_host.stderr
    smtp = _starts("auth", _production_env(stack, "auth", EMAIL_DELIVERY="smtp", SMTP_HOST="mail.internal"))
    assert smtp.returncode == 0, smtp.stderr


def test_billing_refuses_production_with_the_development_referral_hash_secret(stack):
    receipts = {
        "RECEIPT_VERIFIER": "http",
        "RECEIPT_VERIFIER_URL": "https://receipts.example/verify",
        "RECEIPT_VERIFIER_SECRET": "a-real-receipt-secret-0123456789",
    }
    refused = _starts("billing", _production_env(stack, "billing", **receipts))
    assert refused.returncode != 0
    assert "referral_email_hash_secret" in refused.stderr
    real = _starts(
        "billing",
        _production_env(
            stack,
            "billing",
            **receipts,
            REFERRAL_EMAIL_HASH_SECRET="a-real-mailbox-hash-key-0123456789abcdef",
        ),
    )
    assert real.returncode == 0, real.stderr
