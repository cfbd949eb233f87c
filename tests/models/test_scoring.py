"""Single-row scoring: the fast path equals LightGBM's predict; reasons are SHAP values; the scorer's risk scale."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from tests.simulated import simulated

from warden.features.catalog import FEATURE_NAMES
from warden.features.online import InProcessFeatureStore
from warden.models.dataset import load_withdrawals
from warden.models.fraud import FraudModel
from warden.models.registry import DEFAULT_FRAUD_MODEL, load_active_scorer, load_fraud_model
from warden.models.scorer import FraudScorer
from warden.models.train import feature_matrix, train_fraud
from warden.settings import Settings


@pytest.fixture(scope="module")
def model(dataset: Path) -> FraudModel:
    return train_fraud(load_withdrawals(dataset), rounds=60)


def test_fast_single_row_matches_booster(model: FraudModel, dataset: Path) -> None:
    frame = load_withdrawals(dataset).frame
    rows = frame.to_dicts()[:300]
    expected = model.booster.predict(feature_matrix(frame[:300], model.features))
    for row, want in zip(rows, expected, strict=True):
        score, reasons = model.probability_with_reasons(row, explain=True)
        assert score == pytest.approx(want, abs=1e-12)
        raw = float(model.contributions(row).sum())
        assert 1 / (1 + math.exp(-raw)) == pytest.approx(want, abs=1e-12)
        default_reasons = model.probability_with_reasons(row)[1]
        assert default_reasons == (reasons if score >= model.explain_from else [])
        weights = [r.contribution for r in reasons]
        assert weights == sorted(weights, reverse=True) and all(w > 0 for w in weights) and len(weights) <= 5
    full = model.booster.predict(feature_matrix(frame[:1], model.features), pred_contrib=True)[0]
    assert 1 / (1 + math.exp(-full.sum())) == pytest.approx(expected[0], abs=1e-12)


def test_takeover_reasons_name_the_signals(model: FraudModel, dataset: Path) -> None:
    frame = load_withdrawals(dataset).frame
    ato = frame.filter(frame["typology"] == "account_takeover").to_dicts()
    top = {r.feature for row in ato for r in model.probability_with_reasons(row, explain=True)[1][:3]}
    assert top & {"is_new_device", "device_age_hours", "hours_since_new_device_login", "is_new_address",
                  "address_age_hours", "hours_since_credential_change", "is_new_country",
                  "amount_usd_to_avg_withdrawal_30d", "device_distinct_customers_30d"}  # fmt: skip


def test_scorer_risk_scale_anchors(model: FraudModel) -> None:
    scorer = FraudScorer(model)
    review, hold = model.thresholds["review"], model.thresholds["hold"]
    assert scorer.risk_of(review) == pytest.approx(0.6)
    if hold > review:
        assert scorer.risk_of(hold) == pytest.approx(0.9)
    assert scorer.risk_of(float(np.nextafter(hold, 1.0))) >= 0.9
    assert scorer.risk_of(0.0) == 0.0 and scorer.risk_of(1.0) == 1.0
    grid = np.linspace(0, 1, 101)
    assert all(np.diff([scorer.risk_of(p) for p in grid]) >= 0)


def test_scorer_explains_from_the_challenge_cut_off(model: FraudModel, dataset: Path) -> None:
    scorer = FraudScorer(model)
    rows = load_withdrawals(dataset).frame.to_dicts()
    results = [scorer.risk(row) for row in rows]
    assert any(risk >= 0.9 for risk, _ in results)
    assert all(reasons == [] for risk, reasons in results if risk < 0.4)  # allowed: no SHAP cost
    explained = [reasons for risk, reasons in results if risk >= 0.9]
    assert explained and all(reasons for reasons in explained)  # a hold always says why
    for reasons in explained:
        assert set(reasons[0]) == {"feature", "value", "contribution"} and reasons[0]["contribution"] > 0


def test_packaged_default_loads_and_scores_online_features(tmp_path: Path) -> None:
    model = load_fraud_model()
    # the packaged model may predate newer catalogue features; it scores with the ones it was trained on
    assert set(model.features) <= set(FEATURE_NAMES) and model.meta["metrics"]["test"]["pr_auc"] is not None
    assert (DEFAULT_FRAUD_MODEL / "model.txt").exists()
    store = InProcessFeatureStore()
    scored = []
    for event in simulated(41, days=30).events:
        features = store.features_for(event)
        store.update(event)
        if event.type == "withdrawal":
            scored.append(model.probability_with_reasons(features)[0])
    assert scored and all(0.0 <= s <= 1.0 for s in scored)
    scorer = load_active_scorer(Settings(data_dir=tmp_path / "empty"))
    assert scorer.version == model.version and scorer.event_types == frozenset({"withdrawal"})


def test_concurrent_scoring_gives_the_same_answers(model: FraudModel, dataset: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    rows = load_withdrawals(dataset).frame.to_dicts()[:400]
    expected = [model.probability_with_reasons(row, explain=True) for row in rows]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda row: model.probability_with_reasons(row, explain=True), rows))
    assert got == expected
