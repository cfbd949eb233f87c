"""Console pages for reviewers: the queues (with take-next), the case list and the case page with its evidence,
notes, tags, transitions, reassignment and four-eyes proposals.

Pages read through warden.cases; every change goes through the same domain functions as /v1/cases, so the
timeline and the audit log record console actions exactly like API ones. Forms post back and redirect to the
page (post/redirect/get); a refused change re-renders the page with the domain's reason and its status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from warden.access.pii import sees_pii
from warden.access.roles import REVIEWER_ROLES, SENIOR_ROLES
from warden.access.users import User, list_users
from warden.cases.assignment import assign, take_next
from warden.cases.attachments import MAX_ATTACHMENT_BYTES, add_attachment, disk_store, list_attachments
from warden.cases.claim import claim
from warden.cases.closing import TRUE_POSITIVE_ACTIONS, check_close
from warden.cases.editing import narrative_versions, reopen, require_editable
from warden.cases.evidence import case_evidence
from warden.cases.model import DISPOSITIONS, FOUR_EYES_ACTIONS, OPEN_STATES, SEVERITIES, STATES
from warden.cases.narrative import save_narrative
from warden.cases.proposals import decide_proposal, propose
from warden.cases.queues import default_queue_config
from warden.cases.records import utcnow
from warden.cases.repository import add_note, get_case, load_case_row, set_tags, transition
from warden.console.auth import ConsoleRefusal, console_router, console_user
from warden.console.case_extras import case_aids, related_aid
from warden.console.case_queries import PAGE_SIZE, SORTS, CaseFilters, pending_proposals, queue_counts, search_cases
from warden.console.charts import contribution_bars
from warden.console.flow_grouping import group_leaves
from warden.console.pii_view import masked_case
from warden.console.templating import TEMPLATES
from warden.errors import Conflict, DomainError, NotFound
from warden.web.errors import http_status

router = console_router()  # every page needs a signed-in user
reviewer = console_user(*REVIEWER_ROLES)


def _engine(request: Request) -> sa.Engine:
    engine: sa.Engine = request.app.state.store.engine
    return engine


def _queues_page(request: Request, user: User, msg: str = "", status: int = 200) -> Response:
    with _engine(request).connect() as conn:
        counts = queue_counts(conn, utcnow())
        waiting = pending_proposals(conn, not_by=user.username) if user.role in SENIOR_ROLES else []
    context = {
        "queues": counts,
        "waiting": waiting,
        "msg": msg,
        "can_take": user.role in REVIEWER_ROLES and bool(user.skills),
    }
    return TEMPLATES.TemplateResponse(request, "queues.html", context, status_code=status)


@router.get("/queues", response_class=HTMLResponse)
def queues_page(request: Request, user: User = Depends(console_user())) -> Response:
    return _queues_page(request, user)


@router.post("/queues/take-next", response_class=HTMLResponse)
def take_next_case(request: Request, user: User = Depends(reviewer)) -> Response:
    """Lock the highest-priority open case of the reviewer's queues to them and open it."""
    try:
        case_id = take_next(_engine(request), user.username)
    except DomainError as exc:  # at capacity, no queue, the queue busy: say so on the queues page
        return _queues_page(request, user, str(exc), http_status(exc))
    if case_id is None:
        return _queues_page(request, user, "Nothing to take: your queues have no open, unassigned case.")
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request,
    queue: str = Query("", max_length=32),
    state: str = Query("", max_length=16),
    severity: str = Query("", max_length=16),
    assignee: str = Query("", max_length=64),
    overdue: str = Query("", max_length=3),
    tag: str = Query("", max_length=64),
    q: str = Query("", max_length=128),
    sort: str = Query("", max_length=16),
    mine: str = Query("", max_length=3),
    page: int = Query(1, ge=1, le=100_000),
    msg: str = Query("", max_length=500),
    user: User = Depends(console_user()),
) -> Response:
    if mine == "yes":  # "my cases": the signed-in reviewer's, open ones unless a state is chosen
        assignee = user.username
    filters = CaseFilters(queue, state, severity, assignee, overdue, tag, q, sort).checked()
    with _engine(request).connect() as conn:
        rows, total = search_cases(conn, filters, utcnow(), page)
        assignees = [u.username for u in list_users(conn) if u.role in REVIEWER_ROLES]
    given = {k: v for k, v in vars(filters).items() if k != "errors" and v}
    pages = max(1, -(-total // PAGE_SIZE))
    context = {
        "rows": rows,
        "total": total,
        "page": page,
        "pages": pages,
        "filters": filters,
        "prev_url": "/cases?" + urlencode({**given, "page": page - 1}) if page > 1 else "",
        "next_url": "/cases?" + urlencode({**given, "page": page + 1}) if page < pages else "",
        "queues": list(default_queue_config().queues),
        "states": STATES,
        "severities": SEVERITIES,
        "assignees": assignees,
        "sorts": list(SORTS),
        "mine": mine == "yes",
        "is_senior": user.role in SENIOR_ROLES,
        "msg": msg,
        "now": utcnow(),
        "dispositions": [d for d in DISPOSITIONS if d != "true_positive_action_taken"],
    }
    return TEMPLATES.TemplateResponse(request, "cases.html", context, status_code=422 if filters.errors else 200)


@router.post("/cases/bulk")
def cases_bulk(
    request: Request,
    case_ids: list[str] = Form(default_factory=list),
    bulk_action: str = Form(...),
    assignee: str = Form(""),
    disposition: str = Form(""),
    reason: str = Form("", max_length=2000),
    user: User = Depends(console_user(*SENIOR_ROLES)),
) -> Response:
    """Seniors assign or close many cases at once; each goes through the same domain checks as one at a time
    (a true positive is never closed in bulk: its action needs four eyes), and every case is told apart."""
    if bulk_action not in ("assign", "close") or not case_ids:
        raise ConsoleRefusal(422, "choose cases and an action (assign or close)")
    done, refused = 0, []
    for case_id in case_ids[:PAGE_SIZE]:
        try:
            with _engine(request).begin() as conn:
                if bulk_action == "assign":
                    assign(conn, case_id, user.actor, assignee or None, reason=reason)
                else:
                    if check_close(disposition, "", reason) != "close":
                        raise ConsoleRefusal(422, "bulk close takes no action")
                    transition(conn, case_id, user.actor, "closed", disposition=disposition, reason=reason)
            done += 1
        except DomainError as exc:
            refused.append(f"{case_id}: {exc}")
    msg = f"{bulk_action}: {done} done" + (f"; refused {len(refused)}: " + " | ".join(refused[:5]) if refused else "")
    return RedirectResponse("/cases?" + urlencode({"state": "all", "msg": msg}), status_code=303)


def _case_context(conn: sa.Connection, case_id: str, user: User) -> dict[str, Any]:
    case = get_case(conn, case_id)
    evidence = case_evidence(conn, case_id)
    aids = case_aids(conn, case_id)
    if not sees_pii(user.role):
        evidence, aids = masked_case(evidence, aids)
    senior = user.role in SENIOR_ROLES
    pending = [p for p in case["proposals"] if p["status"] == "pending"]
    # A customer with many addresses: the graph folds the small leaf addresses into one node per hub.
    evidence = replace(evidence, fund_flow=group_leaves(evidence.fund_flow))
    return {
        "case": case,
        "ev": evidence,
        "chart": contribution_bars(evidence.contributions),
        "pending": pending,
        # Four eyes: a senior may decide a proposal, never their own (the domain refuses it as well).
        "decidable": {p["proposal_id"] for p in pending if senior and p["proposed_by"] != user.username},
        "can_work": case["state"] != "closed" and (senior or case["assignee"] == user.username),
        "can_claim": case["state"] != "closed"
        and case["assignee"] is None
        and user.role in REVIEWER_ROLES
        and case["queue"] in user.skills,
        # Past its SLA now, whether or not the SLA sweep has flagged it yet.
        "overdue": case["state"] in OPEN_STATES and datetime.fromisoformat(case["sla_due_at"]) < utcnow(),
        "is_senior": senior,
        "reviewers": [u.username for u in list_users(conn) if u.active and case["queue"] in u.skills],
        "dispositions": DISPOSITIONS,
        "close_actions": TRUE_POSITIVE_ACTIONS,
        "customer_actions": FOUR_EYES_ACTIONS,
        "attachments": list_attachments(conn, case_id),
        "narratives": narrative_versions(conn, case_id),
        "can_edit": case["state"] != "closed" and (senior or case["assignee"] == user.username),
        **aids,
    }


def _case_page(request: Request, case_id: str, user: User, error: str = "", status: int = 200) -> Response:
    with _engine(request).connect() as conn:
        try:
            context = _case_context(conn, case_id, user)
        except NotFound as exc:
            raise ConsoleRefusal(404, str(exc)) from None
    context["error"] = error
    return TEMPLATES.TemplateResponse(request, "case.html", context, status_code=status)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, user: User = Depends(console_user())) -> Response:
    return _case_page(request, case_id, user)


@router.get("/cases/{case_id}/related", response_class=HTMLResponse)
def related_fragment(request: Request, case_id: str) -> Response:
    """The related-cases box, which the case page loads after it is shown."""
    with _engine(request).connect() as conn:
        try:
            load_case_row(conn, case_id)
        except NotFound as exc:
            raise ConsoleRefusal(404, str(exc)) from None
        related = related_aid(conn, case_id)
    return TEMPLATES.TemplateResponse(request, "_related.html", {"related": related})


def _apply(request: Request, case_id: str, user: User, change: Callable[[sa.Connection], object]) -> Response:
    """Run one change in a transaction; back to the case page, or the page again with the refusal."""
    try:
        with _engine(request).begin() as conn:
            change(conn)
    except DomainError as exc:
        return _case_page(request, case_id, user, error=str(exc), status=http_status(exc))
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


def _note(conn: sa.Connection, case_id: str, user: User, text: str) -> None:
    """Anyone who may read an open case may annotate it; a closed one is read-only."""
    if load_case_row(conn, case_id).state == "closed":
        raise Conflict(f"case {case_id} is closed and read-only; a senior analyst can reopen it")
    add_note(conn, case_id, user.actor, text)


@router.post("/cases/{case_id}/notes", response_class=HTMLResponse)
def note_add(request: Request, case_id: str, text: str = Form(""), user: User = Depends(reviewer)) -> Response:
    if request.headers.get("HX-Request") != "true":
        return _apply(request, case_id, user, lambda conn: _note(conn, case_id, user, text))
    # htmx: answer with the refreshed timeline (and the reason when the note was refused).
    error, status = "", 200
    try:
        with _engine(request).begin() as conn:
            _note(conn, case_id, user, text)
    except DomainError as exc:
        error, status = str(exc), http_status(exc)
    with _engine(request).connect() as conn:
        case = get_case(conn, case_id)
    return TEMPLATES.TemplateResponse(
        request, "_timeline.html", {"case": case, "note_error": error}, status_code=status
    )


@router.post("/cases/{case_id}/tags")
def tags_set(request: Request, case_id: str, tags: str = Form(""), user: User = Depends(reviewer)) -> Response:
    wanted = tags.replace(";", ",").split(",")

    def change(conn: sa.Connection) -> None:
        require_editable(conn, case_id, user.actor, "change the tags")
        set_tags(conn, case_id, user.actor, wanted)

    return _apply(request, case_id, user, change)


@router.post("/cases/{case_id}/transition")
def transition_add(
    request: Request,
    case_id: str,
    to: str = Form(...),
    disposition: str = Form(""),
    action: str = Form("", max_length=32),
    reason: str = Form("", max_length=2000),
    user: User = Depends(reviewer),
) -> Response:
    if to == "closed":
        return _close(request, case_id, user, disposition, action, reason)
    return _apply(
        request,
        case_id,
        user,
        lambda conn: transition(conn, case_id, user.actor, to, disposition=disposition or None, reason=reason),
    )


def _close(request: Request, case_id: str, user: User, disposition: str, action: str, reason: str) -> Response:
    """A close by hand: a reason always; a true positive's action closes now (no action) or is proposed."""
    try:
        how = check_close(disposition, action, reason)
    except DomainError as exc:
        return _case_page(request, case_id, user, error=str(exc), status=http_status(exc))

    def change(conn: sa.Connection) -> None:
        if how == "propose":
            propose(conn, case_id, user.actor, "close_with_action", customer_action=action, reason=reason)
        elif how == "report":
            propose(conn, case_id, user.actor, "file_report", reason=reason)
        else:
            chosen = action or None
            transition(conn, case_id, user.actor, "closed", disposition=disposition, action=chosen, reason=reason)

    return _apply(request, case_id, user, change)


@router.post("/cases/{case_id}/assign")
def assign_case(
    request: Request,
    case_id: str,
    assignee: str = Form(""),
    reason: str = Form("", max_length=2000),
    user: User = Depends(reviewer),
) -> Response:
    # Analysts are let through so the domain's refusal (seniors only) is what they read.
    return _apply(
        request, case_id, user, lambda conn: assign(conn, case_id, user.actor, assignee or None, reason=reason)
    )


@router.post("/cases/{case_id}/claim")
def claim_case(request: Request, case_id: str, user: User = Depends(reviewer)) -> Response:
    """An unassigned case taken by the reviewer looking at it (their queue, under their capacity)."""
    return _apply(request, case_id, user, lambda conn: claim(conn, case_id, user.actor))


@router.post("/cases/{case_id}/proposals")
def proposal_add(
    request: Request,
    case_id: str,
    action: str = Form("close_with_action"),
    customer_action: str = Form(""),
    reason: str = Form("", max_length=2000),
    user: User = Depends(reviewer),
) -> Response:
    return _apply(
        request,
        case_id,
        user,
        lambda conn: propose(conn, case_id, user.actor, action, customer_action=customer_action or None, reason=reason),
    )


@router.post("/cases/{case_id}/proposals/{proposal_id}/{verdict}")
def proposal_decide(
    request: Request,
    case_id: str,
    proposal_id: str,
    verdict: str,
    reason: str = Form("", max_length=2000),
    user: User = Depends(reviewer),
) -> Response:
    if verdict not in ("approve", "reject"):
        raise ConsoleRefusal(404, f"no such verdict {verdict!r}; approve or reject")

    def change(conn: sa.Connection) -> None:
        if proposal_id not in {p["proposal_id"] for p in get_case(conn, case_id)["proposals"]}:
            raise NotFound(f"case {case_id} has no proposal {proposal_id!r}")
        # The domain checks four eyes (a senior, not the proposer); a forged POST gets its refusal as a 403 page.
        decide_proposal(conn, proposal_id, user.actor, approve=verdict == "approve", reason=reason)

    return _apply(request, case_id, user, change)


@router.post("/cases/{case_id}/narrative")
def narrative_save(request: Request, case_id: str, text: str = Form(""), user: User = Depends(reviewer)) -> Response:
    def change(conn: sa.Connection) -> None:
        require_editable(conn, case_id, user.actor, "edit the narrative")
        save_narrative(conn, case_id, user.actor, text)

    return _apply(request, case_id, user, change)


@router.post("/cases/{case_id}/reopen")
def case_reopen(
    request: Request, case_id: str, reason: str = Form("", max_length=2000), user: User = Depends(reviewer)
) -> Response:
    return _apply(request, case_id, user, lambda conn: reopen(conn, case_id, user.actor, reason))


@router.post("/cases/{case_id}/attachments")
async def attachment_add(
    request: Request, case_id: str, file: UploadFile = File(...), user: User = Depends(reviewer)
) -> Response:
    data = await file.read(MAX_ATTACHMENT_BYTES + 1)  # one byte over is enough for the domain to refuse it
    blobs = disk_store(request.app.state.settings.data_dir)
    name, content_type = file.filename or "attachment", file.content_type or "application/octet-stream"

    def change(conn: sa.Connection) -> None:
        require_editable(conn, case_id, user.actor, "attach files")
        add_attachment(conn, blobs, case_id, user.actor, name, data, content_type)

    return await run_in_threadpool(_apply, request, case_id, user, change)
