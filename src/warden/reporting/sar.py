"""Suspicious-activity reports from true-positive cases: the report's content gathered from the case (subject
and KYC, the alerts' money events, the saved narrative, the reviewer and the approver), exported as goAML XML
(`reporting.goaml`) and as a FinCEN-SAR-shaped JSON record, and kept as a report record with a reference, a
status and a filing deadline (30 days from detection: the case's first alert) with a reminder when it nears.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from warden.access.roles import REVIEWER_ROLES, Actor
from warden.audit.log import append_audit
from warden.cases.errors import CaseError, Conflict, Forbidden
from warden.cases.narrative import saved_narrative
from warden.cases.records import as_utc, record_event, utcnow
from warden.cases.repository import get_case
from warden.events.tables import events
from warden.store.metadata import metadata

FILING_DAYS = 30  # from detection, the usual SAR clock (FinCEN: 30 calendar days after initial detection)
REMIND_DAYS = 7  # a report is "due soon" this close to its deadline
MONEY_TYPES = ("deposit", "withdrawal", "transfer")

sar_reports = sa.Table(
    "sar_reports",
    metadata,
    sa.Column("reference", sa.String(40), primary_key=True),
    sa.Column("case_id", sa.String(40), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, doc="draft | filed"),
    sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("filed_by", sa.String(64), nullable=True),
    sa.Column("filed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("content", sa.Text, nullable=False, doc="the report's content, JSON (ReportContent)"),
    sa.Index("ix_sar_reports_case", "case_id"),
)


@dataclass(frozen=True)
class Transaction:
    event_id: str
    type: str
    occurred_at: str
    amount: str
    asset: str
    amount_usd: str
    from_party: str
    to_party: str
    network: str = ""
    tx_hash: str = ""


@dataclass(frozen=True)
class ReportContent:
    reference: str
    case_id: str
    typologies: list[str]
    subject: dict[str, Any]  # customer id and KYC fields
    transactions: list[Transaction]
    narrative: str
    reviewer: str
    approver: str
    detected_at: str
    total_usd: str

    @staticmethod
    def from_json(text: str) -> ReportContent:
        raw = json.loads(text)
        raw["transactions"] = [Transaction(**t) for t in raw["transactions"]]
        return ReportContent(**raw)


def _kyc(conn: sa.Connection, customer_id: str) -> dict[str, Any]:
    payload = conn.execute(
        sa.select(events.c.payload)
        .where(events.c.customer_id == customer_id, events.c.type == "kyc_submission")
        .order_by(events.c.occurred_at.desc())
        .limit(1)
    ).scalar()
    return json.loads(payload) if payload else {}


def _transactions(conn: sa.Connection, event_ids: list[str]) -> list[Transaction]:
    rows = conn.execute(
        sa.select(events).where(events.c.event_id.in_(event_ids[:500]), events.c.type.in_(MONEY_TYPES))
    ).all()
    found = []
    for row in sorted(rows, key=lambda r: (as_utc(r.occurred_at), r.event_id)):
        p = json.loads(row.payload)
        me = f"customer:{row.customer_id}"
        source = {"deposit": p.get("from_address") or f"external:{p.get('channel', 'crypto')}"}.get(row.type, me)
        target = {"withdrawal": p.get("to_address"), "transfer": f"customer:{p.get('counterparty_id')}"}.get(
            row.type, me
        )
        found.append(
            Transaction(
                event_id=row.event_id,
                type=row.type,
                occurred_at=as_utc(row.occurred_at).isoformat().replace("+00:00", "Z"),
                amount=str(p.get("amount", "")),
                asset=str(p.get("asset", "")),
                amount_usd=str(Decimal(row.amount_usd or 0).quantize(Decimal("0.01"))),
                from_party=str(source),
                to_party=str(target or ""),
                network=str(p.get("network", "")),
                tx_hash=str(p.get("tx_hash", "")),
            )
        )
    return found


def _approver(case: dict[str, Any]) -> tuple[str, str]:
    """Who worked the case and who approved its true-positive close (or the report), from the proposals."""
    approved = [p for p in case["proposals"] if p["status"] == "approved"]
    if approved:
        return approved[-1]["proposed_by"], approved[-1]["decided_by"] or ""
    return case["assignee"] or "", ""


def build_report(conn: sa.Connection, case_id: str, reference: str) -> ReportContent:
    case = get_case(conn, case_id)
    if case["disposition"] != "true_positive_action_taken" and not any(
        p["action"] == "file_report" and p["status"] == "approved" for p in case["proposals"]
    ):
        raise CaseError(f"case {case_id} is not a true positive and has no approved report: nothing to report")
    customer = case["subject_customer"]
    event_ids = [e for a in case["alerts"] for e in a["event_ids"]]
    transactions = _transactions(conn, event_ids)
    narrative = saved_narrative(conn, case_id)
    if narrative is None:
        raise CaseError(f"case {case_id} has no saved narrative; a report needs one")
    reviewer, approver = _approver(case)
    detected = min(a["created_at"] for a in case["alerts"]) if case["alerts"] else case["created_at"]
    return ReportContent(
        reference=reference,
        case_id=case_id,
        typologies=sorted({a["typology"] for a in case["alerts"]}),
        subject={"customer_id": customer, **(_kyc(conn, customer) if customer else {})},
        transactions=transactions,
        narrative=narrative["text"],
        reviewer=reviewer,
        approver=approver,
        detected_at=detected,
        total_usd=str(sum((Decimal(t.amount_usd) for t in transactions), Decimal("0.00"))),
    )


def create_report(conn: sa.Connection, case_id: str, actor: Actor, now: datetime | None = None) -> str:
    """A draft report record from the case; one per case."""
    if actor.role not in REVIEWER_ROLES:
        raise Forbidden(f"{actor.name} ({actor.role}) cannot create reports")
    existing = conn.execute(sa.select(sar_reports.c.reference).where(sar_reports.c.case_id == case_id)).scalar()
    if existing:
        raise Conflict(f"case {case_id} already has report {existing}")
    now = now or utcnow()
    reference = f"SAR-{now:%Y%m%d}-{uuid.uuid4().hex[:8].upper()}"
    content = build_report(conn, case_id, reference)
    detected = datetime.fromisoformat(content.detected_at.replace("Z", "+00:00"))
    conn.execute(
        sa.insert(sar_reports).values(
            reference=reference,
            case_id=case_id,
            status="draft",
            detected_at=detected,
            deadline=detected + timedelta(days=FILING_DAYS),
            created_by=actor.name,
            created_at=now,
            content=json.dumps(asdict(content), sort_keys=True),
        )
    )
    record_event(conn, case_id, actor.name, "report_created", {"reference": reference}, now)
    return reference


def mark_filed(conn: sa.Connection, reference: str, actor: Actor, now: datetime | None = None) -> None:
    """The report was submitted to the FIU (seniors only)."""
    if not actor.is_senior:
        raise Forbidden(f"{actor.name} ({actor.role}) cannot mark reports filed; senior_analyst or admin can")
    now = now or utcnow()
    row = get_report(conn, reference)
    if row["status"] == "filed":
        raise Conflict(f"report {reference} is already filed")
    conn.execute(
        sa.update(sar_reports)
        .where(sar_reports.c.reference == reference)
        .values(status="filed", filed_by=actor.name, filed_at=now)
    )
    append_audit(conn, actor=actor.name, action="report.filed", subject=reference, after={"case_id": row["case_id"]})


def get_report(conn: sa.Connection, reference: str) -> dict[str, Any]:
    from warden.cases.errors import NotFound

    row = conn.execute(sa.select(sar_reports).where(sar_reports.c.reference == reference)).first()
    if row is None:
        raise NotFound(f"no report {reference!r}")
    return _report_dict(row, utcnow())


def _report_dict(row: sa.Row[Any], now: datetime) -> dict[str, Any]:
    deadline = as_utc(row.deadline)
    left = deadline - now
    return {
        **dict(row._mapping),
        "deadline": deadline,
        "detected_at": as_utc(row.detected_at),
        "days_left": left.days,
        "due_soon": row.status != "filed" and left <= timedelta(days=REMIND_DAYS),
        "overdue": row.status != "filed" and left < timedelta(0),
        "content": ReportContent.from_json(row.content),
    }


def list_reports(conn: sa.Connection, now: datetime | None = None) -> list[dict[str, Any]]:
    now = now or utcnow()
    rows = conn.execute(sa.select(sar_reports).order_by(sar_reports.c.deadline)).all()
    return [_report_dict(r, now) for r in rows]
