"""Referrals: a row per redemption that survives deletion (pseudonymised), keyed by the hash of the
redeemer's mailbox; pending until the redeemer's e-mail is verified; the referrer's own bonus.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("ALTER TABLE referral_redemptions DROP CONSTRAINT pk_referral_redemptions")
    op.add_column("referral_redemptions", sa.Column("id", sa.BigInteger, sa.Identity(), nullable=False))
    op.create_primary_key("pk_referral_redemptions", "referral_redemptions", ["id"])
    op.alter_column("referral_redemptions", "user_id", nullable=True)
    op.create_unique_constraint("uq_referral_redemptions_user_id", "referral_redemptions", ["user_id"])
    op.alter_column("referral_redemptions", "referrer_id", nullable=True)
    op.add_column("referral_redemptions", sa.Column("redeemer_email_hash", sa.Text, nullable=True))
    op.create_unique_constraint(
        "uq_referral_redemptions_redeemer_email_hash", "referral_redemptions", ["redeemer_email_hash"]
    )
    # Redemptions made before this revision were paid at once, to both sides.
    op.add_column("referral_redemptions", sa.Column("status", sa.Text, nullable=False, server_default="paid"))
    op.alter_column("referral_redemptions", "status", server_default=None)
    op.add_column(
        "referral_redemptions", sa.Column("referrer_bonus_mb", sa.Integer, nullable=False, server_default="0")
    )
    op.add_column("referral_redemptions", sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE referral_redemptions SET referrer_bonus_mb = bonus_mb, paid_at = created_at")


def downgrade() -> None:
    # Pseudonymised rows (no redeemer any more) cannot go back to a table keyed by the redeemer.
    op.execute("DELETE FROM referral_redemptions WHERE user_id IS NULL OR referrer_id IS NULL")
    for column in ("paid_at", "referrer_bonus_mb", "status"):
        op.drop_column("referral_redemptions", column)
    op.drop_constraint("uq_referral_redemptions_redeemer_email_hash", "referral_redemptions")
    op.drop_column("referral_redemptions", "redeemer_email_hash")
    op.alter_column("referral_redemptions", "referrer_id", nullable=False)
    op.drop_constraint("uq_referral_redemptions_user_id", "referral_redemptions")
    op.alter_column("referral_redemptions", "user_id", nullable=False)
    op.execute("ALTER TABLE referral_redemptions DROP CONSTRAINT pk_referral_redemptions")
    op.drop_column("referral_redemptions", "id")
    op.create_primary_key("pk_referral_redemptions", "referral_redemptions", ["user_id"])
    op.drop_column("accounts", "email_verified_at")
