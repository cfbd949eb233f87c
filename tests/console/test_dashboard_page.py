"""/dashboard over a real store on both databases, signed in through /v1/session/login: the numbers shown are
the ones made in the store; who may see it."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from warden.access.roles import Actor
from warden.api.app import create_app
from warden.cases.alerts import CaseAlert, add_alert
from warden.cases.records import utcnow
from warden.cases.repository import transition
from warden.cases.staffing import add_user
from warden.settings import Settings
from warden.store.db import Store

PASSWORD = "correct horse battery"
USERS = [("ana", "analyst"), ("sam", "senior_analyst"), ("rita", "rule_author"), ("mo", "model_risk_officer")]


@pytest.fixture
def app(settings: Settings, store: Store) -> Any:
    with store.engine.begin() as conn:
        for name, role in USERS:
            add_user(conn, name, role, PASSWORD)
    return create_app(settings.model_copy(update={"secret_key": "test-secret"}), store)


def signed_in(app: Any, user: str) -> TestClient:
    client = TestClient(app)
    response = client.post("/v1/session/login", json={"username": user, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client


def cell(html: str, pattern: str) -> str:
    found = re.search(pattern, html, re.S)
    assert found, pattern
    return found.group(1)


def open_case(store: Store, n: int, age: timedelta, source: str, severity: str) -> str:
    alert = CaseAlert(
        alert_id=f"t:{n}",
        source=source,
        typology="fan_in" if source == "monitoring" else "big_withdrawal",
        customer_ids=[f"c{n}"],
        score=0.5,
        severity=severity,
        amount_usd=Decimal(500),
    )
    with store.engine.begin() as conn:
        return add_alert(conn, alert, now=utcnow() - age).case_id


def test_dashboard_shows_the_stores_open_overdue_and_closed_cases(app: Any, store: Store) -> None:
    hour, day = timedelta(hours=1), timedelta(days=1)
    # overdue now: aml medium (3 d SLA) opened 4 and 8 days ago, fraud high (24 h) opened 30 h ago
    overdue = [
        open_case(store, 1, 4 * day, "monitoring", "medium"),
        open_case(store, 2, 8 * day, "monitoring", "medium"),
        open_case(store, 3, 30 * hour, "decision", "high"),
    ]
    # in time: aml medium 2 h and 2 d old, fraud low (7 d) 5 d old
    for n, age, source, severity in [(4, 2 * hour, "monitoring", "medium"), (5, 2 * day, "monitoring", "medium")]:
        open_case(store, n, age, source, severity)
    open_case(store, 6, 5 * day, "decision", "low")
    # sam closes two cases today (one true, one false positive), one of them was overdue
    closed = [open_case(store, 7, 2 * hour, "decision", "medium"), open_case(store, 8, 9 * day, "monitoring", "medium")]
    sam = Actor("sam", "senior_analyst")
    with store.engine.begin() as conn:
        for case_id, disposition in zip(closed, ["true_positive_action_taken", "false_positive"], strict=True):
            transition(conn, case_id, sam, "in_review")
            transition(conn, case_id, sam, "closed", disposition=disposition)

    page = signed_in(app, "ana").get("/dashboard")
    assert page.status_code == 200
    html = page.text
    assert cell(html, r'id="open-total">([\d,]+)<') == "6"
    assert cell(html, r'id="overdue-total">([\d,]+)<') == str(len(overdue))
    assert cell(html, r'data-queue="aml">.*?class="num overdue[^"]*">(\d+)<') == "2"
    assert cell(html, r'data-queue="fraud">.*?class="num overdue[^"]*">(\d+)<') == "1"
    # the aml row: open 4, ages < 1 d: 1, 1-3 d: 1, 3-7 d: 1, > 7 d: 1
    aml_row = cell(html, r'(<tr data-queue="aml">.*?</tr>)')
    assert re.findall(r'class="num[^"]*">(\d+)<', aml_row) == ["4", "1", "1", "1", "1", "2"]
    for case_id in overdue:
        assert f'href="/cases/{case_id}"' in html
    assert cell(html, r'data-reviewer="sam">.*?class="num closed">(\d+)<') == "2"
    assert cell(html, r'id="closed-total">([\d,]+)<') == "2"
    assert "<svg" in html and 'aria-label="true-positive rate per rule"' in html
    # the budgets table: no decision yet, so the withdrawal rates have nothing to measure
    assert cell(html, r'data-budget="withdrawals held or stronger">.*?class="num">([^<]+)<') == "—"
    assert (
        cell(html, r'data-budget="withdrawals sent to review">.*?class="num">[^<]+</td>\s*<td class="num">([^<]+)<')
        == "5.00 %"
    )


def test_who_may_see_the_dashboard(app: Any) -> None:
    anonymous = TestClient(app).get("/dashboard", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=/dashboard"
    for user in ("ana", "sam", "mo"):
        assert signed_in(app, user).get("/dashboard").status_code == 200, user
    refused = signed_in(app, "rita").get("/dashboard")
    assert refused.status_code == 403 and "rule_author" in refused.text
    # the nav offers each page only to the roles it admits
    ana_nav = signed_in(app, "ana").get("/dashboard").text
    assert 'href="/dashboard"' in ana_nav and 'href="/rules/quality"' not in ana_nav
    rita_nav = signed_in(app, "rita").get("/rules/quality").text
    assert 'href="/rules/quality"' in rita_nav and 'href="/dashboard"' not in rita_nav
