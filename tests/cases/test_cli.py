"""`warden users add` and `warden cases ...` against a store in a temporary data dir."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from warden.cases.alerts import CaseAlert, add_alert
from warden.cli import app
from warden.settings import Settings
from warden.store.db import open_store


def test_users_and_cases_from_the_command_line(settings: Settings) -> None:
    env = {"WARDEN_DATA_DIR": str(settings.data_dir), "WARDEN_DATABASE_URL": ""}
    runner = CliRunner()
    added = runner.invoke(
        app,
        ["users", "add", "ana", "--role", "analyst", "--password-stdin", "--json"],
        input="a long password\n",
        env=env,
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["role"] == "analyst"
    bad = runner.invoke(
        app, ["users", "add", "bo", "--role", "boss", "--password-stdin"], input="a long password\n", env=env
    )
    assert bad.exit_code == 2 and "unknown role 'boss'" in bad.output
    store = open_store(settings)
    with store.engine.begin() as conn:
        case_id = add_alert(
            conn, CaseAlert("t:1", "decision", "account_takeover", ["c1"], 0.8, "high", evidence={"r": 1})
        ).case_id
    store.dispose()
    listed = runner.invoke(app, ["cases", "list", "--json", "--queue", "fraud"], env=env)
    assert [c["case_id"] for c in json.loads(listed.stdout)] == [case_id]
    taken = runner.invoke(app, ["cases", "take-next", "ana", "--json"], env=env)
    assert json.loads(taken.stdout) == {"case_id": case_id, "assignee": "ana"}
    shown = runner.invoke(app, ["cases", "show", case_id, "--json"], env=env)
    assert [t["kind"] for t in json.loads(shown.stdout)["timeline"]] == ["opened", "assigned"]
    missing = runner.invoke(app, ["cases", "show", "case_x"], env=env)
    assert missing.exit_code == 2 and "no case 'case_x'" in missing.output
    swept = runner.invoke(app, ["cases", "sweep", "--json"], env=env)
    assert json.loads(swept.stdout)["flagged_overdue"] == 0
    assert json.loads(runner.invoke(app, ["cases", "from-decisions", "--json"], env=env).stdout)["alerts"] == 0
