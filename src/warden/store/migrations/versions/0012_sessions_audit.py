"""a keyed audit chain (existing records re-keyed), a protected audit head, server-side sessions, sign-in throttling

The chain so far (plain SHA-256, which anyone holding the database could recompute) is verified first and then
re-keyed with the audit key (HMAC-SHA256), in one transaction. Keying only the records from here on would need a
boundary seq stored in the database, which its holders could move; re-keyed, every record is keyed and `verify`
trusts nothing in the database. A broken chain is not re-keyed (that would launder the tampering): the migration
stops, naming the first bad record. An `audit.rekeyed` record keeps the old SHA-256 head, so a head exported
before the upgrade can still be matched.

Revision ID: 0012_sessions_audit
Revises: 0011_feature_ledger
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from warden.audit.log import GENESIS_HASH, canonical_json, record_hash, unkeyed_record_hash
from warden.store.keys import key_id, registered_key

revision = "0012_sessions_audit"
down_revision = "0011_feature_ledger"
branch_labels = None
depends_on = None

_PG_HEAD_GUARD = """
CREATE OR REPLACE FUNCTION warden_audit_head_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND (OLD.key_id IS NULL OR NEW.key_id IS NOT DISTINCT FROM OLD.key_id)
     AND (NEW.seq > OLD.seq OR (NEW.seq = OLD.seq AND NEW.hash = OLD.hash)) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_head only moves forward: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def _set_log_guard(bind: sa.Connection, on: bool) -> None:
    if bind.dialect.name == "postgresql":
        op.execute(f"ALTER TABLE audit_log {'ENABLE' if on else 'DISABLE'} TRIGGER audit_log_append_only")
    elif on:
        op.execute(
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END"
        )
    else:
        op.execute("DROP TRIGGER audit_log_no_update")


def _rekey(bind: sa.Connection) -> None:
    key = registered_key(bind)
    rows = bind.execute(
        sa.text("SELECT seq, at, actor, action, subject, before, after, prev_hash, hash FROM audit_log ORDER BY seq")
    ).all()
    if key is None:
        if not rows:
            return  # nothing to re-key; the first append names its key in the head
        raise RuntimeError(
            f"the audit log has {len(rows)} records to re-key, but no audit key was given: open the store with "
            "warden.store.db.open_store (WARDEN_AUDIT_KEY or data_dir/audit.key)"
        )
    head = bind.execute(sa.text("SELECT seq, hash FROM audit_head WHERE id = 1")).one_or_none()
    if head is None:
        raise RuntimeError("audit_head is missing: the audit log cannot be verified, so it is not re-keyed")
    prev, new_prev, updates = GENESIS_HASH, GENESIS_HASH, []
    for expected, r in enumerate(rows, start=1):
        fields = (r.seq, r.at, r.actor, r.action, r.subject, r.before, r.after)
        if r.seq != expected or r.prev_hash != prev or unkeyed_record_hash(prev, *fields) != r.hash:
            raise RuntimeError(
                f"the audit log is broken at record {expected} (run `warden audit verify` on the previous version); "
                "it is not re-keyed, since that would hide the break"
            )
        prev = r.hash
        new_hash = record_hash(key, new_prev, *fields)
        updates.append({"s": r.seq, "p": new_prev, "h": new_hash})
        new_prev = new_hash
    if int(head.seq) != len(rows) or head.hash != prev:
        raise RuntimeError(f"the audit log ends at record {len(rows)} but its head says {head.seq}; it is not re-keyed")
    if updates:
        _set_log_guard(bind, False)
        bind.execute(sa.text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE seq = :s"), updates)
        _set_log_guard(bind, True)
        seq = len(rows) + 1
        at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        after = canonical_json({"records": len(rows), "sha256_head": prev})
        fields = (seq, at, "system:migration", "audit.rekeyed", "audit_log", None, after)
        new_prev = record_hash(key, new_prev, *fields)
        bind.execute(
            sa.text(
                "INSERT INTO audit_log (seq, at, actor, action, subject, before, after, prev_hash, hash) "
                "VALUES (:seq, :at, :actor, :action, :subject, NULL, :after, :prev, :hash)"
            ),
            {
                "seq": seq,
                "at": at,
                "actor": fields[2],
                "action": fields[3],
                "subject": fields[4],
                "after": after,
                "prev": updates[-1]["h"],
                "hash": new_prev,
            },
        )
        bind.execute(sa.text("UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1"), {"s": seq, "h": new_prev})
    bind.execute(sa.text("UPDATE audit_head SET key_id = :k WHERE id = 1"), {"k": key_id(key)})


def _guard_head(bind: sa.Connection) -> None:
    if bind.dialect.name == "postgresql":
        op.execute(_PG_HEAD_GUARD)
        op.execute(
            "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head "
            "FOR EACH ROW EXECUTE FUNCTION warden_audit_head_guard()"
        )
        op.execute(
            "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head "
            "FOR EACH STATEMENT EXECUTE FUNCTION warden_audit_head_guard()"
        )
        return
    op.execute(
        "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head "
        "WHEN NOT (NEW.id = OLD.id AND (OLD.key_id IS NULL OR NEW.key_id IS OLD.key_id) "
        "AND (NEW.seq > OLD.seq OR (NEW.seq = OLD.seq AND NEW.hash = OLD.hash))) "
        "BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward: UPDATE refused'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
        "BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward: DELETE refused'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_head_no_insert BEFORE INSERT ON audit_head "
        "BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward: INSERT refused'); END"
    )


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(sa.Column("key_id", sa.String(16), nullable=True))
    _rekey(bind)
    _guard_head(bind)

    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("client", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_why", sa.String(32), nullable=True),
    )
    op.create_index("ix_sessions_username", "sessions", ["username"])
    op.create_table(
        "sign_in_throttle",
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locks", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("sign_in_throttle")
    op.drop_index("ix_sessions_username", "sessions")
    op.drop_table("sessions")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_head")
        op.execute("DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head")
        op.execute("DROP FUNCTION IF EXISTS warden_audit_head_guard()")
    else:
        for name in ("audit_head_forward_only", "audit_head_no_delete", "audit_head_no_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("key_id")
    # The chain stays keyed: un-keying would make it rewritable again.
