"""A newly trained model version serves only once a model-risk officer who did not train it approves it on the
Models page; until then the version approved before keeps serving. On SQLite and PostgreSQL, with the app's
own decision service (started by the TestClient's lifespan), so serving is checked where it happens."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from console_seed import PASSWORD, form_token, seed, triage_model
from fastapi.testclient import TestClient

from warden.api.app import create_app
from warden.audit.tables import audit_log
from warden.cases.tables import cases
from warden.models.approvals import save_for_approval
from warden.models.fraud import FraudModel
from warden.models.registry import DEFAULT_FRAUD_MODEL, active_version
from warden.settings import Settings
from warden.store.db import Store
from warden.triage.approval import save_for_approval as save_triage_for_approval
from warden.triage.model import load_prioritiser


def _retrained(version: str) -> FraudModel:
    """The packaged model's trees under a new version: a real model, without training one in the test."""
    packaged = FraudModel.load(DEFAULT_FRAUD_MODEL)
    meta = copy.deepcopy(packaged.meta) | {"version": version, "trained_at": "2026-12-01T10:00:00+00:00"}
    return FraudModel(packaged.booster, meta)


def _client(app: object, username: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)  # type: ignore[arg-type]
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 303
    return client


def _model_actions(store: Store) -> list[tuple[str, str, str]]:
    with store.engine.connect() as conn:
        query = sa.select(audit_log.c.actor, audit_log.c.action, audit_log.c.subject).order_by(audit_log.c.seq)
        return [tuple(r) for r in conn.execute(query) if r.action.startswith("model.")]  # type: ignore[misc]


