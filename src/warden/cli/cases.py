"""`warden users ...` and `warden cases ...`: people and roles, and the case queue from the command line."""

from __future__ import annotations

import sys
from typing import Any

import typer

from warden.cases.assignment import sweep, take_next
from warden.cases.errors import CaseError
from warden.cases.model import ROLES
from warden.cases.repository import get_case, list_cases
from warden.cases.sources import alerts_from_decisions, alerts_from_monitoring
from warden.cases.users import add_user, list_users
from warden.cli.common import fail, print_json, settings_or_exit
from warden.cli.groups import bench_app
from warden.store.db import Store, open_store

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
    except CaseError as exc:
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
    except CaseError as exc:
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
    except CaseError as exc:
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
    with _store().engine.begin() as conn:
        counts = alerts_from_decisions(conn)
    if as_json:
        print_json(counts)
    else:
        typer.echo(f"{counts['alerts']} new alerts: {counts['new_cases']} new cases, {counts['joined_cases']} joined")


@cases_app.command("from-monitoring")
def cases_from_monitoring(as_json: bool = typer.Option(False, "--json")) -> None:
    """Turn stored monitoring alerts (new ones and new sightings) into case alerts (safe to repeat)."""
    with _store().engine.begin() as conn:
        counts = alerts_from_monitoring(conn)
    if as_json:
        print_json(counts)
    else:
        typer.echo(f"{counts['alerts']} new alerts: {counts['new_cases']} new cases, {counts['joined_cases']} joined")


@cases_app.command("sweep")
def cases_sweep(as_json: bool = typer.Option(False, "--json")) -> None:
    """Flag open cases past their SLA and refresh priorities for age."""
    with _store().engine.begin() as conn:
        counts = sweep(conn)
    if as_json:
        print_json(counts)
    else:
        typer.echo(f"{counts['flagged_overdue']} newly overdue, {counts['reprioritised']} reprioritised")


@cases_app.command("take-next")
def cases_take_next(username: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Lock the highest-priority open case of USERNAME's queues to them."""
    try:
        case_id = take_next(_store().engine, username)
    except CaseError as exc:
        fail(str(exc))
    if as_json:
        print_json({"case_id": case_id, "assignee": username if case_id else None})
    else:
        typer.echo(case_id or "no open case in your queues")


def bench_take_next(
    cases: int = typer.Option(2000, min=10, help="open cases to drain"),
    reviewers: int = typer.Option(4, min=1, max=64, help="parallel reviewers, each its own connection"),
    postgres: str | None = typer.Option(
        None, help="a PostgreSQL server URL: the bench creates and drops its own database there (default: SQLite)"
    ),
    as_json: bool = typer.Option(True, "--json/--no-json"),
) -> None:
    """Take-next latency with parallel reviewers (target p99 <= 50 ms, no case handed out twice)."""
    from warden.cases.bench import run_take_next_bench  # heavy imports only when benching

    result = run_take_next_bench(cases, reviewers, postgres)
    print_json(result) if as_json else typer.echo(result)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.add_typer(cases_app, name="cases")
    bench_app.command("take-next")(bench_take_next)
