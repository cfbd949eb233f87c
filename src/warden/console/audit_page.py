"""The audit page: the hash-chained audit log filtered by actor, action, subject and time, with links to the
subjects, exports (CSV, JSON Lines) of the same selection, and the chain's verification status."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from fastapi import Query, Request, Response
from fastapi.responses import HTMLResponse

from warden.audit.log import verify_chain
from warden.audit.tables import audit_log
from warden.console.auth import ConsoleRefusal, console_router
from warden.console.templating import TEMPLATES

router = console_router("senior_analyst", "model_risk_officer", "admin")
PAGE_ROWS = 200
EXPORT_ROWS = 100_000
COLUMNS = ("seq", "at", "actor", "action", "subject", "before", "after", "hash")


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""  # exact
    action: str = ""  # prefix: "case." is every case action
    subject: str = ""  # exact
    since: str = ""  # ISO date or date-time, UTC
    until: str = ""

    def where(self) -> list[sa.ColumnElement[bool]]:
        where: list[sa.ColumnElement[bool]] = []
        if self.actor:
            where.append(audit_log.c.actor == self.actor)
        if self.action:
            where.append(audit_log.c.action.startswith(self.action, autoescape=True))
        if self.subject:
            where.append(audit_log.c.subject == self.subject)
        for value, field, compare in ((self.since, "since", "ge"), (self.until, "until", "lt")):
            if value:
                try:
                    moment = datetime.fromisoformat(value).isoformat()
                except ValueError:
                    raise ConsoleRefusal(422, f"{field}: {value!r} is not an ISO date or date-time") from None
                where.append(audit_log.c.at >= moment if compare == "ge" else audit_log.c.at < moment)
        return where


def _rows(request: Request, filters: AuditFilters, limit: int) -> list[dict[str, Any]]:
    query = sa.select(audit_log).where(*filters.where()).order_by(audit_log.c.seq).limit(limit)
    with request.app.state.store.engine.connect() as conn:
        return [{c: getattr(r, c) for c in COLUMNS} for r in conn.execute(query)]


def _filters(actor: str, action: str, subject: str, since: str, until: str) -> AuditFilters:
    return AuditFilters(actor.strip(), action.strip(), subject.strip(), since.strip(), until.strip())


def subject_link(subject: str) -> str | None:
    """Where a subject lives in the console, when it has a page."""
    if subject.startswith("case_"):
        return f"/cases/{subject}"
    if subject.startswith("customer:"):
        return f"/customers/{subject.split(':', 1)[1]}"
    if subject.startswith("SAR-"):
        return f"/reports/{subject}"
    return None


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    actor: str = Query("", max_length=200),
    action: str = Query("", max_length=200),
    subject: str = Query("", max_length=500),
    since: str = Query("", max_length=40),
    until: str = Query("", max_length=40),
) -> Response:
    filters = _filters(actor, action, subject, since, until)
    rows = _rows(request, filters, PAGE_ROWS)
    with request.app.state.store.engine.connect() as conn:
        chain = verify_chain(conn)
    query = request.url.query
    context = {"rows": rows, "f": filters, "chain": chain, "query": query, "link": subject_link, "limit": PAGE_ROWS}
    return TEMPLATES.TemplateResponse(request, "audit.html", context)


@router.get("/audit.{fmt}")
def audit_export(
    request: Request,
    fmt: str,
    actor: str = Query("", max_length=200),
    action: str = Query("", max_length=200),
    subject: str = Query("", max_length=500),
    since: str = Query("", max_length=40),
    until: str = Query("", max_length=40),
) -> Response:
    if fmt not in ("csv", "jsonl"):
        raise ConsoleRefusal(404, f"no export as {fmt!r}; csv or jsonl")
    rows = _rows(request, _filters(actor, action, subject, since, until), EXPORT_ROWS)
    if fmt == "jsonl":
        body = "".join(json.dumps(r, sort_keys=True) + "\n" for r in rows)
        media = "application/x-ndjson"
    else:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        body, media = out.getvalue(), "text/csv"
    headers = {"Content-Disposition": f'attachment; filename="warden-audit.{fmt}"'}
    return Response(body, media_type=media, headers=headers)
