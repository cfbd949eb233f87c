"""The rule author's workbench: a rule's definition from its name, the ruleset editor with the type check as
you type (htmx posts the text; the loader's problems come back with line and column), a backtest on the stored
event history with per-rule precision and recall, the shadow-against-live comparison, and publication asked by
one person and approved by a second (`decisions.ruleset_requests`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from warden.access.users import User
from warden.cases.queues import default_queue_config
from warden.cases.records import utcnow
from warden.cases.rule_routes import RoutingError, queue_check, rule_queues
from warden.console.auth import ConsoleRefusal, console_router, console_user
from warden.console.templating import TEMPLATES
from warden.decisions.ruleset_requests import AUTHOR_ROLES, decide_publication, pending_requests, request_publication
from warden.decisions.rulesets import current, shadow_report
from warden.errors import DomainError
from warden.events.tables import labels
from warden.rules.errors import RulesetError
from warden.rules.loader import load_ruleset, starter_pack_path
from warden.rules.ruleset import Ruleset
from warden.web.errors import http_status

router = console_router(*AUTHOR_ROLES)
ROUTING = queue_check()  # queues.yaml read once, as the server does
MAX_TEXT = 500_000


def _engine(request: Request) -> sa.Engine:
    engine: sa.Engine = request.app.state.store.engine
    return engine


def _live(conn: sa.Connection) -> tuple[str, Ruleset]:
    published = current(conn, "live")
    text = published.content if published is not None else starter_pack_path().read_text()
    return text, load_ruleset(text)


def _check(text: str) -> dict[str, Any]:
    """The loader's type check, then where each rule's alerts would go (`cases.rule_routes`)."""
    try:
        ruleset = load_ruleset(text)
        ROUTING(ruleset)
    except RulesetError as exc:
        return {"ok": False, "problems": [str(p) for p in exc.problems]}
    except RoutingError as exc:
        return {"ok": False, "problems": exc.problems}
    return {"ok": True, "name": ruleset.name, "version": ruleset.version, "rules": len(ruleset.rules)}


def _editor(request: Request, user: User, text: str | None = None, error: str = "", status: int = 200) -> Response:
    with _engine(request).connect() as conn:
        live_text, _ = _live(conn)
        shadow = shadow_report(conn)
        requests = pending_requests(conn)
    body = live_text if text is None else text
    context = {
        "text": body,
        "check": _check(body),
        "shadow": shadow,
        "requests": requests,
        "error": error,
        "user": user,
    }
    return TEMPLATES.TemplateResponse(request, "rules_editor.html", context, status_code=status)


@router.get("/rules/editor", response_class=HTMLResponse)
def editor(request: Request, user: User = Depends(console_user(*AUTHOR_ROLES))) -> Response:
    return _editor(request, user)


@router.post("/rules/check", response_class=HTMLResponse)
def check(request: Request, text: str = Form("", max_length=MAX_TEXT)) -> Response:
    """The type check as you type: the editor's htmx posts the text after each pause."""
    return TEMPLATES.TemplateResponse(request, "_rules_check.html", {"check": _check(text)})


def _labels(conn: sa.Connection, frame_events: list[str], frame_customers: list[str]) -> dict[str, str] | None:
    """Event labels for the backtest: labelled events, and the events of labelled customers."""
    rows = conn.execute(sa.select(labels.c.entity_type, labels.c.entity_id, labels.c.label)).all()
    if not rows:
        return None
    by_event = {i: lab for t, i, lab in rows if t == "event"}
    by_customer = {i: lab for t, i, lab in rows if t == "customer"}
    found = {}
    for event_id, customer in zip(frame_events, frame_customers, strict=True):
        label = by_event.get(event_id) or by_customer.get(customer)
        found[event_id] = label or "normal"
    return found


@router.post("/rules/backtest", response_class=HTMLResponse)
def backtest(request: Request, text: str = Form("", max_length=MAX_TEXT)) -> Response:
    from warden.rules.backtest import backtest_frame, with_features
    from warden.rules.events_io import EventsInputError, read_events

    try:
        ruleset = load_ruleset(text)
    except RulesetError as exc:
        return TEMPLATES.TemplateResponse(
            request,
            "_rules_check.html",
            {"check": {"ok": False, "problems": [str(p) for p in exc.problems]}},
            status_code=422,
        )
    history = Path(request.app.state.settings.parquet_dir)
    try:
        frame = with_features(read_events(history))
    except EventsInputError as exc:
        return HTMLResponse(
            f'<p class="bad" id="backtest-error">No stored history to backtest on: {exc}</p>', status_code=422
        )
    with _engine(request).connect() as conn:
        event_labels = _labels(conn, frame["event_id"].to_list(), frame["customer_id"].to_list())
        _, live = _live(conn)
    result = backtest_frame(ruleset, frame, event_labels, against=live)
    return TEMPLATES.TemplateResponse(request, "_rules_backtest.html", {"b": result})


@router.post("/rules/request")
def ask_publication(
    request: Request,
    text: str = Form("", max_length=MAX_TEXT),
    target: str = Form("shadow"),
    user: User = Depends(console_user(*AUTHOR_ROLES)),
) -> Response:
    try:
        with _engine(request).begin() as conn:
            request_publication(conn, text, target, user.actor, utcnow(), [ROUTING])
    except RulesetError as exc:
        return _editor(
            request, user, text, "the ruleset does not check: " + "; ".join(str(p) for p in exc.problems), 422
        )
    except DomainError as exc:
        return _editor(request, user, text, str(exc), http_status(exc))
    return RedirectResponse("/rules/editor", status_code=303)


@router.post("/rules/requests/{request_id}/{verdict}")
def decide(
    request: Request, request_id: str, verdict: str, user: User = Depends(console_user(*AUTHOR_ROLES))
) -> Response:
    if verdict not in ("approve", "reject"):
        raise ConsoleRefusal(404, f"no such verdict {verdict!r}; approve or reject")
    try:
        with _engine(request).begin() as conn:
            decide_publication(conn, request_id, user.actor, verdict == "approve", utcnow(), [ROUTING])
    except DomainError as exc:
        return _editor(request, user, None, str(exc), http_status(exc))
    service = getattr(request.app.state, "decisions", None)
    if service is not None:
        service.refresh_rulesets()  # the engine of this worker picks the new version up now
    return RedirectResponse("/rules/editor", status_code=303)


@router.get("/rules/{rule_id}", response_class=HTMLResponse)
def rule_page(request: Request, rule_id: str) -> Response:
    with _engine(request).connect() as conn:
        _, live = _live(conn)
    rule = next((r for r in live.rules if r.id == rule_id), None)
    if rule is None:
        raise ConsoleRefusal(404, f"the live ruleset {live.name}@{live.version} has no rule {rule_id!r}")
    queue, why = rule_queues(live, default_queue_config())[rule.id]
    context = {"rule": rule, "ruleset": live, "queue": queue, "routing": why}
    return TEMPLATES.TemplateResponse(request, "rule.html", context)
