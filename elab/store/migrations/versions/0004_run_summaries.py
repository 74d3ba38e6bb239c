"""A one-line summary of each run, kept beside its log for listing.

Revision ID: 0004
Revises: 0003

Summaries are derived from the log and written in the same transaction as each append;
runs made before this revision get theirs the first time they are listed.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "run_summaries",
        sa.Column("run_id", sa.String(40), primary_key=True),
        sa.Column("protocol_id", sa.String(120), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("ended_at", sa.String(32), nullable=False),
        sa.Column("operators", sa.Text, nullable=False),
        sa.Column("current_step", sa.String(200), nullable=False),
        sa.Column("timers", sa.Text, nullable=False),
        sa.Column("last_seq", sa.Integer, nullable=False),
        sa.Column("problem", sa.Text, nullable=False),
    )
    op.create_index("run_summaries_state", "run_summaries", ["state", "started_at"])
    op.create_index("run_summaries_started", "run_summaries", ["started_at"])


def downgrade() -> None:
    op.drop_table("run_summaries")
