"""Failed logins counted per e-mail and client address.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("login_failures", sa.Column("client", sa.Text, nullable=False, server_default=""))
    op.execute("ALTER TABLE login_failures DROP CONSTRAINT pk_login_failures")
    op.create_primary_key("pk_login_failures", "login_failures", ["email", "client"])


def downgrade() -> None:
    op.execute("DELETE FROM login_failures WHERE client <> ''")
    op.execute("ALTER TABLE login_failures DROP CONSTRAINT pk_login_failures")
    op.create_primary_key("pk_login_failures", "login_failures", ["email"])
    op.drop_column("login_failures", "client")
