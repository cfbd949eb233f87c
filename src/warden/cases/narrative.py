"""The drafted narrative of a suspicious activity report: who, what, when, how much, why suspicious.

`draft_narrative` writes it from the case's evidence with a fixed template (the same case gives the same
text), so it is reproducible and every sentence traces to a stored fact. `rewrite_narrative` can hand the
draft to an OpenAI-compatible chat-completions endpoint for smoother prose; it is off unless `WARDEN_LLM_URL`
is set, and on any failure the draft stays and the error is said. The reviewer's edited text is saved on
the case with `save_narrative` (timeline + audit), and `saved_narrative` reads the latest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import sqlalchemy as sa

from warden.access.roles import Actor
from warden.cases.errors import CaseError
from warden.cases.records import as_utc, record_event, utcnow
from warden.cases.repository import load_case_row
from warden.cases.tables import case_alerts, case_timeline, cases
from warden.events.tables import events
from warden.settings import Settings

MAX_NARRATIVE_CHARS = 50_000
MAX_EVENTS_LISTED = 25
_SYSTEM_PROMPT = (
    "You edit suspicious activity report narratives for a crypto exchange's compliance team. Rewrite the draft "
    "into clear, formal prose for a financial intelligence unit. Keep every fact, figure, date, identifier and "
    "address exactly as given; add nothing that is not in the draft. Answer with the narrative only."
)


def _day(value: datetime) -> str:
    return as_utc(value).strftime("%Y-%m-%d %H:%M UTC")


def _usd(value: Decimal | float | str) -> str:
    return f"{Decimal(str(value)):,.2f} USD"


def _kyc(conn: sa.Connection, customer: str) -> dict[str, Any] | None:
    row = conn.execute(
        sa.select(events.c.payload, events.c.occurred_at)
        .where(events.c.customer_id == customer, events.c.type == "kyc_submission")
        .order_by(events.c.occurred_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    payload: dict[str, Any] = json.loads(row.payload)
    payload["_at"] = as_utc(row.occurred_at)
    return payload


def _who(conn: sa.Connection, customer: str | None) -> str:
    if customer is None:
        return "Subject: no exchange customer (the alerts concern addresses only)."
    kyc = _kyc(conn, customer)
    if kyc is None:
        return f"Subject: customer {customer}; no KYC submission is on record."
    parts = [f"Subject: customer {customer}, {kyc.get('full_name', 'name not given')}"]
    if kyc.get("date_of_birth"):
        parts.append(f"born {kyc['date_of_birth']}")
    if kyc.get("nationality"):
        parts.append(f"nationality {kyc['nationality']}")
    document = kyc.get("document_type")
    if document:
        parts.append(f"identified by {document.replace('_', ' ')} {kyc.get('document_number', '')}".rstrip())
    parts.append(f"onboarded {_day(kyc['_at'])}")
    return ", ".join(parts) + "."


def _event_lines(
    conn: sa.Connection, event_ids: list[str], subject: str | None
) -> tuple[list[str], list[datetime], set[str], int]:
    """One line per event other than logins (oldest first), the events' times, the crypto addresses they name,
    and how many logins there were."""
    if not event_ids:
        return [], [], set(), 0
    rows = conn.execute(
        sa.select(
            events.c.event_id,
            events.c.type,
            events.c.customer_id,
            events.c.occurred_at,
            events.c.amount_usd,
            events.c.payload,
        )
        .where(events.c.event_id.in_(event_ids[:500]))
        .order_by(events.c.occurred_at, events.c.event_id)
    ).all()
    lines: list[str] = []
    times: list[datetime] = []
    addresses: set[str] = set()
    logins = 0  # counted, not listed: they are context, the money and account changes are the story
    for row in rows:
        payload = json.loads(row.payload)
        # Crypto addresses only: a KYC submission's `address` is a postal one.
        keys = ("address",) if row.type == "address_book_change" else ("to_address", "from_address")
        addresses.update(payload[k] for k in keys if payload.get(k))
        times.append(as_utc(row.occurred_at))
        if row.type == "login":
            logins += 1
            continue
        what = f"- {_day(row.occurred_at)}: {row.type.replace('_', ' ')} {row.event_id}"
        if row.customer_id != subject:  # a ring alert's events include other members' moves
            what += f" by customer {row.customer_id}"
        if payload.get("amount") and payload.get("asset"):
            what += f" of {payload['amount']} {payload['asset']}"
        if row.amount_usd is not None:
            what += f" ({_usd(row.amount_usd)})"
        if payload.get("network"):
            what += f" on {payload['network']}"
        if row.type == "withdrawal" and payload.get("to_address"):
            what += f" to {payload['to_address']}"
        if row.type == "deposit" and payload.get("from_address"):
            what += f" from {payload['from_address']}"
        if row.type == "address_book_change" and payload.get("address"):
            what += f" ({payload.get('action', 'change')} {payload['address']})"
        if row.type == "transfer" and payload.get("counterparty_id"):
            what += f" to customer {payload['counterparty_id']}"
        lines.append(what)
    return lines, times, addresses, logins


def _why(alert: sa.Row[Any]) -> list[str]:
    evidence = json.loads(alert.evidence)
    reasons: list[str] = []
    if alert.source == "decision":
        outcome = evidence.get("outcome", "review")
        reasons += [f"{r} (decision: {outcome})" for r in evidence.get("reasons") or []]
        if not reasons:
            reasons.append(f"rule {alert.typology} (decision: {outcome})")
    elif alert.source == "monitoring":
        reasons.append(f"transaction monitoring, typology {alert.typology}: {evidence.get('explanation', '')}".rstrip())
    else:
        listed = evidence.get("list", "a sanctions list")
        name = evidence.get("matched_alias") or evidence.get("full_name", "")
        reasons.append(f"screening: name matched {name!r} on {listed} (score {evidence.get('score', alert.score)})")
    return reasons


def draft_narrative(conn: sa.Connection, case_id: str) -> str:
    """A deterministic SAR draft from the case's stored evidence."""
    case = load_case_row(conn, case_id)
    alerts = conn.execute(
        sa.select(case_alerts).where(case_alerts.c.case_id == case_id).order_by(case_alerts.c.created_at)
    ).all()
    event_ids = list(dict.fromkeys(e for a in alerts for e in json.loads(a.event_ids)))
    typologies = sorted({a.typology for a in alerts})
    sources = sorted({a.source for a in alerts})
    lines, times, event_addresses, logins = _event_lines(conn, event_ids, case.subject_customer)
    addresses = sorted({x for a in alerts for x in json.loads(a.addresses)} | event_addresses)
    total = sum((Decimal(a.amount_usd) for a in alerts), Decimal(0))
    when = (
        f"between {_day(min(times))} and {_day(max(times))}"
        if len(times) > 1
        else (f"on {_day(times[0])}" if times else f"as alerted on {_day(case.created_at)}")
    )
    reasons = list(dict.fromkeys(r for a in alerts for r in _why(a)))
    paragraphs = [
        f"Suspicious activity report - draft for case {case_id} (severity {case.severity}, queue {case.queue}).",
        _who(conn, case.subject_customer),
        (
            f"What: {len(alerts)} alert{'s' if len(alerts) != 1 else ''} from {', '.join(sources)} "
            f"({', '.join(typologies)}) concerning {len(event_ids)} event{'s' if len(event_ids) != 1 else ''} "
            f"{when}, for a total of {_usd(total)}."
        ),
    ]
    if lines:
        shown = lines[:MAX_EVENTS_LISTED]
        more = f"\n- ... and {len(lines) - len(shown)} more events" if len(lines) > len(shown) else ""
        login_line = f"\n- {logins} login{'s' if logins != 1 else ''} in the same period (not listed)" if logins else ""
        paragraphs.append("Activity:\n" + "\n".join(shown) + more + login_line)
    if addresses:
        paragraphs.append("Addresses involved: " + ", ".join(addresses) + ".")
    paragraphs.append("Why suspicious:\n" + "\n".join(f"- {r}" for r in reasons))
    paragraphs.append(
        "This draft was generated from the case evidence by Warden; the reviewer confirms or corrects each "
        "statement before filing."
    )
    return "\n\n".join(paragraphs)


