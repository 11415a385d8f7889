"""Auth decisions: accounts, logins with throttling, token pairs and their rotation, e-mail
verification."""

import asyncio
import hashlib
import logging
import math
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from scoremate_auth.email_delivery import EmailDelivery, EmailNotSent, OutgoingEmail, email_delivery
from scoremate_auth.keys import KeyRing
from scoremate_auth.models import EmailVerification, LoginFailure, Plan, RefreshToken, Role, User
from scoremate_auth.passwords import PasswordHashing
from scoremate_auth.schemas import LoginIn, RegisterIn, TokensOut, UserOut
from scoremate_auth.settings import AuthSettings
from scoremate_auth.tokens import (
    RefreshOutcome,
    hash_refresh_token,
    issue_access_token,
    judge_refresh_token,
    new_refresh_token,
)
from scoremate_shared.auth import AccountGone
from scoremate_shared.db import Database
from scoremate_shared.errors import (
    Conflict,
    ProblemError,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
)
from scoremate_shared.events import AccessRevokedV1, UserDeletedV1, UserEmailVerifiedV1, UserRegisteredV1
from scoremate_shared.messaging.outbox import add_event

log = logging.getLogger(__name__)

PRODUCER = "auth"
# No 0/O, 1/I/L: a code read aloud or copied by hand survives.
REFERRAL_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_REFERRAL_ATTEMPTS = 5
VERIFICATION_TOKEN_BYTES = 32


class EmailTaken(Conflict):
    slug, title = "email-taken", "E-mail already registered"


class InvalidCredentials(Unauthorized):
    slug, title = "invalid-credentials", "Invalid credentials"


class InvalidRefreshToken(Unauthorized):
    slug, title = "invalid-refresh-token", "Invalid refresh token"


class TooManyLoginAttempts(ProblemError):
    status, slug, title = 429, "too-many-login-attempts", "Too many login attempts"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            f"Too many failed logins for this e-mail; try again in {retry_after_seconds} s",
            retry_after=retry_after_seconds,
        )
        self.retry_after_seconds = retry_after_seconds


class InvalidVerificationToken(ProblemError):
    status, slug, title = 400, "invalid-verification-token", "Invalid verification token"


class EmailAlreadyVerified(Conflict):
    slug, title = "email-already-verified", "E-mail already verified"


class VerificationEmailTooSoon(TooManyRequests):
    slug, title = "verification-email-too-soon", "Verification e-mail sent recently"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            f"A verification e-mail was sent moments ago; try again in {retry_after_seconds} s",
            headers={"Retry-After": str(retry_after_seconds)},
            retry_after=retry_after_seconds,
        )


class VerificationEmailNotSent(ServiceUnavailable):
    slug, title = "verification-email-not-sent", "The verification e-mail could not be sent"


def hash_verification_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_referral_code(length: int) -> str:
    return "".join(secrets.choice(REFERRAL_ALPHABET) for _ in range(length))


def login_lock_seconds(failures: int, *, max_failures: int, base_seconds: int, cap_seconds: int) -> int:
    """How long an e-mail is locked after `failures` recent failures (0 below the threshold)."""
    if failures < max_failures:
        return 0
    return min(cap_seconds, base_seconds * 2 ** min(failures - max_failures, 32))


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        plan=Plan(user.plan),
        referral_code=user.referral_code,
        created_at=user.created_at,
        email_verified=user.email_verified_at is not None,
    )


