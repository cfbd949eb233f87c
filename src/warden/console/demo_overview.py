"""The demo's own page (`/demo/overview`): what the simulated exchange holds, with the simulator's ground-truth
scenarios. Linked in the header only while the store holds the simulator's labels (`demo_mark.demo_running`); the
signed-in reviewer's landing page is the operational home (`home.py`)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from warden.console.auth import console_router
from warden.console.charts import stacked_bars
from warden.console.overview import build_overview
from warden.console.templating import TEMPLATES

router = console_router()  # every signed-in user


@router.get("/demo/overview", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    settings = request.app.state.settings
    data = build_overview(request.app.state.store.engine, settings.parquet_dir)
    series = sorted(data.by_type, key=lambda kind: -data.by_type[kind])
    chart = stacked_bars(data.by_day, series)
    return TEMPLATES.TemplateResponse(request, "overview.html", {"o": data, "chart": chart})
