"""The rule author's workbench: a rule's definition, the type check, a backtest on the stored history, and
publication asked by one person and approved by a second."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from console_seed import form_token, seed, signed_in
from fastapi.testclient import TestClient

from warden.access.api_keys import create_api_key
from warden.api.app import create_app
from warden.decisions.rulesets import current
from warden.events.tables import labels
from warden.rules.loader import starter_pack_path
from warden.settings import Settings
from warden.store.db import Store


@pytest.fixture
def ids(store: Store, settings: Settings, tmp_path: Path) -> dict[str, str]:
    return seed(store, settings, tmp_path)


def test_rule_definition_check_backtest_and_four_eyes_publication(
    store: Store, settings: Settings, ids: dict[str, str]
) -> None:
    sam, root, ana = (signed_in(settings, store, u) for u in ("sam", "root", "ana"))
    page = sam.get("/rules/high_risk_nationality_kyc").text
    assert 'nationality in list("high_risk_countries")' in page.replace("&#34;", '"')
    assert re.search(r'id="rule-queue">kyc ', page)
    assert sam.get("/rules/no_such_rule").status_code == 404
    assert ana.get("/rules/editor").status_code == 403  # rule authors, seniors, admins

    token = form_token(sam, "/rules/editor")
    text = starter_pack_path().read_text()
    assert 'id="check-ok"' in sam.post("/rules/check", data={"text": text, "csrf_token": token}).text
    broken = text.replace("condition: nationality in", "condition: nationalty in", 1)
    problems = sam.post("/rules/check", data={"text": broken, "csrf_token": token}).text
    assert 'id="check-problems"' in problems and "nationalty" in problems and re.search(r"<code>\d+:\d+: ", problems)

    result = sam.post("/rules/backtest", data={"text": text, "csrf_token": token}).text
    assert "on 12 stored events (no labels stored: hits only)" in result and "high_risk_nationality_kyc" in result
    with store.engine.begin() as conn:  # cus-42 labelled: precision and recall per rule
        conn.execute(
            sa.insert(labels).values(entity_type="customer", entity_id="cus-42", label="fraud", source="review")
        )
    result = sam.post("/rules/backtest", data={"text": text, "csrf_token": token}).text
    assert "11 labelled positive" in result
    rows = re.findall(r'class="backtest-rule"><td><a href="/rules/(\w+)">.*?</tr>', result, re.S)
    assert len(rows) > 10 and re.search(r"precision [01]\.\d{3}", result)

    shadow = text.replace('version: "', 'version: "shadow-', 1)
    assert sam.post("/rules/request", data={"text": shadow, "target": "shadow", "csrf_token": token}).status_code == 303
    request_id = re.search(r"/rules/requests/(rreq_[0-9a-f]+)/approve", root.get("/rules/editor").text)
    assert request_id is not None
    assert "/approve" not in sam.get("/rules/editor").text.split('id="ruleset-requests"')[1]  # not for the asker
    own = sam.post(f"/rules/requests/{request_id.group(1)}/approve", data={"csrf_token": token})
    assert own.status_code == 403 and "four eyes" in own.text
    rtoken = form_token(root, "/rules/editor")
    assert root.post(f"/rules/requests/{request_id.group(1)}/approve", data={"csrf_token": rtoken}).status_code == 303
    with store.engine.connect() as conn:
        published = current(conn, "shadow")
        assert published is not None and published.version.startswith("shadow-")
        assert published.published_by == "sam, approved by root"
        actions = conn.execute(
            sa.text("SELECT actor, action FROM audit_log WHERE action LIKE 'ruleset.%' ORDER BY seq")
        ).all()
    assert [tuple(a) for a in actions] == [
        ("sam", "ruleset.publication_requested"),
        ("root", "ruleset.publication_approved"),
        ("sam, approved by root", "ruleset.publish.shadow"),
    ]


def test_a_ruleset_that_routes_a_kyc_rule_to_fraud_is_refused_as_typed_asked_and_published(
    store: Store, settings: Settings, ids: dict[str, str]
) -> None:
    text = starter_pack_path().read_text().replace("id: high_risk_nationality_kyc", "id: risky_nationality", 1)
    rita = signed_in(settings, store, "rita")
    token = form_token(rita, "/rules/editor")
    checked = rita.post("/rules/check", data={"text": text, "csrf_token": token}).text
    assert 'id="check-problems"' in checked and "rule risky_nationality is tagged kyc but routes to fraud" in checked
    asked = rita.post("/rules/request", data={"text": text, "target": "shadow", "csrf_token": token})
    assert asked.status_code == 422 and "risky_nationality" in asked.text
    with store.engine.begin() as conn:
        _, secret = create_api_key(conn, "backend", {"rules"}, actor="test")
    with TestClient(create_app(settings, store)) as api:
        published = api.post("/v1/rulesets?status=shadow", content=text, headers={"X-API-Key": secret})
    assert published.status_code == 422, published.text
    problems = published.json()["detail"][0]["ctx"]["problems"]
    wrong = r"line \d+: rule risky_nationality is tagged kyc but routes to fraud \(routing rule at queues.yaml:\d+ -> fraud\)"
    assert len(problems) == 1 and re.fullmatch(wrong, problems[0])  # no server path in it
    with store.engine.connect() as conn:
        assert current(conn, "shadow") is None
