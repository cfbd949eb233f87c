"""Suspicious-activity reports in the console: create one from a true-positive case, the list with deadlines
and reminders, one report's page, its goAML XML (checked before it is served) and FinCEN-SAR-shaped JSON, and
marking it filed (seniors)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from warden.access.roles import REVIEWER_ROLES, SENIOR_ROLES
from warden.access.users import User
from warden.cases.records import utcnow
from warden.console.auth import ConsoleRefusal, console_router, console_user
from warden.console.templating import TEMPLATES
from warden.errors import DomainError, NotFound
from warden.reporting.goaml import fincen_sar, goaml_xml, validate_goaml
from warden.reporting.sar import create_report, get_report, list_reports, mark_filed
from warden.web.errors import http_status

router = console_router(*REVIEWER_ROLES)
RENTITY_ID = "warden-exchange"  # the reporting entity's goAML id; an FIU assigns it at registration


def _engine(request: Request) -> sa.Engine:
    engine: sa.Engine = request.app.state.store.engine
    return engine


def _report(request: Request, reference: str) -> dict[str, Any]:
    with _engine(request).connect() as conn:
        try:
            return get_report(conn, reference)
        except NotFound as exc:
            raise ConsoleRefusal(404, str(exc)) from None


@router.post("/cases/{case_id}/report")
def report_create(request: Request, case_id: str, user: User = Depends(console_user(*REVIEWER_ROLES))) -> Response:
    try:
        with _engine(request).begin() as conn:
            reference = create_report(conn, case_id, user.actor)
    except DomainError as exc:
        raise ConsoleRefusal(http_status(exc), str(exc)) from None
    return RedirectResponse(f"/reports/{reference}", status_code=303)


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request) -> Response:
    with _engine(request).connect() as conn:
        reports = list_reports(conn)
    return TEMPLATES.TemplateResponse(request, "reports.html", {"reports": reports})


@router.get("/reports/{reference}.xml")
def report_xml(request: Request, reference: str) -> Response:
    report = _report(request, reference)
    xml = goaml_xml(report["content"], RENTITY_ID, utcnow())
    problems = validate_goaml(xml)
    if problems:  # never hand out a report that does not check
        raise ConsoleRefusal(500, "the goAML export does not check: " + "; ".join(problems))
    headers = {"Content-Disposition": f'attachment; filename="{reference}.goaml.xml"'}
    return Response(xml, media_type="application/xml", headers=headers)


@router.get("/reports/{reference}.json")
def report_json(request: Request, reference: str) -> Response:
    report = _report(request, reference)
    record = fincen_sar(report["content"], RENTITY_ID)
    headers = {"Content-Disposition": f'attachment; filename="{reference}.fincen-sar.json"'}
    return Response(json.dumps(record, indent=2), media_type="application/json", headers=headers)


@router.get("/reports/{reference}", response_class=HTMLResponse)
def report_page(request: Request, reference: str, user: User = Depends(console_user())) -> Response:
    report = _report(request, reference)
    problems = validate_goaml(goaml_xml(report["content"], RENTITY_ID, utcnow()))
    context = {"r": report, "problems": problems, "is_senior": user.role in SENIOR_ROLES}
    return TEMPLATES.TemplateResponse(request, "report.html", context)


@router.post("/reports/{reference}/filed")
def report_filed(request: Request, reference: str, user: User = Depends(console_user(*SENIOR_ROLES))) -> Response:
    try:
        with _engine(request).begin() as conn:
            mark_filed(conn, reference, user.actor)
    except DomainError as exc:
        raise ConsoleRefusal(http_status(exc), str(exc)) from None
    return RedirectResponse(f"/reports/{reference}", status_code=303)
