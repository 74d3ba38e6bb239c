"""Run heads anchored in their own table; signers' public keys registered in the database.

Revision ID: 0003
Revises: 0002

``run_heads`` holds each run's last sequence number and head hash, moved on in the same
transaction as every append, so deleting a run's last events (or a signature and all after
it) leaves a head that the log no longer reaches.  Existing runs get the head their log has
now.  ``signers`` keeps each signer's public key and its fingerprint, so a key file replaced
beside the database no longer decides whose signature is valid.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "run_heads",
        sa.Column("run_id", sa.String(40), primary_key=True),
        sa.Column("last_seq", sa.Integer, nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
    )
    op.execute(
        "INSERT INTO run_heads (run_id, last_seq, head_hash) "
        "SELECT e.run_id, e.seq, e.hash FROM events e "
        "WHERE e.seq = (SELECT MAX(x.seq) FROM events x WHERE x.run_id = e.run_id)"
    )
    op.create_table(
        "signers",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("printed_name", sa.String(200), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("key_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("signers")
    op.drop_table("run_heads")
