"""Tables of the billing schema."""

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scoremate_shared.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


class Plan(StrEnum):
    """An account's plan (the stored value, the API's `plan` and QuotaChanged's)."""

    SOLO = "solo"
    PRO = "pro"


class Account(Base):
    """One billing account per user, opened on UserRegistered."""

    __tablename__ = "accounts"

    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    plan: Mapped[str] = mapped_column(sa.Text, default=Plan.SOLO)  # a Plan
    bonus_mb: Mapped[int] = mapped_column(sa.Integer, default=0)
    referral_code: Mapped[str | None] = mapped_column(sa.Text, unique=True)
    email: Mapped[str | None] = mapped_column(sa.Text)
    # A projection of auth's UserEmailVerified: referral bonuses wait for it.
    email_verified_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Armed thresholds: set when usage crosses 80 / 95 %, cleared when it falls back below.
    warned_80: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    warned_95: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())


class UsageReason(StrEnum):
    """Why a ledger entry moved the user's usage (also QuotaChanged's `reason` for it)."""

    SCORE_UPLOADED = "score_uploaded"
    STORAGE_RELEASED = "storage_released"
    # The cover and page images of a score: a re-render replaces them, so its entry is the
    # difference from what the score's images counted before.
    DERIVED_IMAGES = "derived_images"
    # The score's images left with it (files' StorageReleased counts the original only).
    DERIVED_IMAGES_RELEASED = "derived_images_released"


class UsageEntry(Base):
    """Append-only usage ledger; the causing event's id makes a replay count once."""

    __tablename__ = "usage_ledger"

    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    score_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    delta_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    reason: Mapped[str] = mapped_column(sa.Text)  # a UsageReason
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())


class HistoryKind(StrEnum):
    """What a history entry records (the stored value and the API's `kind`)."""

    PLAN_CHANGE = "plan_change"
    PAYMENT = "payment"
    REFUND = "refund"
    REFERRAL_BONUS = "referral_bonus"


class ReferralRole(StrEnum):
    """Which side of a referral a bonus went to (`meta.role` of a referral_bonus entry)."""

    REDEEMER = "redeemer"
    REFERRER = "referrer"


class HistoryEntry(Base):
    """What the user sees in GET /billing/history."""

    __tablename__ = "history"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    kind: Mapped[str] = mapped_column(sa.Text)  # a HistoryKind
    amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    meta: Mapped[dict[str, object]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())


class UsedReceipt(Base):
    """A store's transaction that bought a plan: never again, for anyone."""

    __tablename__ = "receipts"

    store: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    transaction_id: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    plan: Mapped[str] = mapped_column(sa.Text)  # a Plan
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())


class ReferralStatus(StrEnum):
    # Recorded; paid when the redeemer's e-mail address is verified.
    PENDING = "pending"
    PAID = "paid"
    # The redeemer was deleted before verifying: nothing was paid, nothing will be.
    CANCELLED = "cancelled"
    # The redeemer was deleted within the claw-back window: the referrer's bonus was taken back.
    CLAWED_BACK = "clawed_back"


class ReferralRedemption(Base):
    """The referral log: one redemption per account and per mailbox, ever.

    Deletion pseudonymises a row instead of removing it: the account ids become null and the
    keyed hash of the redeemer's mailbox stays, so neither a re-registered mailbox nor a deleted
    referrer opens the door to a second redemption."""

    __tablename__ = "referral_redemptions"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), unique=True)
    referrer_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), index=True)
    code: Mapped[str] = mapped_column(sa.Text)
    # HMAC-SHA256 (REFERRAL_EMAIL_HASH_SECRET) of the redeemer's mailbox (service.mailbox_key);
    # null only for redemptions older than the hash.
    redeemer_email_hash: Mapped[str | None] = mapped_column(sa.Text, unique=True)
    status: Mapped[str] = mapped_column(sa.Text)  # a ReferralStatus
    # The redeemer's bonus, and the referrer's (0 when the referrer was at the cap or gone).
    bonus_mb: Mapped[int] = mapped_column(sa.Integer)
    referrer_bonus_mb: Mapped[int] = mapped_column(sa.Integer, default=0)
    paid_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
