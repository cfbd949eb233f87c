"""`warden users ...` and `warden cases ...`: people and roles, and the case queue from the command line."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import typer

from warden.access.roles import ROLES
from warden.access.users import list_users
from warden.cases.assignment import sweep, take_next
from warden.cases.related import related_cases
from warden.cases.repository import get_case, list_cases
from warden.cases.sources import alerts_from_decisions, alerts_from_monitoring
from warden.cases.staffing import add_user
from warden.cli.common import fail, print_json, settings_or_exit
from warden.errors import DomainError
from warden.store.db import Store, open_store
from warden.triage.feedback import disposition_labels, rule_precision, write_labels_csv
from warden.triage.similar import similar_cases

users_app = typer.Typer(help="People who sign in to the console and API, and their roles.", no_args_is_help=True)
cases_app = typer.Typer(help="Cases: alerts grouped per customer, queues, assignment, SLA.", no_args_is_help=True)


def _store() -> Store:
    return open_store(settings_or_exit())


@users_app.command("add")
def users_add(
    name: str = typer.Argument(..., help="the username, e.g. 'ana'"),
    role: str = typer.Option(..., help=", ".join(ROLES)),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from stdin"),
    skill: list[str] = typer.Option([], help="a queue the user may work (repeat); default: by role"),
    capacity: int = typer.Option(20, help="most open cases held at once"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Add a user; the password is hashed with argon2 and never stored or printed."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    store = _store()
    try:
        with store.engine.begin() as conn:
            user = add_user(conn, name, role, password, skills=skill or None, capacity=capacity, actor="cli")
    except DomainError as exc:
        fail(str(exc))
    if as_json:
        print_json(user.as_dict())
    else:
        typer.echo(f"added {user.username} ({user.role}); queues: {', '.join(user.skills) or 'none'}")


@users_app.command("list")
def users_list(as_json: bool = typer.Option(False, "--json")) -> None:
    with _store().engine.connect() as conn:
        people = [u.as_dict() for u in list_users(conn)]
    if as_json:
        print_json(people)
        return
    for person in people:
        typer.echo(f"{person['username']:<20} {person['role']:<20} {','.join(person['skills'])}")


def _case_line(case: dict[str, Any]) -> str:
    flag = " OVERDUE" if case["overdue"] else ""
    who = case["assignee"] or "-"
    return (
        f"{case['case_id']}  {case['state']:<9} {case['severity']:<8} {case['queue']:<10} "
        f"p={case['priority']:<7} {who:<12} {case['subject_customer'] or '-'}{flag}"
    )


@cases_app.command("list")
def cases_list(
    state: str | None = typer.Option(None),
    queue: str | None = typer.Option(None),
    severity: str | None = typer.Option(None),
    assignee: str | None = typer.Option(None),
    overdue: bool | None = typer.Option(None, "--overdue/--not-overdue"),
    limit: int = typer.Option(100),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Cases, highest priority first."""
    try:
        with _store().engine.connect() as conn:
            found = list_cases(
                conn, state=state, queue=queue, severity=severity, assignee=assignee, overdue=overdue, limit=limit
            )
    except DomainError as exc:
        fail(str(exc))
    if as_json:
        print_json(found)
        return
    for case in found:
        typer.echo(_case_line(case))


