"""Tables of the auth schema."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scoremate_shared.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


class Role(StrEnum):
    """What an account may do (stored in `users.roles`, carried by the access token's `roles`)."""

    USER = "user"
    ADMIN = "admin"


class Plan(StrEnum):
    """The user's plan as billing last announced it (stored in `users.plan`, the API's `plan`)."""

    SOLO = "solo"
    PRO = "pro"


class User(Base):
    """An account: the e-mail (normalised, lower case), the argon2id hash and the roles."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(sa.Text, unique=True)
    password_hash: Mapped[str] = mapped_column(sa.Text)
    roles: Mapped[list[str]] = mapped_column(ARRAY(sa.Text), default=lambda: [Role.USER])
    referral_code: Mapped[str] = mapped_column(sa.Text, unique=True)
    # A projection of billing's QuotaChanged; plan_changed_at keeps a late event from winning.
    plan: Mapped[str] = mapped_column(sa.Text, default=Plan.SOLO)
    plan_changed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Set when a token e-mailed to the address came back (POST /auth/verify-email).
    email_verified_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())


class EmailVerification(Base):
    """A token e-mailed to the user's address, stored as its SHA-256 only; any unexpired one
    confirms the address (a resend does not kill the earlier mail's link)."""

    __tablename__ = "email_verifications"

    token_hash: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)


class RefreshToken(Base):
    """One refresh token, stored as its SHA-256 only; a family is every token of one login."""

    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    issued_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    # Set when the token was exchanged for a new pair: presenting it again is a re-use.
    rotated_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class SigningKey(Base):
    """An ES256 key pair; the one without retired_at signs, retired ones stay published a while."""

    __tablename__ = "signing_keys"
    __table_args__ = (
        # At most one active key, whatever races happen.
        sa.Index(
            "uq_signing_keys_active",
            sa.text("(retired_at IS NULL)"),
            unique=True,
            postgresql_where=sa.text("retired_at IS NULL"),
        ),
    )

    kid: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    private_key_pem: Mapped[str] = mapped_column(sa.Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    retired_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class LoginFailure(Base):
    """Recent failed logins per e-mail (known or not, so a lock reveals nothing about accounts)
    and client address (so one address's guessing never locks the owner out elsewhere)."""

    __tablename__ = "login_failures"

    email: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    client: Mapped[str] = mapped_column(sa.Text, primary_key=True, server_default="")
    failures: Mapped[int] = mapped_column(sa.Integer)
    last_failed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
