"""Which cases hold a monitoring alert: its case alerts are `monitoring:<alert id>#<sighting>` (one per time
the ring was seen with new evidence), so one monitoring alert can sit in several cases over time."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from warden.cases.tables import case_alerts, cases

_CHUNK = 200


@dataclass(frozen=True)
class CaseLink:
    case_id: str
    state: str
    disposition: str | None


def monitoring_alert_cases(conn: sa.Connection, alert_ids: list[str]) -> dict[str, list[CaseLink]]:
    """For each monitoring alert id, the distinct cases holding one of its sightings, oldest first."""
    found: dict[str, list[CaseLink]] = {}
    ids = sorted(set(alert_ids))
    for start in range(0, len(ids), _CHUNK):
        prefixes = [f"monitoring:{alert_id}#%" for alert_id in ids[start : start + _CHUNK]]
        query = (
            sa.select(case_alerts.c.alert_id, cases.c.case_id, cases.c.state, cases.c.disposition)
            .select_from(case_alerts.join(cases, cases.c.case_id == case_alerts.c.case_id))
            .where(case_alerts.c.source == "monitoring", sa.or_(*[case_alerts.c.alert_id.like(p) for p in prefixes]))
            .order_by(cases.c.created_at, cases.c.case_id)
        )
        for case_alert_id, case_id, state, disposition in conn.execute(query):
            alert_id = case_alert_id.removeprefix("monitoring:").rsplit("#", 1)[0]
            links = found.setdefault(alert_id, [])
            if all(link.case_id != case_id for link in links):
                links.append(CaseLink(case_id, state, disposition))
    return found
