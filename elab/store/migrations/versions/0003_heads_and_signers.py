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


    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_GUARDS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS elab_event_guard ON events")
        op.execute("DROP FUNCTION IF EXISTS elab_event_guard()")
    op.drop_table("signers")
    op.drop_table("run_heads")


# On PostgreSQL the database keeps the heads itself, so a person's role needs no UPDATE on
# any table: a trigger owned by the administrator (SECURITY DEFINER) checks that each new
# event follows the recorded head, moves the head on, and refuses an event whose operator
# is not the logged-in person (members of the elab_person role made by `elab admin init`).
POSTGRES_GUARDS = (
    """
    CREATE OR REPLACE FUNCTION elab_event_guard() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE
        head_seq integer;
        head_hash varchar(64);
    BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'elab_person') THEN
            IF pg_has_role(session_user, 'elab_person', 'MEMBER')
               AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)
               AND NEW.operator <> session_user::text THEN
                RAISE EXCEPTION 'operator % is not the database user %',
                    NEW.operator, session_user USING ERRCODE = 'insufficient_privilege';
            END IF;
        END IF;
        SELECT last_seq, run_heads.head_hash INTO head_seq, head_hash
            FROM run_heads WHERE run_id = NEW.run_id FOR UPDATE;
        IF NOT FOUND THEN
            IF NEW.seq <> 1 THEN
                RAISE EXCEPTION 'run % has no recorded head', NEW.run_id
                    USING ERRCODE = 'unique_violation';
            END IF;
            INSERT INTO run_heads (run_id, last_seq, head_hash)
                VALUES (NEW.run_id, NEW.seq, NEW.hash);
            RETURN NEW;
        END IF;
        IF NEW.seq <> head_seq + 1 OR NEW.prev_hash <> head_hash THEN
            RAISE EXCEPTION 'event % of run % does not follow its recorded head %',
                NEW.seq, NEW.run_id, head_seq USING ERRCODE = 'unique_violation';
        END IF;
        UPDATE run_heads SET last_seq = NEW.seq, head_hash = NEW.hash
            WHERE run_id = NEW.run_id;
        RETURN NEW;
    END;
    $$
    """,
    "DROP TRIGGER IF EXISTS elab_event_guard ON events",
    """
    CREATE TRIGGER elab_event_guard BEFORE INSERT ON events
        FOR EACH ROW EXECUTE FUNCTION elab_event_guard()
    """,
)