@dataclass(frozen=True)
class Rewrite:
    text: str  # the rewritten narrative, or the draft unchanged when the rewrite failed or is off
    rewritten: bool
    model: str | None = None
    error: str | None = None


def _chat_url(url: str) -> str:
    url = url.rstrip("/")
    return url if url.endswith("/chat/completions") else url + "/chat/completions"


def rewrite_narrative(text: str, settings: Settings) -> Rewrite:
    """Ask the configured chat-completions endpoint to polish `text`; never raises, never required."""
    if not settings.llm_url:
        return Rewrite(text, False, error="no LLM configured (set WARDEN_LLM_URL to enable rewriting)")
    headers = {"Authorization": f"Bearer {settings.llm_api_key}"} if settings.llm_api_key else {}
    body = {
        "model": settings.llm_model,
        "temperature": 0,
        "messages": [{"role": "system", "content": _SYSTEM_PROMPT}, {"role": "user", "content": text}],
    }
    try:
        response = httpx.post(_chat_url(settings.llm_url), json=body, headers=headers, timeout=settings.llm_timeout_s)
        response.raise_for_status()
        content = response.json()["choices"][0]["message"]["content"]
    except httpx.HTTPStatusError as exc:
        return Rewrite(text, False, error=f"the LLM endpoint answered HTTP {exc.response.status_code}; draft kept")
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
        return Rewrite(text, False, error=f"the LLM rewrite failed ({type(exc).__name__}: {exc}); draft kept")
    if not isinstance(content, str) or not content.strip():
        return Rewrite(text, False, error="the LLM endpoint returned no text; draft kept")
    return Rewrite(content.strip(), True, model=settings.llm_model)


def save_narrative(
    conn: sa.Connection, case_id: str, actor: Actor, text: str, now: datetime | None = None
) -> dict[str, Any]:
    """Keep the reviewer's narrative on the case: a timeline entry (and audit record) with the full text."""
    text = text.strip()
    if not text:
        raise CaseError("a narrative needs some text")
    if len(text) > MAX_NARRATIVE_CHARS:
        raise CaseError(f"a narrative is at most {MAX_NARRATIVE_CHARS} characters; this one has {len(text)}")
    now = now or utcnow()
    load_case_row(conn, case_id, lock=True)
    before = saved_narrative(conn, case_id)
    conn.execute(sa.update(cases).where(cases.c.case_id == case_id).values(updated_at=now))
    detail = {"text": text, "chars": len(text)}
    record_event(conn, case_id, actor.name, "narrative", detail, now, before=before and {"text": before["text"]})
    return {"case_id": case_id, "saved_by": actor.name, "saved_at": now.isoformat(), "chars": len(text)}


def saved_narrative(conn: sa.Connection, case_id: str) -> dict[str, Any] | None:
    """The latest saved narrative with who saved it and when; None when nobody has saved one."""
    row = conn.execute(
        sa.select(case_timeline)
        .where(case_timeline.c.case_id == case_id, case_timeline.c.kind == "narrative")
        .order_by(case_timeline.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return {"text": json.loads(row.detail)["text"], "saved_by": row.actor, "saved_at": as_utc(row.at).isoformat()}
