"""1:N search inside sessions: a live face that matched its document is searched against every verified
customer's face; the same face on another customer sends the session to review, links the customers (the
identity graph's face evidence, the review case's alert) and a reviewer's approval makes a face searchable."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.kyc.session_client import PASSWORD, Backend, kyc_app

from warden.access.roles import Actor
from warden.cases.kyc_review import record_review
from warden.cases.tables import case_alerts, cases
from warden.kyc import face_search
from warden.kyc.documents import dataset
from warden.kyc.liveness import synth
from warden.kyc.repository import open_session
from warden.settings import Settings
from warden.store.db import Store, open_store


def _verify(backend: Backend, sample: dataset.Sample, customer: str, seed: int) -> dict[str, Any]:
    opened = backend.open(sample, customer_id=customer)
    backend.upload_document(opened["session_id"], sample)
    backend.upload_capture(opened["session_id"], synth.genuine_capture(opened["challenge"], seed=seed))
    return backend.submit(opened["session_id"])


def test_two_customers_with_one_face(settings: Settings, store: Store) -> None:
    app, key = kyc_app(settings, store)
    backend = Backend(app, key)
    # two passports of two different identities, both carrying the one face Warden may ship
    first = _verify(backend, dataset.genuine_with_face(7, 0), "cus-a", seed=3)
    assert first["outcome"] == "approve", first["reasons"]
    assert first["evidence"]["face_search"] == {"searched": 0, "hits": []}
    assert first["versions"]["decision_config"] == "kyc-decision-config-0"  # the shipped thresholds

    second = _verify(backend, dataset.genuine_with_face(7, 2), "cus-b", seed=4)
    assert second["outcome"] == "review"
    assert "face_on_other_customer" in second["reasons"]
    search = second["evidence"]["face_search"]
    assert search["searched"] == 1
    [hit] = search["hits"]
    assert hit["customer_id"] == "cus-a" and hit["session_id"] == first["session_id"] and hit["distance"] < 0.6
    # the link is the identity graph's own: a face agreement weighed log2(m / FMR) bits
    assert hit["link"]["customers"] == ["cus-a", "cus-b"]
    assert [g["attribute"] for g in hit["link"]["shared"]] == ["face"] and hit["link"]["bits"] > 9
    with store.engine.connect() as conn:
        alert = conn.execute(
            sa.select(case_alerts).where(case_alerts.c.alert_id == f"kyc:{second['session_id']}")
        ).one()
    assert json.loads(alert.customer_ids) == ["cus-b", "cus-a"]  # the review case links both customers
    assert alert.case_id == second["case_id"]
    reviewer = TestClient(app, follow_redirects=False)
    assert reviewer.post("/login", data={"username": "ana", "password": PASSWORD, "next": "/"}).status_code == 303
    page = reviewer.get(f"/kyc/{second['session_id']}").text  # the reviewer sees the link among the ring links
    assert "same live face" in page and first["session_id"] in page

    # the same customer verifying again is not a hit on itself; cus-b, still in review, is not searched yet
    again = _verify(backend, dataset.genuine_with_face(7, 0), "cus-a", seed=5)
    assert again["outcome"] == "approve" and again["evidence"]["face_search"] == {"searched": 1, "hits": []}

    # a reviewer approves cus-b (twins, say): the verdict closes the case and cus-b's face joins the gallery
    with store.engine.begin() as conn:
        done = record_review(conn, second["session_id"], Actor("ana", "analyst"), "approve", "twin of cus-a, checked")
    assert done["case_closed"] and done["case_id"] == second["case_id"]
    with store.engine.connect() as conn:
        case = conn.execute(sa.select(cases).where(cases.c.case_id == second["case_id"])).one()
    assert case.state == "closed" and case.disposition == "false_positive"

    third = _verify(backend, dataset.genuine_with_face(7, 4), "cus-c", seed=6)
    assert third["outcome"] == "review"
    assert {h["customer_id"] for h in third["evidence"]["face_search"]["hits"]} == {"cus-a", "cus-b"}


def test_gallery_holds_verified_faces_only_and_follows_the_table(sqlite_store: Store) -> None:
    rng = np.random.default_rng(5)
    faces = rng.normal(0, 1 / 16, (4, 128)).astype(np.float32)
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    with sqlite_store.engine.begin() as conn:
        sids = []
        for i, customer in enumerate(["a", "b", "c", "d"]):
            challenge = {"nonce": f"n{i}"}
            sid = open_session(conn, customer, {}, challenge, actor="t", now=now).session_id
            face_search.record_face(conn, sid, customer, faces[i], "m", verified=customer != "d", now=now)
            sids.append(sid)
        near_b = faces[1] + 0.01
        hits, searched = face_search.search_verified(conn, "x", near_b)
        assert searched == 3 and [h.customer_id for h in hits] == ["b"]
        assert face_search.search_verified(conn, "b", near_b)[0] == []  # one's own face is no hit
        assert face_search.search_verified(conn, "x", faces[3] + 0.01)[0] == []  # d is not verified
        assert face_search.mark_verified(conn, sids[3], now + dt.timedelta(minutes=1))
        assert not face_search.mark_verified(conn, sids[3], now)  # once
        hits, searched = face_search.search_verified(conn, "x", faces[3] + 0.01)
        assert searched == 4 and [h.customer_id for h in hits] == ["d"]
        conn.execute(sa.delete(face_search.kyc_faces).where(face_search.kyc_faces.c.customer_id == "d"))
        assert face_search.search_verified(conn, "x", faces[3] + 0.01) == ([], 3)  # read whole again


def test_verified_faces_feed_the_identity_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One graph: the faces the sessions' 1:N search holds are exported to `warden kyc rings --faces`."""
    from tests.kyc.population import population, write_events
    from typer.testing import CliRunner

    from warden.cli import app

    monkeypatch.setenv("WARDEN_DATA_DIR", str(tmp_path / "data"))
    store = open_store(Settings(data_dir=tmp_path / "data"))
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    with store.engine.begin() as conn:
        for i, customer in enumerate(["cu_000050", "cu_000051", "cu_000052"]):
            sid = open_session(conn, customer, {}, {"nonce": f"n{i}"}, actor="t", now=now).session_id
            face = np.full(128, 0.05 if i < 2 else -0.05, np.float32)
            face_search.record_face(conn, sid, customer, face, "m", verified=customer != "cu_000052", now=now)
    store.dispose()
    out = tmp_path / "faces.npz"
    exported = CliRunner().invoke(app, ["kyc", "faces-export", "--out", str(out), "--actor", "mo"])
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.output)["faces"] == 2  # verified ones only
    rows, _ = population()
    rows[50]["date_of_birth"], rows[51]["date_of_birth"] = "1985-02-10", "1985-02-11"
    events = write_events(tmp_path / "events.jsonl", rows)
    result = CliRunner().invoke(app, ["kyc", "rings", "--events", str(events), "--faces", str(out), "--json"])
    assert result.exit_code == 0, result.output
    ring = next(r for r in json.loads(result.stdout)["rings"] if "cu_000050" in r["customers"])
    assert "cu_000051" in ring["customers"] and "face" in ring["shared_attributes"]