def test_a_new_version_serves_only_after_a_second_person_approves_it(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    seed(store, settings, tmp_path)
    data_dir = Path(settings.data_dir)
    with TestClient(create_app(settings, store)) as running:  # the lifespan builds the decision service
        app = running.app
        service = app.state.decisions  # type: ignore[attr-defined]
        packaged = service.engine.model.version
        save_for_approval(store.engine, _retrained("2026.12.1"), data_dir, trained_by="mo")
        assert active_version(data_dir) is None  # trained, not serving: the packaged default still serves
        service.refresh_model()
        assert service.engine.model.version == packaged

        mo, sam, root = _client(app, "mo"), _client(app, "sam"), _client(app, "root")
        home = root.get("/").text  # the admin's home lists it among the approvals waiting
        assert 'id="home-approvals">1<' in home and "serve fraud model" in home and "2026.12.1" in home
        page = mo.get("/models").text
        assert "waiting for approval" in page and "you trained it" in page and "approve-model" not in page
        token = form_token(mo, "/models")
        refused = mo.post("/models/2026.12.1/approve", data={"reason": "looks fine", "csrf_token": token})
        assert refused.status_code == 403 and "four eyes" in refused.text
        sam_token = form_token(sam, "/models")  # a senior analyst sees the models but does not approve them
        assert sam.post("/models/2026.12.1/approve", data={"reason": "ok", "csrf_token": sam_token}).status_code == 403
        assert "approve-model" in root.get("/models").text
        token = form_token(root, "/models")
        no_reason = root.post("/models/2026.12.1/approve", data={"reason": " ", "csrf_token": token})
        assert no_reason.status_code == 422 and "a reason is needed" in no_reason.text
        assert active_version(data_dir) is None and service.engine.model.version == packaged

        reason = "PR-AUC 0.81 on the test month, thresholds as before"
        approved = root.post("/models/2026.12.1/approve", data={"reason": reason, "csrf_token": token})
        assert approved.status_code == 303 and approved.headers["location"] == "/models"
        assert active_version(data_dir) == "2026.12.1"
        assert service.engine.model.version == "2026.12.1"  # this worker serves it from the next decision
        page = root.get("/models").text
        assert 'id="model-2026.12.1"><td><code>2026.12.1</code></td>\n<td><span class="ok">serving</span>' in page
        assert "approved by root" in page and reason in page

        # The next version is rejected: the approved one keeps serving.
        save_for_approval(store.engine, _retrained("2026.12.2"), data_dir, trained_by="mo")
        rejected = root.post("/models/2026.12.2/reject", data={"reason": "recall fell", "csrf_token": token})
        assert rejected.status_code == 303
        again = root.post("/models/2026.12.2/approve", data={"reason": "changed my mind", "csrf_token": token})
        assert again.status_code == 409 and "already rejected" in again.text
        service.refresh_model()
        assert active_version(data_dir) == "2026.12.1" and service.engine.model.version == "2026.12.1"

    assert _model_actions(store) == [
        ("mo", "model.trained", "fraud@2026.12.1"),
        ("root", "model.approved", "fraud@2026.12.1"),
        ("mo", "model.trained", "fraud@2026.12.2"),
        ("root", "model.rejected", "fraud@2026.12.2"),
    ]


def test_models_page_is_for_model_risk_senior_and_admin(store: Store, settings: Settings, tmp_path: Path) -> None:
    seed(store, settings, tmp_path)
    app = create_app(settings, store)
    assert _client(app, "ana").get("/models").status_code == 403
    page = _client(app, "mo").get("/models").text
    assert "(packaged default)" in page and "shipped" in page and '<span class="ok">serving</span>' in page
    assert _client(app, "ana").post("/models/x/approve", data={"reason": "x"}).status_code == 403


@pytest.mark.parametrize("verdict", ["promote"])
def test_an_unknown_verdict_is_a_404_page(store: Store, settings: Settings, tmp_path: Path, verdict: str) -> None:
    seed(store, settings, tmp_path)
    root = _client(create_app(settings, store), "root")
    token = form_token(root, "/models")
    response = root.post(f"/models/2026.12.1/{verdict}", data={"reason": "x", "csrf_token": token})
    assert response.status_code == 404


def _open_case_versions(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        reasons = conn.execute(sa.select(cases.c.priority_reasons).where(cases.c.state != "closed")).scalars()
        return {str(json.loads(r).get("version") or json.loads(r).get("triage")) for r in reasons}


def test_a_new_triage_model_orders_the_queue_only_after_a_second_person_approves_it(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    seed(store, settings, tmp_path)
    data_dir = Path(settings.data_dir)
    first, second = "triage-20261201T100000Z-aaaa0001", "triage-20261202T100000Z-bbbb0002"
    app = create_app(settings, store)
    mo, sam, root = _client(app, "mo"), _client(app, "sam"), _client(app, "root")
    assert "No triage model trained yet" in mo.get("/models").text

    save_triage_for_approval(store.engine, triage_model(first), data_dir, trained_by="mo")
    assert active_version(data_dir, "triage") is None and load_prioritiser(data_dir).model is None
    assert not any(v.startswith("triage@") for v in _open_case_versions(store))  # the rules still order it
    page = mo.get("/models").text
    triage_part = page[page.index('id="triage-models"') :]
    assert f'id="model-{first}"' in triage_part and "waiting for approval" in triage_part
    assert "you trained it" in triage_part and "approve-model" not in triage_part
    assert "/data/exchange-a/events.jsonl; 200 cases" in triage_part and "recorded 200" in triage_part
    assert "captured top 20 0.61" in triage_part and "baseline top 20 0.34" in triage_part
    assert "none is approved: the rule-based priority orders the queue" in page
    home = root.get("/").text
    assert "serve triage model" in home and first in home

    token = form_token(mo, "/models")
    refused = mo.post(f"/models/triage/{first}/approve", data={"reason": "fine", "csrf_token": token})
    assert refused.status_code == 403 and "four eyes" in refused.text
    sam_token = form_token(sam, "/models")
    assert (
        sam.post(f"/models/triage/{first}/approve", data={"reason": "ok", "csrf_token": sam_token}).status_code == 403
    )
    token = form_token(root, "/models")
    assert f'action="/models/triage/{first}/approve"' in root.get("/models").text
    assert root.post(f"/models/triage/{first}/approve", data={"reason": " ", "csrf_token": token}).status_code == 422
    unknown = root.post("/models/scoring/x/approve", data={"reason": "x", "csrf_token": token})
    assert unknown.status_code == 404
    assert active_version(data_dir, "triage") is None

    reason = "captures 61 % of true positives in the top fifth against 34 % by alert score"
    approved = root.post(f"/models/triage/{first}/approve", data={"reason": reason, "csrf_token": token})
    assert approved.status_code == 303
    assert active_version(data_dir, "triage") == first
    assert _open_case_versions(store) == {f"triage@{first}"}  # the open queue re-scored with it at once
    page = root.get("/models").text
    triage_part = page[page.index('id="triage-models"') :]
    assert '<span class="ok">serving</span>' in triage_part and "approved by root" in triage_part
    assert reason in triage_part and "none is approved" not in page
    assert active_version(data_dir) is None  # the fraud model's pointer did not move

    save_triage_for_approval(store.engine, triage_model(second), data_dir, trained_by="mo")
    rejected = root.post(f"/models/triage/{second}/reject", data={"reason": "fewer cases", "csrf_token": token})
    assert rejected.status_code == 303
    assert active_version(data_dir, "triage") == first and _open_case_versions(store) == {f"triage@{first}"}
    assert _model_actions(store) == [
        ("mo", "model.trained", f"triage@{first}"),
        ("root", "model.approved", f"triage@{first}"),
        ("mo", "model.trained", f"triage@{second}"),
        ("root", "model.rejected", f"triage@{second}"),
    ]
