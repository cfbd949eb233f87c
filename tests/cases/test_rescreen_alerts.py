"""New sanctions hits from re-screening after a list update open cases in the sanctions queue, once."""

from __future__ import annotations

import sqlalchemy as sa

from warden.cases.sources import alerts_from_rescreen
from warden.cases.tables import cases
from warden.screening.rescreen import RescreenAlert
from warden.store.db import Store


def test_rescreen_hits_open_sanctions_cases_once(store: Store) -> None:
    hit = RescreenAlert("cus-7", "Ivan Petrov", "12345", "ofac-sdn", 0.97, "PETROV, Ivan", {"name": 0.97})
    with store.engine.begin() as conn:
        first = alerts_from_rescreen(conn, [hit])
        again = alerts_from_rescreen(conn, [hit])
        rows = conn.execute(sa.select(cases.c.subject_customer, cases.c.queue, cases.c.severity)).all()
    assert first == {"alerts": 1, "new_cases": 1, "joined_cases": 0}
    assert again == {"alerts": 0, "new_cases": 0, "joined_cases": 0}
    assert [tuple(r) for r in rows] == [("cus-7", "sanctions", "critical")]
