"""Shared fixtures: settings on a temporary data dir, and stores on SQLite and (when configured) PostgreSQL.

PostgreSQL tests run when WARDEN_TEST_DATABASE_URL is set (each test gets a fresh database on that server);
they skip with the reason otherwise, except under CI=true, where a missing or unreachable server fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from warden.settings import Settings
from warden.store.db import Store, open_store

IN_CI = os.environ.get("CI") == "true"


def service_unavailable(reason: str) -> None:
    """Skip on a developer's machine; fail in CI, where every service must be there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: service tests must run)")
    pytest.skip(reason)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "warden-data")


@pytest.fixture
def sqlite_store(settings: Settings) -> Iterator[Store]:
    store = open_store(settings)
    yield store
    store.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    admin_url = os.environ.get("WARDEN_TEST_DATABASE_URL")
    if not admin_url:
        service_unavailable("WARDEN_TEST_DATABASE_URL is not set")
        return
    admin_url = admin_url.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"warden_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        service_unavailable(f"PostgreSQL at WARDEN_TEST_DATABASE_URL is unreachable: {exc.orig}")
        return
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_store(settings: Settings, postgres_url: str) -> Iterator[Store]:
    store = open_store(settings, url=postgres_url)
    yield store
    store.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Store]:
    """The same test on both databases."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_store")
    else:
        yield request.getfixturevalue("postgres_store")
