"""Scheduled monitoring while the API serves (`WARDEN_MONITOR_EVERY_S`); see warden.monitoring.schedule.

The run happens in a worker thread so requests keep flowing; its alerts are then turned into case alerts
(idempotent), as `POST /v1/cases/from-monitoring` would.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI

from warden.monitoring.schedule import Schedule, run_once

log = structlog.get_logger("warden.monitoring.schedule")


def _run(app: FastAPI, schedule: Schedule) -> dict[str, Any]:
    from warden.cases.sources import alerts_from_monitoring

    settings, engine = app.state.settings, app.state.store.engine
    summary = run_once(
        settings.parquet_dir, settings.data_dir / "monitoring", engine, schedule.lookback, data_dir=settings.data_dir
    )
    if summary.get("alerts"):
        with engine.begin() as conn:
            summary["cases"] = alerts_from_monitoring(conn)
    return summary


async def _loop(app: FastAPI, schedule: Schedule) -> None:
    while True:
        try:
            summary = await asyncio.to_thread(_run, app, schedule)
            log.info("monitoring run", **{k: v for k, v in summary.items() if k != "alerts_by_typology"})
        except Exception:  # a failed run must not stop the schedule or the server
            log.exception("monitoring run failed")
        await asyncio.sleep(schedule.every_s)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    schedule = Schedule.from_env()
    task = asyncio.create_task(_loop(app, schedule)) if schedule else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


router = APIRouter(lifespan=_lifespan)
