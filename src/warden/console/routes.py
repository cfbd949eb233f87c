"""Console pages of the foundation: the overview of what is inside."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from warden.console.charts import stacked_bars
from warden.console.templating import TEMPLATES
from warden.store.overview import build_overview

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    settings = request.app.state.settings
    data = build_overview(request.app.state.store.engine, settings.parquet_dir)
    series = sorted(data.by_type, key=lambda kind: -data.by_type[kind])
    chart = stacked_bars(data.by_day, series)
    return TEMPLATES.TemplateResponse(request, "overview.html", {"o": data, "chart": chart})