@cases_app.command("show")
def cases_show(case_id: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """One case with its alerts and timeline."""
    try:
        with _store().engine.connect() as conn:
            case = get_case(conn, case_id)
    except DomainError as exc:
        fail(str(exc))
    if as_json:
        print_json(case)
        return
    typer.echo(_case_line(case))
    for entry in case["timeline"]:
        typer.echo(f"  {entry['at']}  {entry['actor']:<18} {entry['kind']:<18} {entry['detail']}")


@cases_app.command("from-decisions")
def cases_from_decisions(as_json: bool = typer.Option(False, "--json")) -> None:
    """Turn stored decisions at review or stronger into alerts and cases (safe to repeat)."""
    _cases_from(alerts_from_decisions, as_json)


@cases_app.command("from-monitoring")
def cases_from_monitoring(as_json: bool = typer.Option(False, "--json")) -> None:
    """Turn stored monitoring alerts (new ones and new sightings) into case alerts (safe to repeat)."""
    _cases_from(alerts_from_monitoring, as_json)


def _cases_from(source: Callable[[sa.Connection], dict[str, int]], as_json: bool) -> None:
    """Feed one source's alerts into cases, then re-score the open queue with the triage model."""
    store = _store()
    with store.engine.begin() as conn:
        counts = source(conn)
    counts["rescored_by_triage_model"] = _rescore(store)
    if as_json:
        print_json(counts)
    else:
        typer.echo(f"{counts['alerts']} new alerts: {counts['new_cases']} new cases, {counts['joined_cases']} joined")


def _rescore(store: Store) -> int:
    """Score open cases with the active triage model, if one is trained (new cases open rule-prioritised)."""
    from warden.triage.model import rescore_with_active_model

    with store.engine.begin() as conn:
        return rescore_with_active_model(conn, settings_or_exit().data_dir)


@cases_app.command("sweep")
def cases_sweep(as_json: bool = typer.Option(False, "--json")) -> None:
    """Flag open cases past their SLA, refresh priorities (the triage model when trained, else rules) and
    check the budgets (a breach goes on the audit log once a day)."""
    from warden.cases.queues import default_queue_config
    from warden.cases.records import utcnow
    from warden.reporting.budgets import check_budgets
    from warden.triage.model import load_prioritiser

    settings = settings_or_exit()
    prioritiser = load_prioritiser(settings.data_dir)
    with _store().engine.begin() as conn:
        counts = sweep(conn, prioritiser=prioritiser)
        counts["budgets_breached_now"] = check_budgets(conn, settings, default_queue_config(), utcnow())
    if as_json:
        print_json(counts)
    else:
        typer.echo(f"{counts['flagged_overdue']} newly overdue, {counts['reprioritised']} reprioritised")


@cases_app.command("take-next")
def cases_take_next(username: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Lock the highest-priority open case of USERNAME's queues to them."""
    try:
        case_id = take_next(_store().engine, username)
    except DomainError as exc:
        fail(str(exc))
    if as_json:
        print_json({"case_id": case_id, "assignee": username if case_id else None})
    else:
        typer.echo(case_id or "no open case in your queues")


@cases_app.command("labels")
def cases_labels(
    out: Path = typer.Option(..., "--out", dir_okay=False, help="where to write labels.csv"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Closed dispositions as the contract's labels.csv (true positive: the source's label; false positive:
    normal), for `warden train fraud --labels` and other trainers."""
    with _store().engine.connect() as conn:
        items = disposition_labels(conn)
    written = write_labels_csv(items, out)
    result = {"labels": written, "path": str(out)}
    print_json(result) if as_json else typer.echo(f"{written} labels from closed cases -> {out}")


@cases_app.command("rule-precision")
def cases_rule_precision(as_json: bool = typer.Option(False, "--json")) -> None:
    """Per rule / typology / detector: alerts, cases, closed cases by disposition, precision."""
    with _store().engine.connect() as conn:
        stats = [r.as_dict() for r in rule_precision(conn)]
    if as_json:
        print_json(stats)
        return
    for r in stats:
        precision = "-" if r["precision"] is None else f"{r['precision']:.2f}"
        typer.echo(
            f"{r['source']:<11} {r['rule']:<45} alerts={r['alerts']:<6} closed={r['closed_cases']:<5} "
            f"tp={r['true_positives']:<5} precision={precision}"
        )


@cases_app.command("related")
def cases_related(case_id: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Cases of customers linked to this case's customer, and the links."""
    try:
        with _store().engine.connect() as conn:
            found = [c.as_dict() for c in related_cases(conn, case_id)]
    except DomainError as exc:
        fail(str(exc))
    if as_json:
        print_json(found)
        return
    for c in found:
        links = ", ".join(f"{x['kind']} {x['value']}" for x in c["links"])
        typer.echo(f"{c['case_id']}  {c['customer_id']:<14} {c['state']:<9} {c['disposition'] or '-':<28} {links}")


@cases_app.command("similar")
def cases_similar(
    case_id: str, k: int = typer.Option(5, min=1, max=50), as_json: bool = typer.Option(False, "--json")
) -> None:
    """The nearest closed cases on case features, with their dispositions."""
    try:
        with _store().engine.connect() as conn:
            found = [c.as_dict() for c in similar_cases(conn, case_id, k)]
    except DomainError as exc:
        fail(str(exc))
    if as_json:
        print_json(found)
        return
    for c in found:
        typer.echo(f"{c['case_id']}  d={c['distance']:<8} {c['disposition'] or '-':<28} {','.join(c['typologies'])}")


@cases_app.command("narrative")
def cases_narrative(
    case_id: str,
    rewrite: bool = typer.Option(False, "--rewrite", help="also ask the configured LLM (WARDEN_LLM_URL) to rewrite it"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The drafted SAR narrative of a case (deterministic), optionally rewritten by the configured LLM."""
    from warden.cases.narrative import draft_narrative, rewrite_narrative

    try:
        with _store().engine.connect() as conn:
            draft = draft_narrative(conn, case_id)
    except DomainError as exc:
        fail(str(exc))
    result: dict[str, Any] = {"case_id": case_id, "draft": draft}
    if rewrite:
        result["rewrite"] = rewrite_narrative(draft, settings_or_exit()).__dict__
    if as_json:
        print_json(result)
        return
    typer.echo(draft)
    if rewrite:
        typer.echo(
            "\n--- rewrite ---\n"
            + (result["rewrite"]["text"] if result["rewrite"]["rewritten"] else f"error: {result['rewrite']['error']}")
        )


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.add_typer(cases_app, name="cases")