class AuthService:
    def __init__(
        self,
        settings: AuthSettings,
        passwords: PasswordHashing,
        keys: KeyRing,
        email: EmailDelivery | None = None,
    ) -> None:
        self.settings = settings
        self.passwords = passwords
        self.keys = keys
        self.email = email or email_delivery(settings)

    async def register(self, session: AsyncSession, data: RegisterIn) -> UserOut:
        """Create the account and publish UserRegistered in the same transaction."""
        password_hash = await self.passwords.hash(data.password)
        user_id = uuid.uuid4()
        for _ in range(_REFERRAL_ATTEMPTS):
            code = new_referral_code(self.settings.referral_code_length)
            try:
                async with session.begin_nested():
                    created_at = await session.scalar(
                        insert(User)
                        .values(
                            id=user_id,
                            email=data.email,
                            password_hash=password_hash,
                            roles=[Role.USER],
                            referral_code=code,
                            plan=Plan.SOLO,
                        )
                        .on_conflict_do_nothing(index_elements=[User.email])
                        .returning(User.created_at)
                    )
            except IntegrityError:
                continue  # the referral code is taken: draw another
            break
        else:
            raise ServiceUnavailable("Could not allocate a referral code; try again")
        if created_at is None:
            raise EmailTaken("This e-mail is already registered")
        await add_event(
            session,
            UserRegisteredV1(
                user_id=user_id,
                email=data.email,
                referral_code=code,
                referred_by_code=data.referral_code,
            ),
            PRODUCER,
        )
        return UserOut(
            id=user_id, email=data.email, plan=Plan.SOLO, referral_code=code, created_at=created_at
        )

    async def login(self, db: Database, data: LoginIn, client: str = "") -> TokensOut:
        """A new token pair (a new refresh family) for the right password; 401 otherwise, 429 when locked.

        Failures count per e-mail and client address: one address guessing a password slows
        (a delay) and then locks itself out, never the account's owner elsewhere.
        """
        # Spans several transactions because a failed attempt must be recorded (committed) before
        # the 401 answers it, and no connection is held while a throttled attempt waits.
        now = datetime.now(UTC)
        async with db.session() as session:
            throttle = await session.get(LoginFailure, (data.email, client))
        if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
            raise TooManyLoginAttempts(math.ceil((throttle.locked_until - now).total_seconds()))
        if throttle is not None and throttle.failures >= self.settings.login_slow_after_failures:
            await asyncio.sleep(self.settings.login_slow_seconds)
        tokens: TokensOut | None = None
        async with db.transaction() as session:
            user = await session.scalar(sa.select(User).where(User.email == data.email))
            # Unknown e-mail or wrong password: the same work, the same answer.
            matches = await self.passwords.verify(user.password_hash if user else None, data.password)
            if user is None or not matches:
                await self._record_failure(session, data.email, client, now)
            else:
                if throttle is not None:
                    await session.execute(
                        sa.delete(LoginFailure).where(
                            LoginFailure.email == data.email, LoginFailure.client == client
                        )
                    )
                if self.passwords.needs_rehash(user.password_hash):
                    user.password_hash = await self.passwords.hash(data.password)
                tokens = await self._issue_pair(session, user, uuid.uuid4(), now)
        if tokens is None:
            raise InvalidCredentials("E-mail or password is wrong")
        return tokens

    async def refresh(self, db: Database, refresh_token: str) -> TokensOut:
        """Exchange a refresh token for a new pair; a re-used one revokes its whole family."""
        # Its own transaction, committed before the answer: the revocation of a re-used token's
        # family must survive the 401 that reports it.
        now = datetime.now(UTC)
        tokens: TokensOut | None = None
        async with db.transaction() as session:
            # The row lock makes two concurrent exchanges of one token a re-use, never two pairs.
            token = await session.get(RefreshToken, hash_refresh_token(refresh_token), with_for_update=True)
            outcome = judge_refresh_token(token, now)
            if outcome is RefreshOutcome.REUSED and token is not None:
                await self._revoke_family(session, token.user_id, token.family_id, now)
            elif outcome is RefreshOutcome.ROTATE and token is not None:
                user = await session.get(User, token.user_id)
                if user is not None:
                    token.rotated_at = now
                    tokens = await self._issue_pair(session, user, token.family_id, now)
        if outcome is RefreshOutcome.REUSED and token is not None:
            log.warning("refresh token re-used; family %s of user %s revoked", token.family_id, token.user_id)
            raise InvalidRefreshToken("Refresh token already used; this login has been signed out")
        if tokens is None:
            raise InvalidRefreshToken("Refresh token unknown, expired or revoked")
        return tokens

    async def logout(self, session: AsyncSession, refresh_token: str) -> None:
        """Revoke every token of the login the refresh token belongs to (nothing if unknown)."""
        now = datetime.now(UTC)
        found = (
            await session.execute(
                sa.select(RefreshToken.user_id, RefreshToken.family_id).where(
                    RefreshToken.token_hash == hash_refresh_token(refresh_token)
                )
            )
        ).first()
        if found is not None:
            await self._revoke_family(session, found.user_id, found.family_id, now)

    async def me(self, session: AsyncSession, user_id: uuid.UUID) -> UserOut:
        user = await session.get(User, user_id)
        if user is None:
            raise AccountGone("This account has been deleted")
        return user_out(user)

    async def delete_account(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        """Erase the user's auth rows and publish UserDeleted (every other service erases the rest)."""
        user = await session.get(User, user_id, with_for_update=True)
        if user is None:
            return  # already deleted: the first request published the event
        await session.execute(sa.delete(RefreshToken).where(RefreshToken.user_id == user_id))
        await session.execute(sa.delete(LoginFailure).where(LoginFailure.email == user.email))
        await session.execute(sa.delete(User).where(User.id == user_id))
        await add_event(session, UserDeletedV1(user_id=user_id), PRODUCER)
        # Its access tokens stop everywhere now, not when they expire.
        await add_event(
            session,
            AccessRevokedV1(user_id=user_id, not_before=datetime.now(UTC), reason="account_deleted"),
            PRODUCER,
        )

    async def send_verification_email(self, session: AsyncSession, user_id: uuid.UUID) -> bool:
        """E-mail a new verification token to the account's address (the caller's transaction
        keeps the token only if the mail went); False when there is nothing to verify.

        Raises EmailNotSent when the mail server fails."""
        user = await session.get(User, user_id, with_for_update=True)
        if user is None or user.email_verified_at is not None:
            return False
        now = datetime.now(UTC)
        token = secrets.token_urlsafe(VERIFICATION_TOKEN_BYTES)
        ttl = timedelta(seconds=self.settings.email_verification_ttl_seconds)
        # Expired tokens of anyone go as new ones come: the table stays the size of a few days.
        await session.execute(sa.delete(EmailVerification).where(EmailVerification.expires_at < now))
        session.add(
            EmailVerification(
                token_hash=hash_verification_token(token),
                user_id=user.id,
                created_at=now,
                expires_at=now + ttl,
            )
        )
        await session.flush()
        link = self.settings.email_verification_link.replace("{token}", token)
        hours = max(1, self.settings.email_verification_ttl_seconds // 3600)
        await self.email.send(
            OutgoingEmail(
                to=user.email,
                subject="ScoreMate: confirm your e-mail address",
                text=(
                    f"Confirm your e-mail address for ScoreMate by opening this link:\n\n{link}\n\n"
                    f"It works for {hours} hours. If you did not sign up for ScoreMate, ignore this "
                    "message: nothing happens without the link.\n"
                ),
            )
        )
        return True

    async def resend_verification_email(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        """A new verification e-mail, at most one per EMAIL_VERIFICATION_RESEND_SECONDS."""
        user = await session.get(User, user_id, with_for_update=True)
        if user is None:
            raise AccountGone("This account has been deleted")
        if user.email_verified_at is not None:
            raise EmailAlreadyVerified("This e-mail address is already verified")
        last_sent = await session.scalar(
            sa.select(sa.func.max(EmailVerification.created_at)).where(EmailVerification.user_id == user_id)
        )
        now = datetime.now(UTC)
        if last_sent is not None:
            wait = (last_sent - now).total_seconds() + self.settings.email_verification_resend_seconds
            if wait > 0:
                raise VerificationEmailTooSoon(math.ceil(wait))
        try:
            await self.send_verification_email(session, user_id)
        except EmailNotSent as exc:
            log.warning("verification e-mail for user %s not sent: %s", user_id, exc)
            raise VerificationEmailNotSent("The e-mail could not be sent; try again shortly") from exc

    async def verify_email(self, session: AsyncSession, token: str) -> UserOut:
        """Confirm the address the token was sent to; UserEmailVerified goes out the first time."""
        now = datetime.now(UTC)
        verification = await session.get(EmailVerification, hash_verification_token(token))
        if verification is None or verification.expires_at <= now:
            raise InvalidVerificationToken("This verification link is unknown or expired; ask for a new one")
        user = await session.get(User, verification.user_id, with_for_update=True)
        if user is None:
            raise InvalidVerificationToken("This verification link is unknown or expired; ask for a new one")
        if user.email_verified_at is None:
            user.email_verified_at = now
            await add_event(session, UserEmailVerifiedV1(user_id=user.id), PRODUCER)
        return user_out(user)

    async def project_plan(
        self, session: AsyncSession, user_id: uuid.UUID, plan: str, occurred_at: datetime
    ) -> None:
        """Keep billing's plan on the user; an older event than the last one applied changes nothing."""
        await session.execute(
            sa.update(User)
            .where(
                User.id == user_id,
                sa.or_(User.plan_changed_at.is_(None), User.plan_changed_at < occurred_at),
            )
            .values(plan=Plan(plan), plan_changed_at=occurred_at)
        )

    async def grant_role(self, session: AsyncSession, email: str, role: Role) -> bool:
        """Add a role to the account with that e-mail; False when there is no such account."""
        user = await session.scalar(sa.select(User).where(User.email == email).with_for_update())
        if user is None:
            return False
        if role not in user.roles:
            user.roles = [*user.roles, role]
        return True

    async def revoke_role(self, session: AsyncSession, email: str, role: Role) -> bool:
        user = await session.scalar(sa.select(User).where(User.email == email).with_for_update())
        if user is None:
            return False
        if role in user.roles:
            user.roles = [r for r in user.roles if r != role]
            # Tokens carrying the role stop now; the next refresh gives one without it.
            await add_event(
                session,
                AccessRevokedV1(user_id=user.id, not_before=datetime.now(UTC), reason="roles_changed"),
                PRODUCER,
            )
        return True

    async def _issue_pair(
        self, session: AsyncSession, user: User, family_id: uuid.UUID, now: datetime
    ) -> TokensOut:
        key = await self.keys.active_key()
        ttl = self.settings.access_token_ttl_seconds
        access_token = issue_access_token(
            key,
            user_id=user.id,
            roles=list(user.roles),
            now=now,
            ttl=timedelta(seconds=ttl),
            issuer=self.settings.jwt_issuer,
            audience=self.settings.jwt_audience,
            session_id=family_id,
        )
        refresh_token = new_refresh_token()
        session.add(
            RefreshToken(
                token_hash=hash_refresh_token(refresh_token),
                family_id=family_id,
                user_id=user.id,
                issued_at=now,
                expires_at=now + timedelta(seconds=self.settings.refresh_token_ttl_seconds),
                rotated_at=None,
                revoked_at=None,
            )
        )
        return TokensOut(access_token=access_token, refresh_token=refresh_token, expires_in=ttl)

    async def _revoke_family(
        self, session: AsyncSession, user_id: uuid.UUID, family_id: uuid.UUID, now: datetime
    ) -> None:
        """Sign one login out: its refresh tokens die here, its access tokens everywhere."""
        await session.execute(
            sa.update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        await add_event(
            session,
            AccessRevokedV1(user_id=user_id, session_id=family_id, not_before=now, reason="signed_out"),
            PRODUCER,
        )

    async def _record_failure(self, session: AsyncSession, email: str, client: str, now: datetime) -> None:
        window_start = now - timedelta(seconds=self.settings.login_failure_window_seconds)
        failures = await session.scalar(
            insert(LoginFailure)
            .values(email=email, client=client, failures=1, last_failed_at=now)
            .on_conflict_do_update(
                index_elements=[LoginFailure.email, LoginFailure.client],
                set_={
                    # Failures long ago are forgiven: count from one again.
                    "failures": sa.case(
                        (LoginFailure.last_failed_at < window_start, 1),
                        else_=LoginFailure.failures + 1,
                    ),
                    "last_failed_at": now,
                },
            )
            .returning(LoginFailure.failures)
        )
        lock = login_lock_seconds(
            int(failures or 0),
            max_failures=self.settings.login_max_failures,
            base_seconds=self.settings.login_lock_base_seconds,
            cap_seconds=self.settings.login_lock_max_seconds,
        )
        if lock:
            await session.execute(
                sa.update(LoginFailure)
                .where(LoginFailure.email == email, LoginFailure.client == client)
                .values(locked_until=now + timedelta(seconds=lock))
            )
        # Rows of addresses nobody has mistyped for a while are dropped as we go.
        await session.execute(
            sa.delete(LoginFailure).where(
                LoginFailure.last_failed_at < window_start,
                sa.or_(LoginFailure.locked_until.is_(None), LoginFailure.locked_until < now),
            )
        )
