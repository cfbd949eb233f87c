"""The case dashboard: open cases by queue and age, SLA breaches now, reviewer throughput, precision per rule."""

from __future__ import annotations

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from warden.cases.model import DISPOSITIONS
from warden.cases.queues import default_queue_config
from warden.console.auth import console_router
from warden.console.dashboard_charts import daily_columns, rate_bars, stacked_hbars
from warden.console.rules_quality import RULE_QUALITY_ROLES
from warden.console.templating import TEMPLATES
from warden.reporting.budgets import Budgets, budget_lines
from warden.reporting.dashboard import AGE_LABELS, THROUGHPUT_WINDOWS, build_dashboard
from warden.triage.feedback import rule_precision

DASHBOARD_ROLES = ("analyst", "senior_analyst", "model_risk_officer", "admin")
AGE_COLOURS = ["#16a34a", "#2155d6", "#ea580c", "#dc2626"]
DISPOSITION_COLOURS = ["#c0362c", "#9ca3af", "#ca8a04"]  # true positive, false positive, inconclusive

router = console_router(*DASHBOARD_ROLES)


def _rule_name(source: str, rule: str) -> str:
    return rule if source == "decision" else f"{rule} ({source})"


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, days: int = Query(7)) -> HTMLResponse:
    if days not in THROUGHPUT_WINDOWS:
        days = THROUGHPUT_WINDOWS[0]
    with request.app.state.store.engine.connect() as conn:
        board = build_dashboard(conn, days=days)
        precision = [p for p in rule_precision(conn) if p.precision is not None]
        budgets = budget_lines(
            conn, board.now, Budgets.from_settings(request.app.state.settings), default_queue_config()
        )
    precision.sort(key=lambda p: (p.precision or 0.0, -p.closed_cases, p.rule))
    charts = {
        "age": stacked_hbars(
            [(q.queue, q.by_age) for q in board.queues],
            list(AGE_LABELS),
            label="open cases per queue by age",
            colours=AGE_COLOURS,
            empty="No open cases.",
        ),
        "reviewers": stacked_hbars(
            [(r.reviewer, r.by_disposition) for r in board.throughput],
            list(DISPOSITIONS),
            label=f"cases closed per reviewer in the last {days} days, by disposition",
            colours=DISPOSITION_COLOURS,
            empty=f"No case closed in the last {days} days.",
        ),
        "daily": daily_columns(
            board.days_shown,
            {r.reviewer: r.by_day for r in board.throughput},
            label=f"cases closed per reviewer per day, last {days} days",
            empty="",
        ),
        "precision": rate_bars(
            [
                (f"{p.source}: {p.rule}", p.precision or 0.0, f"{p.true_positives} TP / {p.false_positives} FP")
                for p in precision
            ],
            label="true-positive rate per rule",
            empty="No rule has a reviewed case yet.",
        ),
    }
    context = {
        "b": board,
        "budgets": budgets,
        "charts": charts,
        "windows": THROUGHPUT_WINDOWS,
        "precision": precision,
        "rule_quality_roles": RULE_QUALITY_ROLES,
    }
    return TEMPLATES.TemplateResponse(request, "dashboard.html", context)
