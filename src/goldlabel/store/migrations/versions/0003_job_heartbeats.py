"""job heartbeats

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 13:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Which server process runs a job and when it last said so: a job whose runner went quiet is
    # taken over by another process, one whose runner is alive is left alone.
    op.add_column("jobs", sa.Column("runner", sa.String(length=120), nullable=True))
    op.add_column("jobs", sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("heartbeat_at")
        batch.drop_column("runner")
