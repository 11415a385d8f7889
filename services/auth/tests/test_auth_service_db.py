"""Auth's service logic against its migrated schema (the middle tier: no stack). Single units of
work run in a transaction that is rolled back; login and refresh, which commit before they answer
an error, run on the database itself with accounts of their own."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_auth.models import LoginFailure, User
from scoremate_auth.schemas import LoginIn, RegisterIn, UserOut
from scoremate_auth.service import (
    AuthService,
    EmailAlreadyVerified,
    EmailTaken,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidVerificationToken,
    TooManyLoginAttempts,
    VerificationEmailTooSoon,
)
from scoremate_auth.settings import AuthSettings
from scoremate_shared.auth import AccountGone
from scoremate_shared.db import Database
from scoremate_shared.events import (
    AccessRevokedV1,
    IntegrationEvent,
    UserDeletedV1,
    UserEmailVerifiedV1,
    UserRegisteredV1,
)
from scoremate_shared.messaging.tables import outbox_table

from .conftest import RecordedEmails

PASSWORD = "correct horse battery"


def new_email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.com"


async def published(
    session: AsyncSession, event_cls: type[IntegrationEvent], user_id: uuid.UUID
) -> list[Any]:
    """The data of the outbox rows of one event type about one user."""
    rows = await session.scalars(
        sa.select(outbox_table.c.envelope).where(
            outbox_table.c.routing_key == event_cls.routing_key,
            outbox_table.c.envelope["data"]["user_id"].astext == str(user_id),
        )
    )
    return [row["data"] for row in rows]


async def register(session: AsyncSession, auth_service: AuthService, email: str | None = None) -> UserOut:
    return await auth_service.register(session, RegisterIn(email=email or new_email(), password=PASSWORD))


def verification_token(emails: RecordedEmails) -> str:
    """The token of the link in the last e-mail sent (EMAIL_VERIFICATION_LINK ends with it)."""
    link = next(line for line in emails.sent[-1].text.splitlines() if "token=" in line)
    return link.rsplit("token=", 1)[1]


async def test_a_taken_email_is_refused_and_only_the_first_registration_is_published(
    session: AsyncSession, auth_service: AuthService
):
    email = new_email()
    user = await register(session, auth_service, email)
    with pytest.raises(EmailTaken):
        await auth_service.register(session, RegisterIn(email=email, password="another password"))
    stored = await session.get(User, user.id)
    assert stored is not None
    assert (stored.roles, stored.plan, user.plan) == (["user"], "solo", "solo")
    events = await published(session, UserRegisteredV1, user.id)
    assert [(e["email"], e["referral_code"]) for e in events] == [(email, user.referral_code)]


async def test_failed_logins_stay_recorded_after_the_401_and_lock_that_address_only(
    auth_db: Database, auth_service: AuthService, auth_settings: AuthSettings
):
    email = new_email()
    async with auth_db.transaction() as session:
        await register(session, auth_service, email)
    wrong = LoginIn(email=email, password="wrong password")
    for _ in range(auth_settings.login_max_failures):
        with pytest.raises(InvalidCredentials):
            await auth_service.login(auth_db, wrong, "203.0.113.7")
    async with auth_db.session() as session:
        failure = await session.get(LoginFailure, (email, "203.0.113.7"))
    assert failure is not None
    assert failure.failures == auth_settings.login_max_failures
    assert failure.locked_until is not None

    with pytest.raises(TooManyLoginAttempts):  # even the right password, from that address
        await auth_service.login(auth_db, LoginIn(email=email, password=PASSWORD), "203.0.113.7")
    elsewhere = await auth_service.login(auth_db, LoginIn(email=email, password=PASSWORD), "198.51.100.9")
    assert await auth_service.refresh(auth_db, elsewhere.refresh_token)  # a live login


async def test_a_good_login_forgets_the_earlier_failures_of_its_address(
    auth_db: Database, auth_service: AuthService
):
    email = new_email()
    async with auth_db.transaction() as session:
        await register(session, auth_service, email)
    with pytest.raises(InvalidCredentials):
        await auth_service.login(auth_db, LoginIn(email=email, password="wrong password"), "203.0.113.8")
    await auth_service.login(auth_db, LoginIn(email=email, password=PASSWORD), "203.0.113.8")
    async with auth_db.session() as session:
        assert await session.get(LoginFailure, (email, "203.0.113.8")) is None


async def test_a_reused_refresh_token_signs_the_whole_login_out_and_that_survives_the_401(
    auth_db: Database, auth_service: AuthService
):
    email = new_email()
    async with auth_db.transaction() as session:
        user = await register(session, auth_service, email)
    first = await auth_service.login(auth_db, LoginIn(email=email, password=PASSWORD))
    second = await auth_service.refresh(auth_db, first.refresh_token)
    with pytest.raises(InvalidRefreshToken, match="already used"):
        await auth_service.refresh(auth_db, first.refresh_token)
    with pytest.raises(InvalidRefreshToken, match="unknown, expired or revoked"):
        await auth_service.refresh(auth_db, second.refresh_token)  # revoked with its family
    async with auth_db.session() as session:
        revoked = await published(session, AccessRevokedV1, user.id)
    assert [event["reason"] for event in revoked] == ["signed_out"]


async def test_the_plan_projection_keeps_the_newest_event(session: AsyncSession, auth_service: AuthService):
    user = await register(session, auth_service)
    now = datetime.now(UTC)
    await auth_service.project_plan(session, user.id, "pro", now)
    await auth_service.project_plan(session, user.id, "solo", now - timedelta(seconds=5))  # late
    session.expire_all()
    assert (await auth_service.me(session, user.id)).plan == "pro"


async def test_an_email_is_verified_once_and_unknown_tokens_are_refused(
    session: AsyncSession, auth_service: AuthService, emails: RecordedEmails
):
    user = await register(session, auth_service)
    assert await auth_service.send_verification_email(session, user.id)
    token = verification_token(emails)
    with pytest.raises(VerificationEmailTooSoon):
        await auth_service.resend_verification_email(session, user.id)

    assert (await auth_service.verify_email(session, token)).email_verified
    assert (await auth_service.verify_email(session, token)).email_verified  # the link again: 200
    assert len(await published(session, UserEmailVerifiedV1, user.id)) == 1
    with pytest.raises(InvalidVerificationToken):
        await auth_service.verify_email(session, token + "x")
    with pytest.raises(EmailAlreadyVerified):
        await auth_service.resend_verification_email(session, user.id)
    assert not await auth_service.send_verification_email(session, user.id)
    assert len(emails.sent) == 1


async def test_deleting_an_account_publishes_once_and_the_account_is_gone(
    session: AsyncSession, auth_service: AuthService
):
    user = await register(session, auth_service)
    await auth_service.delete_account(session, user.id)
    await auth_service.delete_account(session, user.id)  # a second DELETE changes nothing
    assert len(await published(session, UserDeletedV1, user.id)) == 1
    assert [e["reason"] for e in await published(session, AccessRevokedV1, user.id)] == ["account_deleted"]
    with pytest.raises(AccountGone):
        await auth_service.me(session, user.id)
