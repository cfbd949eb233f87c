"""Reviewers' verdicts train the next version: `warden kyc refit` raises a tamper threshold only as far as the
false alarms reviewers overturned allow (every upheld alarm still fires), says what each threshold learned from
how many labels, records the new version with its diff (audited), and the sessions decided after it use it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from warden.audit.log import recent_records
from warden.cli import app
from warden.kyc import tamper
from warden.kyc.documents import dataset
from warden.kyc.refit import BASE_VERSION, active_thresholds, record_config, refit
from warden.kyc.repository import open_session
from warden.kyc.reviews import record_verdict
from warden.kyc.tables import kyc_sessions
from warden.settings import Settings
from warden.store.db import Store, open_store

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def _reviewed(conn: sa.Connection, i: int, noise_score: float, verdict: str) -> None:
    """A session the checks sent to review because `noise_inconsistency` fired, and a reviewer's verdict."""
    sid = open_session(conn, f"c{i}", {}, {"nonce": f"n{i}"}, actor="t", now=NOW).session_id
    signal = {"code": "noise_inconsistency", "score": noise_score, "threshold": 8, "fired": True, "detail": ""}
    result = {"evidence": {"document": {"signals": {"front": [signal]}}}, "versions": {}}
    conn.execute(
        sa.update(kyc_sessions)
        .where(kyc_sessions.c.session_id == sid)
        .values(state="decided", outcome="review", reasons='["noise_inconsistency"]', result=json.dumps(result))
    )
    record_verdict(conn, sid, "ana", verdict, "looked at the portrait", now=NOW)


def _labels(conn: sa.Connection) -> None:
    # 13 false alarms (scores 8-11) overturned, 12 upheld (scores 14-25)
    for i, score in enumerate([8, 8, 9, 9, 9, 10, 10, 10, 11, 11, 8, 9, 10]):
        _reviewed(conn, i, score, "approve")
    for i in range(12):
        _reviewed(conn, 100 + i, 14 + i, "reject")


def test_refit_learns_from_overturned_alarms_only_upwards(sqlite_store: Store) -> None:
    with sqlite_store.engine.begin() as conn:
        assert refit(conn)["diff"] == {}  # no labels, nothing learned
        _labels(conn)
        fitted = refit(conn)
    assert fitted["based_on"] == BASE_VERSION and fitted["labels"] == 25
    assert fitted["diff"] == {"noise_inconsistency": {"from": 8, "to": 12.0}}  # above 11, and x1.5 at most
    basis = fitted["basis"]["noise_inconsistency"]
    assert basis["labels"] == 25 and basis["overturned"] == 13 and basis["upheld"] == 12 and basis["passes"] == 13
    assert "needs 20" in fitted["basis"]["copy_move"]["kept"] and "face_match" in fitted["basis"]


def test_an_upheld_alarm_below_the_overturned_ones_keeps_the_threshold(sqlite_store: Store) -> None:
    with sqlite_store.engine.begin() as conn:
        _labels(conn)
        _reviewed(conn, 999, 8, "reject")  # an upheld alarm at the lowest score
        fitted = refit(conn)
    assert fitted["diff"] == {} and "raising it would pass" in fitted["basis"]["noise_inconsistency"]["kept"]


def test_recorded_version_is_audited_and_used(sqlite_store: Store) -> None:
    with sqlite_store.engine.begin() as conn:
        _labels(conn)
        version = record_config(conn, refit(conn), actor="mo", now=NOW)
        assert version == "kyc-decision-config-1"
        assert active_thresholds(conn) == (version, {**tamper.THRESHOLDS, "noise_inconsistency": 12.0})
        assert refit(conn)["based_on"] == version and refit(conn)["diff"] == {}  # learned already
        [audit] = [r for r in recent_records(conn, 5) if r.action == "kyc.config.refit"]
    assert audit.actor == "mo" and audit.subject == version
    # the document check fires at the recorded threshold: a genuine page's screen score against a lower one
    page = dataset.genuine(7, 0).pages["front"]
    _, shipped = tamper.tamper_signals(page)
    screen = next(s for s in shipped if s.code == "screen_recapture")
    assert not screen.fired
    _, moved = tamper.tamper_signals(page, thresholds={"screen_recapture": screen.score - 0.01})
    assert next(s for s in moved if s.code == "screen_recapture").fired


def test_refit_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDEN_DATA_DIR", str(tmp_path / "data"))
    store = open_store(Settings(data_dir=tmp_path / "data"))
    with store.engine.begin() as conn:
        _labels(conn)
    store.dispose()
    shown = CliRunner().invoke(app, ["kyc", "refit", "--json"])
    assert shown.exit_code == 0, shown.output
    out = json.loads(shown.output)
    assert out["diff"] == {"noise_inconsistency": {"from": 8, "to": 12.0}} and out["recorded"] is None
    recorded = CliRunner().invoke(app, ["kyc", "refit", "--record", "--actor", "mo", "--json"])
    assert json.loads(recorded.output)["recorded"] == "kyc-decision-config-1"
