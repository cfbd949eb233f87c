"""The demo's KYC step: simulated customers verified end to end, a step-up passed by the customer, one attack
of each kind refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from warden.demo.kyc import SHARED_FACE, run_kyc_demo, summary
from warden.kyc.session_checks import build_session_checks
from warden.kyc.tables import kyc_sessions
from warden.settings import Settings
from warden.store.db import Store


@pytest.mark.slow
def test_demo_verifies_customers_and_refuses_each_attack(settings: Settings, sqlite_store: Store) -> None:
    results = run_kyc_demo(sqlite_store, settings.data_dir, build_session_checks(settings), seed=3, retention_days=90)
    outcomes = {label: outcome for label, outcome, _ in results}
    assert [o for label, o, _ in results if label == "genuine"] == ["approve"]
    assert outcomes["step-up: the customer"] == "approve"
    attacks = {label: o for label, o in outcomes.items() if label not in ("genuine", "step-up: the customer")}
    assert len(attacks) == 5 and "approve" not in attacks.values()
    reasons = {label: r for label, _, r in results}
    assert "viz_mrz_mismatch" in reasons["forged document (surname overwritten)"]
    assert "face_mismatch" in reasons["someone else's document (its portrait is not the selfie's face)"]
    assert any(r.startswith("frames_replayed") for r in reasons["step-up: an earlier capture replayed"])
    assert outcomes[SHARED_FACE] == "review" and "face_on_other_customer" in reasons[SHARED_FACE]
    assert "5/5 attacks refused" in summary(results)
    with sqlite_store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(kyc_sessions)).scalar_one() == 7
