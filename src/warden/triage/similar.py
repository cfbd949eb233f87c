"""Similar past cases: the nearest closed cases on the triage features, with what reviewers concluded."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa

from warden.cases.repository import load_case_row
from warden.cases.tables import case_alerts, cases
from warden.triage.features import ALERT_FEATURES, case_features

MAX_CANDIDATES = 5000  # the most recently closed cases compared
# What the case is about and the customer's own history; the network features are left out (costly, and two
# cases of one ring are related, not similar).
SIMILARITY_FEATURES: tuple[str, ...] = (
    *ALERT_FEATURES,
    "account_age_days",
    "deposits",
    "withdrawals",
    "transfers_out",
    "log_deposit_usd",
    "log_withdrawal_usd",
    "withdrawn_share_of_deposits",
    "devices",
    "ips",
    "login_countries",
)


@dataclass(frozen=True)
class SimilarCase:
    """A closed case near this one. `distance` is Euclidean on standardised case features (0 = same features);
    `typologies` are its alerts' rules and typologies."""

    case_id: str
    customer_id: str | None
    disposition: str | None
    distance: float
    severity: str
    typologies: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def similar_cases(conn: sa.Connection, case_id: str, k: int = 5) -> list[SimilarCase]:
    """The `k` nearest closed cases (excluding this one) on standardised `SIMILARITY_FEATURES`."""
    load_case_row(conn, case_id)  # NotFound for an unknown case
    closed = conn.execute(
        sa.select(cases.c.case_id, cases.c.subject_customer, cases.c.disposition, cases.c.severity)
        .where(cases.c.state == "closed", cases.c.case_id != case_id)
        .order_by(cases.c.closed_at.desc())
        .limit(MAX_CANDIDATES)
    ).all()
    if not closed or k < 1:
        return []
    ids = [case_id] + [r.case_id for r in closed]
    rows = case_features(conn, ids, network=False)
    x = np.array([[rows[c].get(f, np.nan) for f in SIMILARITY_FEATURES] for c in ids], dtype=np.float64)
    # Missing values take the column median; each column is scaled to unit spread so no unit dominates.
    medians = np.nanmedian(np.where(np.isnan(x).all(axis=0), 0.0, x), axis=0)
    x = np.where(np.isnan(x), medians, x)
    spread = x.std(axis=0)
    x = (x - x.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    distances = np.sqrt(((x[1:] - x[0]) ** 2).sum(axis=1))
    order = np.argsort(distances, kind="stable")[:k]
    chosen = [closed[i] for i in order]
    typologies: dict[str, set[str]] = {r.case_id: set() for r in chosen}
    query = sa.select(case_alerts.c.case_id, case_alerts.c.typology).where(case_alerts.c.case_id.in_(list(typologies)))
    for found_id, typology in conn.execute(query):
        typologies[found_id].add(typology)
    return [
        SimilarCase(
            case_id=row.case_id,
            customer_id=row.subject_customer,
            disposition=row.disposition,
            distance=round(float(distances[i]), 4),
            severity=row.severity,
            typologies=sorted(typologies[row.case_id]),
        )
        for i, row in zip(order.tolist(), chosen, strict=True)
    ]
