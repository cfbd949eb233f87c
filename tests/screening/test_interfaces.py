"""The API routes, the console page and the CLI commands over the shipped default lists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from warden.access.api_keys import create_api_key
from warden.api.app import create_app
from warden.cases.staffing import add_user
from warden.cli import app
from warden.settings import Settings
from warden.store.db import Store

ETH = "0x8589427373D6D84E98730D7795D8f6f8731FDA16"


@pytest.fixture
def client(settings: Settings, sqlite_store: Store) -> TestClient:
    with sqlite_store.engine.begin() as conn:
        _, secret = create_api_key(conn, "t", {"screening"}, actor="test")
    return TestClient(create_app(settings, sqlite_store), headers={"X-API-Key": secret})


def test_api_name_and_address(client: TestClient) -> None:
    response = client.post("/v1/screen/name", json={"name": "Ayman al Zawahiri", "kind": "person", "birth_year": 1951})
    assert response.status_code == 200
    body = response.json()
    assert body["hits"][0]["id"] in {"2676", "QDi.006"} and body["hits"][0]["explanation"]["dob"]["effect"] > 0
    assert body["matcher_version"] and body["lists"]
    assert client.post("/v1/screen/address", json={"address": ETH.lower()}).json()["hits"][0]["id"] == ETH
    bad = client.post("/v1/screen/name", json={"name": "", "kind": "robot"})
    assert bad.status_code == 422 and {tuple(e["loc"]) for e in bad.json()["detail"]} == {
        ("body", "name"),
        ("body", "kind"),
    }
    assert TestClient(client.app).post("/v1/screen/name", json={"name": "x"}).status_code == 401


def test_console_page_shows_graded_hits(client: TestClient, sqlite_store: Store) -> None:
    with sqlite_store.engine.begin() as conn:
        add_user(conn, "viewer", "analyst", "viewer-password")
    client.post("/v1/session/login", json={"username": "viewer", "password": "viewer-password"})  # console sign-in
    page = client.get("/screening", params={"q": "Saddam Hussein al-Tikriti"})
    assert page.status_code == 200 and "IQi.001" in page.text and "query coverage" in page.text
    assert "sanctioned" in client.get("/screening", params={"q": ETH}).text
    assert 'id="no-hits"' in client.get("/screening", params={"q": "Peter Jones"}).text


def test_cli_name_address_and_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDEN_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    out = runner.invoke(app, ["screen", "name", "Banco Nacional de Cuba", "--type", "entity", "--json"])
    assert out.exit_code == 0 and json.loads(out.output)["hits"][0]["id"] == "306"
    out = runner.invoke(app, ["screen", "address", ETH.upper().replace("0X", "0x"), "--json"])
    assert json.loads(out.output)["hits"][0]["asset"] == "ETH"
    source = tmp_path / "q.jsonl"
    rows = [
        {"qid": "a", "query": "Eric Badege", "kind": "person"},
        "not json",
        {"qid": "b", "query": ETH, "kind": "address"},
        {"qid": "c", "query": "Peter Jones", "kind": "person"},
        {"qid": "d", "query": "x", "kind": "robot"},
    ]
    source.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    result = runner.invoke(app, ["screen", "batch", str(source), "--out", str(tmp_path / "out.jsonl"), "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [x["qid"] for x in lines] == ["a", None, "b", "c", "d"]
    assert (
        {"CDi.001", "15718"} <= {h["id"] for h in lines[0]["hits"]}
        and lines[2]["hits"][0]["id"] == ETH
        and lines[3]["hits"] == []
    )
    assert lines[1]["error"].startswith(f"{source}:2:") and lines[4]["error"].startswith(f"{source}:5: $.kind")
