"""`warden demo`, the first command a new user runs, end to end on a tiny exchange (without serving)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from warden.access.users import authenticate
from warden.audit.log import verify_chain
from warden.cases.tables import case_proposals, cases
from warden.cli import app
from warden.decisions.rulesets import current
from warden.decisions.tables import decisions
from warden.demo.steps import DEMO_PASSWORD, DEMO_STEPS, DEMO_USERS
from warden.settings import Settings
from warden.store.db import open_store


@pytest.mark.slow
def test_demo_runs_every_step_and_leaves_a_worked_backlog(tmp_path: Path) -> None:
    env = {"WARDEN_DATA_DIR": str(tmp_path / "data")}
    result = CliRunner().invoke(
        app, ["demo", "--no-serve", "--customers", "150", "--days", "6", "--seed", "3"], env=env
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("✓") == len(DEMO_STEPS)

    store = open_store(Settings(data_dir=tmp_path / "data"))
    try:
        with store.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(decisions)).scalar_one() > 0
            live = current(conn, "live")  # calibrated to the demo's own history before deciding it
            assert live is not None and "+cal." in live.version
            used = set(conn.execute(sa.select(decisions.c.ruleset_version).distinct()).scalars())
            assert used == {f"{live.name}@{live.version}"}
            states = dict(conn.execute(sa.select(cases.c.state, sa.func.count()).group_by(cases.c.state)).all())
            assert states.get("closed", 0) > 0 and states.get("new", 0) > 0  # part of the queue worked, not all
            assert conn.execute(sa.select(sa.func.count()).select_from(case_proposals)).scalar_one() > 0
            for username, role in DEMO_USERS:
                user = authenticate(conn, username, DEMO_PASSWORD)
                assert user is not None and user.role == role
            assert verify_chain(conn).ok
    finally:
        store.dispose()
