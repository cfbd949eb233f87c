"""A newly trained model version serves only once a model-risk officer who did not train it approves it on the
Models page; until then the version approved before keeps serving. On SQLite and PostgreSQL, with the app's
own decision service (started by the TestClient's lifespan), so serving is checked where it happens."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import sqlalchemy as sa
from console_seed import PASSWORD, form_token, seed
from fastapi.testclient import TestClient

from warden.api.app import create_app
from warden.audit.tables import audit_log
from warden.models.approvals import save_for_approval
from warden.models.fraud import FraudModel
from warden.models.registry import DEFAULT_FRAUD_MODEL, active_version
from warden.settings import Settings
from warden.store.db import Store


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
