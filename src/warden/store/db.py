"""Opening the store: the engine for the configured database, migrated to the newest schema."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from warden.settings import Settings, get_settings, normalise_database_url
from warden.store.keys import audit_key, register_key

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_PG_MIGRATION_LOCK = 7_310_042  # advisory lock id: one migrator at a time across processes


@dataclass(frozen=True)
class Store:
    engine: sa.Engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, synchronous: str = "NORMAL") -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    # NORMAL: a commit survives a crash of the process (kill -9), not a power loss until the next checkpoint;
    # FULL: every commit is fsynced, so it survives a power loss too (docs/decisions.md has the cost)
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA wal_autocheckpoint=10000")  # checkpoints (which fsync) every ~40 MiB, not every 4 MiB
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB of pages: index inserts stay in memory at millions of rows
    cursor.close()


def create_engine(url: str, sqlite_synchronous: str = "NORMAL") -> sa.Engine:
    url = normalise_database_url(url)
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False})
        if sqlite_synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"sqlite_synchronous must be NORMAL or FULL, not {sqlite_synchronous!r}")
        sa.event.listen(engine, "connect", partial(_sqlite_pragmas, synchronous=sqlite_synchronous))
        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def _migration_lock(engine: sa.Engine, lock_dir: Path) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_MIGRATION_LOCK})
                conn.commit()
        return
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / ".migrate.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def migrate(engine: sa.Engine, lock_dir: Path) -> None:
    """Bring the schema to the newest revision (idempotent; safe with several processes)."""
    with _migration_lock(engine, lock_dir):
        if current_revision(engine) == head_revision():
            return
        config = _alembic_config()
        logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per revision is noise here
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")


def open_store(settings: Settings | None = None, url: str | None = None) -> Store:
    settings = settings or get_settings()
    engine = create_engine(url or settings.effective_database_url, settings.sqlite_synchronous)
    register_key(engine, audit_key(settings))  # before migrating: revision 0012 keys the existing chain with it
    migrate(engine, settings.data_dir)
    return Store(engine=engine)
