"""The audit log: every kind of tampering is caught, on SQLite and PostgreSQL; the database refuses edits."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from warden.audit.log import append_audit, verify_chain
from warden.store.db import Store


def _fill(store: Store, n: int = 6) -> None:
    with store.engine.begin() as conn:
        for i in range(1, n + 1):
            append_audit(
                conn,
                actor=f"analyst{i % 2}",
                action="case.note",
                subject=f"case-{i}",
                before={"state": "new"},
                after={"state": "in_review", "n": i},
            )


def _bypassing_protection(store: Store, statements: list[str]) -> None:
    """What an attacker with raw database access would do: lift the append-only guard, then edit."""
    with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            conn.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            conn.execute(sa.text("DROP TRIGGER audit_log_no_update"))
            conn.execute(sa.text("DROP TRIGGER audit_log_no_delete"))
        for statement in statements:
            conn.execute(sa.text(statement))


def test_an_untouched_chain_verifies(store: Store) -> None:
    _fill(store)
    with store.engine.connect() as conn:
        result = verify_chain(conn)
    assert result.ok and result.records == 6 and result.first_bad_seq is None


def test_records_keep_before_and_after(store: Store) -> None:
    _fill(store, 1)
    with store.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT actor, before, after, prev_hash FROM audit_log")).one()
    assert row.actor == "analyst1"
    assert row.before == '{"state":"new"}' and row.after == '{"n":1,"state":"in_review"}'
    assert row.prev_hash == "0" * 64


TAMPERING: dict[str, tuple[list[str], int]] = {
    "edited": (["UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"], 3),
    "edited_payload": (['UPDATE audit_log SET after = \'{"state":"closed"}\' WHERE seq = 4'], 4),
    "deleted": (["DELETE FROM audit_log WHERE seq = 2"], 2),
    "deleted_tail": (["DELETE FROM audit_log WHERE seq = 6"], 6),
    "inserted": (
        [
            "UPDATE audit_log SET seq = seq + 100 WHERE seq >= 4",
            "INSERT INTO audit_log (seq, at, actor, action, subject, before, after, prev_hash, hash) "
            "SELECT 4, at, 'mallory', action, subject, before, after, hash, hash FROM audit_log WHERE seq = 3",
            "UPDATE audit_log SET seq = seq - 99 WHERE seq >= 104",
        ],
        4,
    ),
    "reordered": (
        [
            "UPDATE audit_log SET seq = 1000 WHERE seq = 2",
            "UPDATE audit_log SET seq = 2 WHERE seq = 3",
            "UPDATE audit_log SET seq = 3 WHERE seq = 1000",
        ],
        2,
    ),
}


@pytest.mark.parametrize("kind", sorted(TAMPERING))
def test_tampering_is_caught_and_the_first_bad_record_named(kind: str, store: Store) -> None:
    _fill(store)
    statements, first_bad = TAMPERING[kind]
    _bypassing_protection(store, statements)
    with store.engine.connect() as conn:
        result = verify_chain(conn)
    assert not result.ok
    assert result.first_bad_seq == first_bad, result.reason


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET actor = 'mallory' WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 1"]
)
def test_the_database_itself_refuses_edits_and_deletions(store: Store, statement: str) -> None:
    _fill(store, 2)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), store.engine.begin() as conn:
        conn.execute(sa.text(statement))
    with store.engine.connect() as conn:
        assert verify_chain(conn).ok


def test_postgres_refuses_truncate(postgres_store: Store) -> None:
    _fill(postgres_store, 1)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), postgres_store.engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE audit_log"))


def test_an_append_rolled_back_with_its_change_leaves_no_trace(store: Store) -> None:
    _fill(store, 2)
    with pytest.raises(RuntimeError), store.engine.begin() as conn:
        append_audit(conn, actor="a", action="x", subject="y")
        raise RuntimeError("the audited change failed")
    with store.engine.begin() as conn:
        append_audit(conn, actor="a", action="after", subject="y")
    with store.engine.connect() as conn:
        result = verify_chain(conn)
    assert result.ok and result.records == 3
