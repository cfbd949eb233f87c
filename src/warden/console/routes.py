"""Console pages of the foundation: the overview of what is inside."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from warden.console.auth import console_router
from warden.console.charts import stacked_bars
from warden.console.overview import build_overview
from warden.console.templating import TEMPLATES

router = console_router()  # every page needs a signed-in user


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    settings = request.app.state.settings
    data = build_overview(request.app.state.store.engine, settings.parquet_dir)
    series = sorted(data.by_type, key=lambda kind: -data.by_type[kind])
    chart = stacked_bars(data.by_day, series)
    return TEMPLATES.TemplateResponse(request, "overview.html", {"o": data, "chart": chart})
