"""The API skeleton, the console overview (the demo's page), settings errors and the foundation's commands."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from warden import __version__
from warden.api.app import create_app
from warden.cases.staffing import add_user
from warden.events.examples import EXAMPLES
from warden.events.ingest import Ingestor
from warden.events.schema import render_schema
from warden.settings import Settings, SettingsError, load_settings
from warden.store.db import Store


def _warden(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = os.environ | {"WARDEN_DATA_DIR": str(data_dir)} | env
    environment.pop("WARDEN_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "warden.cli", *args], capture_output=True, text=True, env=environment, timeout=120
    )


def test_healthz_and_openapi(settings: Settings, sqlite_store: Store) -> None:
    client = TestClient(create_app(settings.model_copy(update={"public_api_docs": True}), sqlite_store))
    assert client.get("/healthz").json() == {
        "status": "ok",
        "version": __version__,
        "worker_pid": os.getpid(),
        "checks": {"store": "ok", "redis": "not configured"},
    }
    assert client.get("/openapi.json").json()["info"]["title"] == "Warden"
    assert client.get("/docs").status_code == 200


def test_overview_shows_counts_scenarios_and_audit_status(
    settings: Settings, sqlite_store: Store, tmp_path: Path
) -> None:
    source = tmp_path / "e.jsonl"
    source.write_text("\n".join(json.dumps(e) for e in EXAMPLES.values()) + "\n")
    Ingestor(sqlite_store, settings.parquet_dir).ingest([source])
    with sqlite_store.engine.begin() as conn:
        add_user(conn, "viewer", "analyst", "viewer-password")
    client = TestClient(create_app(settings, sqlite_store))
    assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=/"  # console needs sign-in
    client.post("/v1/session/login", json={"username": "viewer", "password": "viewer-password"})
    assert "Good to see you, viewer" in client.get("/").text  # a reviewer lands on the operational home
    page = client.get("/demo/overview").text  # the overview is the demo's own page
    assert 'id="total-events">8<' in page
    assert 'id="audit-status">intact<' in page
    assert "<svg" in page and "withdrawal" in page


def test_bad_settings_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDEN_PORT", "eighty")
    with pytest.raises(SettingsError, match="WARDEN_PORT"):
        load_settings()
    monkeypatch.setenv("WARDEN_PORT", "8080")
    monkeypatch.setenv("WARDEN_DATABASE_URL", "mysql://x")
    with pytest.raises(SettingsError, match="WARDEN_DATABASE_URL"):
        load_settings()


def test_version_and_schema_commands(tmp_path: Path) -> None:
    assert _warden(["--version"], tmp_path).stdout.strip() == f"warden {__version__}"
    assert _warden(["schema"], tmp_path).stdout == render_schema()


def test_ingest_command_reports_rejects_and_exit_code(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(EXAMPLES["trade"]) + "\n")
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(json.dumps(EXAMPLES["login"]) + "\n" + json.dumps({"type": "login"}) + "\n")
    data = tmp_path / "data"
    ok = _warden(["ingest", str(good), "--json"], data)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["stored"] == 1
    bad = _warden(["ingest", str(mixed), "--json"], data)
    assert bad.returncode == 1
    summary = json.loads(bad.stdout)
    assert (summary["stored"], summary["rejected"]) == (1, 1)
    rejects = [json.loads(line) for line in Path(summary["rejects_path"]).read_text().splitlines()]
    assert rejects[0]["position"] == f"{mixed}:2"
    assert "event_id" in rejects[0]["reason"]


def test_ingest_command_refuses_unknown_file_types(tmp_path: Path) -> None:
    odd = tmp_path / "events.xlsx"
    odd.write_text("x")
    result = _warden(["ingest", str(odd)], tmp_path / "data")
    assert result.returncode == 2
    assert "unknown file type .xlsx" in result.stderr


def test_audit_verify_command(tmp_path: Path) -> None:
    data = tmp_path / "data"
    source = tmp_path / "e.jsonl"
    source.write_text(json.dumps(EXAMPLES["login"]) + "\n")
    _warden(["ingest", str(source)], data)
    intact = _warden(["audit", "verify", "--json"], data)
    assert intact.returncode == 0 and json.loads(intact.stdout)["ok"] is True
    db = sqlite3.connect(data / "warden.db")
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("UPDATE audit_log SET subject = 'elsewhere' WHERE seq = 1")
    db.commit()
    broken = _warden(["audit", "verify"], data)
    assert broken.returncode == 1
    assert "BROKEN at record 1" in broken.stdout
