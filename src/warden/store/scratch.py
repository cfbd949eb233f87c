"""A scratch database for benchmarks: never the configured one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from warden.settings import normalise_database_url


@contextmanager
def scratch_database(server_url: str | None) -> Iterator[str | None]:
    """On PostgreSQL, a fresh database on the given server, dropped afterwards, so the bench never touches real
    data; None (a temporary SQLite) otherwise."""
    if server_url is None:
        yield None
        return
    admin = sa.create_engine(normalise_database_url(server_url), isolation_level="AUTOCOMMIT")
    name = f"warden_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
