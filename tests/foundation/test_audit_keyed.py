"""The audit log against whoever holds the database: a keyed chain, a head that only moves forward, checkpoints
kept outside the database, the migration that keys an existing chain, and every failure named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from typer.testing import CliRunner

from warden.audit.checkpoints import CheckpointError, parse_checkpoint, take_checkpoint, verify_with_checkpoint
from warden.audit.log import GENESIS_HASH, append_audit, unkeyed_record_hash, verify_chain
from warden.cli import app as cli_app
from warden.settings import Settings
from warden.store import db
from warden.store.db import Store
from warden.store.keys import AuditKeyError, audit_key, register_key


def _fill(store: Store, n: int = 6) -> None:
    with store.engine.begin() as conn:
        for i in range(1, n + 1):
            append_audit(conn, actor=f"analyst{i % 2}", action="case.note", subject=f"case-{i}", after={"n": i})


def _bypassing_protection(store: Store, statements: list[str]) -> None:
    """An attacker holding the database: lift every guard on the log and its head, then rewrite."""
    with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            conn.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            conn.execute(sa.text("ALTER TABLE audit_head DISABLE TRIGGER USER"))
        else:
            for name in (
                "audit_log_no_update",
                "audit_log_no_delete",
                "audit_head_forward_only",
                "audit_head_no_delete",
                "audit_head_no_insert",
            ):
                conn.execute(sa.text(f"DROP TRIGGER {name}"))
        for statement in statements:
            conn.execute(sa.text(statement))


def _recompute_from(store: Store, first: int, hasher: object) -> None:
    """Rewrite every hash from `first` on, and the head, with what the attacker has (no audit key)."""
    with store.engine.begin() as conn:
        rows = conn.execute(sa.text("SELECT * FROM audit_log ORDER BY seq")).all()
        prev = GENESIS_HASH if first == 1 else rows[first - 2].hash
        for r in rows[first - 1 :]:
            digest = hasher(prev, r.seq, r.at, r.actor, r.action, r.subject, r.before, r.after)  # type: ignore[operator]
            conn.execute(
                sa.text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE seq = :s"),
                {"p": prev, "h": digest, "s": r.seq},
            )
            prev = digest
        conn.execute(sa.text("UPDATE audit_head SET hash = :h WHERE id = 1"), {"h": prev})


@pytest.mark.parametrize("attackers_hash", ["sha256", "guessed_key"])
def test_an_edit_with_every_later_hash_and_the_head_recomputed_is_caught(store: Store, attackers_hash: str) -> None:
    import hashlib
    import hmac

    _fill(store)
    _bypassing_protection(store, ["UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"])

    def guessed(prev: str, *fields: object) -> str:
        body = (prev + json.dumps(list(fields), separators=(",", ":"), ensure_ascii=False)).encode()
        return hmac.new(b"guessed", body, hashlib.sha256).hexdigest()

    _recompute_from(store, 3, unkeyed_record_hash if attackers_hash == "sha256" else guessed)
    with store.engine.connect() as conn:
        result = verify_chain(conn)
    assert not result.ok and result.first_bad_seq == 3
    assert "without the audit key" in (result.reason or "")


def test_the_database_refuses_moving_the_head_back_or_deleting_it(store: Store) -> None:
    _fill(store)
    for statement in (
        "UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4) WHERE id = 1",
        "UPDATE audit_head SET hash = 'x' WHERE id = 1",
        "DELETE FROM audit_head",
    ):
        with pytest.raises(sa.exc.DatabaseError, match="only moves forward"), store.engine.begin() as conn:
            conn.execute(sa.text(statement))
    if store.dialect == "postgresql":
        with pytest.raises(sa.exc.DatabaseError, match="only moves forward"), store.engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE audit_head"))
    with store.engine.connect() as conn:
        assert verify_chain(conn).ok


def test_cutting_the_tail_and_moving_the_head_back_is_caught_by_a_checkpoint(store: Store) -> None:
    _fill(store)
    with store.engine.connect() as conn:
        checkpoint = parse_checkpoint(json.dumps(take_checkpoint(conn).as_dict()))
    _bypassing_protection(
        store,
        [
            "DELETE FROM audit_log WHERE seq >= 5",
            "UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4) WHERE id = 1",
        ],
    )
    with store.engine.connect() as conn:
        assert verify_chain(conn).ok  # the keyed chain alone cannot see a clean cut: that is the checkpoint's job
        result = verify_with_checkpoint(conn, checkpoint)
    assert not result.ok and result.first_bad_seq == 5
    assert "records 5-6 were cut off" in (result.reason or "")


def test_a_rewritten_record_and_an_altered_checkpoint_are_named(store: Store) -> None:
    _fill(store, 3)
    with store.engine.connect() as conn:
        good = take_checkpoint(conn)
    forged = parse_checkpoint(json.dumps(dict(good.as_dict(), seq=2)))
    with store.engine.connect() as conn:
        refused = verify_with_checkpoint(conn, forged)
    assert not refused.ok and "MAC does not match" in (refused.reason or "")
    _fill(store, 1)
    with store.engine.connect() as conn:
        assert verify_with_checkpoint(conn, good).ok  # records appended after a checkpoint are fine
    with pytest.raises(CheckpointError, match=r"cp\.json: not a Warden audit checkpoint"):
        parse_checkpoint("[1]", "cp.json")


def test_deleting_the_head_row_is_named(store: Store) -> None:
    _fill(store, 2)
    _bypassing_protection(store, ["DELETE FROM audit_head"])
    with store.engine.connect() as conn:
        result = verify_chain(conn)
    assert not result.ok and "head row is missing" in (result.reason or "")
    with pytest.raises(AuditKeyError, match="head row is missing"), store.engine.begin() as conn:
        append_audit(conn, actor="a", action="x", subject="y")


def test_a_server_with_another_key_is_refused_before_it_forks_the_chain(store: Store) -> None:
    _fill(store, 1)
    register_key(store.engine, b"another server's key")
    with pytest.raises(AuditKeyError, match="not the one the log is keyed with"), store.engine.begin() as conn:
        append_audit(conn, actor="a", action="x", subject="y")
    with store.engine.connect() as conn:
        assert "keyed with key" in (verify_chain(conn).reason or "")


def test_the_key_file_is_private_and_env_wins(settings: Settings) -> None:
    key = audit_key(settings)
    path = settings.data_dir / "audit.key"
    assert path.stat().st_mode & 0o777 == 0o600 and audit_key(settings) == key
    assert audit_key(settings.model_copy(update={"audit_key": "from-env"})) == b"from-env"


def _legacy_store(settings: Settings, url: str | None, records: int) -> sa.Engine:
    """A store at the revision before keying, with a plain SHA-256 chain written as the old code did."""
    engine = db.create_engine(url or settings.effective_database_url)
    register_key(engine, audit_key(settings))
    config = db._alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0006_customer_scores")
        prev = GENESIS_HASH
        for seq in range(1, records + 1):
            fields = (seq, f"2026-01-0{seq}T00:00:00.000000Z", "ana", "case.note", f"case-{seq}", None, '{"n":1}')
            digest = unkeyed_record_hash(prev, *fields)
            conn.execute(
                sa.text("INSERT INTO audit_log VALUES (:s, :a, :ac, :act, :su, :b, :af, :p, :h)"),
                dict(zip(["s", "a", "ac", "act", "su", "b", "af"], fields, strict=True), p=prev, h=digest),
            )
            prev = digest
        conn.execute(sa.text("UPDATE audit_head SET seq = :s, hash = :h"), {"s": records, "h": prev})
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str | None:
    return None if request.param == "sqlite" else request.getfixturevalue("postgres_url")


def test_the_migration_keys_an_existing_chain_which_keeps_verifying(
    settings: Settings, database_url: str | None
) -> None:
    engine = _legacy_store(settings, database_url, 3)
    db.migrate(engine, settings.data_dir)
    with engine.connect() as conn:
        result = verify_chain(conn)
        last = conn.execute(sa.text("SELECT action, after FROM audit_log WHERE seq = 4")).one()
    assert result.ok and result.records == 4
    assert last.action == "audit.rekeyed" and json.loads(last.after)["records"] == 3
    engine.dispose()


def test_the_migration_refuses_to_key_a_broken_chain(settings: Settings, database_url: str | None) -> None:
    engine = _legacy_store(settings, database_url, 3)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            conn.execute(sa.text("DROP TRIGGER audit_log_no_update"))
        conn.execute(sa.text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
    with pytest.raises(RuntimeError, match="broken at record 2"):
        db.migrate(engine, settings.data_dir)
    engine.dispose()


def test_cli_checkpoint_then_verify(tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDEN_DATA_DIR", str(settings.data_dir))
    from warden.settings import get_settings

    get_settings.cache_clear()
    store = db.open_store(settings)
    _fill(store, 3)
    runner = CliRunner()
    out = tmp_path / "cp.json"
    taken = runner.invoke(cli_app, ["audit", "checkpoint", "--out", str(out)])
    assert taken.exit_code == 0, taken.output
    assert json.loads(out.read_text())["seq"] == 3
    ok = runner.invoke(cli_app, ["audit", "verify", "--checkpoint", str(out), "--json"])
    assert ok.exit_code == 0 and json.loads(ok.output)["ok"], ok.output
    _bypassing_protection(
        store,
        [
            "DELETE FROM audit_log WHERE seq = 3",
            "UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_log WHERE seq = 2)",
        ],
    )
    cut = runner.invoke(cli_app, ["audit", "verify", "--checkpoint", str(out)])
    assert cut.exit_code == 1 and "records 3-3 were cut off" in cut.output
    out.write_text("not json")
    bad = runner.invoke(cli_app, ["audit", "verify", "--checkpoint", str(out)])
    assert bad.exit_code == 2 and "not a Warden audit checkpoint" in bad.output
    store.dispose()
    get_settings.cache_clear()


def test_a_store_migrated_without_a_key_is_keyed_by_its_first_append(settings: Settings) -> None:
    """Migrations run on a bare engine (no audit key) pass over an empty log; the first append names its key."""
    engine = db.create_engine(settings.effective_database_url)
    config = db._alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    engine.dispose()
    store = db.open_store(settings)
    _fill(store, 2)
    with store.engine.connect() as conn:
        assert verify_chain(conn).ok
        assert conn.execute(sa.text("SELECT key_id FROM audit_head")).scalar() is not None
    store.dispose()


def test_a_log_with_records_is_not_migrated_without_the_key(settings: Settings) -> None:
    engine = _legacy_store(settings, None, 2)
    bare = db.create_engine(settings.effective_database_url)  # another engine: no key registered for it
    with pytest.raises(RuntimeError, match="2 records to re-key, but no audit key"):
        db.migrate(bare, settings.data_dir)
    bare.dispose()
    engine.dispose()
