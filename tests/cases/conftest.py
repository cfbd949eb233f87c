"""Helpers for the case tests: small alerts and users on a migrated store."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from warden.access.users import User
from warden.cases.alerts import AlertResult, CaseAlert, add_alert
from warden.cases.staffing import add_user
from warden.store.db import Store

PASSWORD = "correct horse battery"


def alert(
    n: int,
    customer: str = "cust-1",
    source: str = "monitoring",
    typology: str = "structuring",
    severity: str = "medium",
    score: float = 0.5,
    amount: str = "1000",
) -> CaseAlert:
    return CaseAlert(
        alert_id=f"test:{n}",
        source=source,
        typology=typology,
        customer_ids=[customer],
        score=score,
        severity=severity,
        amount_usd=Decimal(amount),
        event_ids=[f"evt-{n}"],
        evidence={"why": f"test alert {n}"},
    )


@pytest.fixture
def new_alert() -> Callable[..., CaseAlert]:
    return alert


@pytest.fixture
def ingest(store: Store) -> Callable[[CaseAlert], AlertResult]:
    def run(item: CaseAlert) -> AlertResult:
        with store.engine.begin() as conn:
            return add_alert(conn, item)

    return run


@pytest.fixture
def make_user(store: Store) -> Callable[..., User]:
    def run(name: str, role: str = "analyst", **kwargs: object) -> User:
        with store.engine.begin() as conn:
            return add_user(conn, name, role, PASSWORD, **kwargs)  # type: ignore[arg-type]

    return run
