"""`warden bench decisions`: the API with 2 workers under concurrent load, against an echo endpoint on the
same server; and `warden bench engine`: in-process replay through the engine, against a plain loop."""

from __future__ import annotations

import asyncio
import functools
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import sqlalchemy as sa

from warden.access.api_keys import create_api_key, revoke_api_key
from warden.api import collector
from warden.bench.loadgen import LoadResult, drive
from warden.bench.synthetic import synthetic_events
from warden.decisions.factory import build_engine
from warden.decisions.tables import decisions
from warden.events.models import EVENT_ADAPTER
from warden.settings import Settings, load_settings
from warden.sim import SimConfig, simulate
from warden.store.db import open_store


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of a process and its live descendants (Linux /proc; 0.0 elsewhere).

    CPU per request is steadier than throughput on a shared machine: other people's work takes turns from
    the server but does not add to what each request costs it.
    """
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        times[pid] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo += [child for child, parent in parents.items() if parent == pid]
    return total


def _measured(server_pid: int, run: Callable[[], LoadResult]) -> tuple[LoadResult, float, float]:
    """Run a load phase; also the CPU seconds it cost the server and the load generator."""
    server_before, own_before = _tree_cpu_seconds(server_pid), time.process_time()
    result = run()
    return result, _tree_cpu_seconds(server_pid) - server_before, time.process_time() - own_before


class _Phase:
    """One load (the decisions or the echo) over several rounds: results and CPU seconds added up."""

    def __init__(self) -> None:
        self.rounds: list[LoadResult] = []
        self.server_seconds = self.loadgen_seconds = 0.0

    def add(self, measured: tuple[LoadResult, float, float]) -> LoadResult:
        result, server, own = measured
        self.rounds.append(result)
        self.server_seconds += server
        self.loadgen_seconds += own
        return result

    def report(self) -> dict[str, Any]:
        total = functools.reduce(LoadResult.merged, self.rounds)
        n = max(total.requests, 1)
        return total.summary() | {
            "cpu_per_request": {
                "server_us": round(self.server_seconds / n * 1e6, 1),
                "loadgen_us": round(self.loadgen_seconds / n * 1e6, 1),
            },
            "per_round_per_s": [r.rate() for r in self.rounds],
        }


def _wait_healthy(url: str, server: subprocess.Popen[bytes], timeout: float = 240) -> None:
    """Until /healthz answers; the server's own error if it exits first. Starting two workers (migrations, the
    engine, the screening index) takes about 10 s on an idle machine and over a minute on a busy shared one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            stderr = server.stderr.read().decode(errors="replace")[-2000:] if server.stderr else ""
            raise RuntimeError(f"the server exited with {server.returncode} before it was healthy: {stderr}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"the server at {url} did not become healthy in {timeout:.0f} s")


def run_decisions_bench(
    seconds: float = 30,
    echo_seconds: float = 10,
    workers: int = 2,
    connections: int = 16,
    events: int = 400_000,
    rounds: int = 5,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Drive POST /v1/decisions and, as the reference, POST /v1/echo on the same server.

    The server runs on the configured store and Redis (`WARDEN_DATABASE_URL`, `WARDEN_REDIS_URL`), where the
    bench's API key is created too; with no database configured, on a fresh SQLite store in a temporary
    directory. Event ids carry a tag of this run, so a store that has seen earlier runs still decides new events.

    The two loads alternate in `rounds` rounds (the echo, then the decisions), each taking its share of its time:
    on a shared machine the neighbours' load comes and goes within a minute, and alternating moves both figures
    alike (one echo before and one after the decisions gave ratios from 0.46 to 0.71 on the same code). Each
    round opens its connections afresh, so their spread over the workers is drawn again too.
    """
    configured = settings or load_settings()
    tag = f"bench-{uuid.uuid4().hex[:8]}-"
    bodies = [orjson.dumps(e | {"event_id": tag + str(e["event_id"])}) for e in synthetic_events(events, seed=11)]
    with tempfile.TemporaryDirectory(prefix="warden-bench-") as tmp:
        if configured.database_url is None:  # nothing configured: a store of its own, as before
            configured = configured.model_copy(update={"data_dir": Path(tmp) / "data"})
        store = open_store(configured)
        with store.engine.begin() as conn:
            key, secret = create_api_key(conn, f"bench {tag.rstrip('-')}", {"decisions"}, actor="bench")
        port = _free_port()
        env = os.environ | server_environment(configured)
        server = subprocess.Popen(
            [sys.executable, "-m", "warden.cli", "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        headers = {"X-API-Key": secret}

        def load(path: str, secs: float, first: int = 0, limit: int = 10**9, auth: bool = True) -> LoadResult:
            return asyncio.run(
                drive(
                    "127.0.0.1",
                    port,
                    path,
                    lambda i: bodies[(first + i) % len(bodies)],
                    seconds=secs,
                    connections=connections,
                    headers=headers if auth else None,
                    max_requests=limit,
                )
            )

        decided, echo = _Phase(), _Phase()
        try:
            _wait_healthy(f"http://127.0.0.1:{port}", server)
            warm = load("/v1/decisions", 3, limit=2000)  # each worker's first requests, not measured
            offset = warm.requests
            for _ in range(rounds):
                echo.add(_measured(server.pid, functools.partial(load, "/v1/echo", echo_seconds / rounds, auth=False)))
                fresh = functools.partial(load, "/v1/decisions", seconds / rounds, offset, len(bodies) - offset)
                batch = decided.add(_measured(server.pid, fresh))
                offset += batch.requests  # every round decides new events
        finally:
            server.terminate()
            server.wait(timeout=30)
        with store.engine.begin() as conn:
            stored = int(
                conn.execute(
                    sa.select(sa.func.count()).select_from(decisions).where(decisions.c.event_id.startswith(tag))
                ).scalar_one()
            )
            revoke_api_key(conn, key.key_id, actor="bench")
        store.dispose()
    return decisions_report(
        decided.report(),
        echo.report(),
        setup={
            "store": store.dialect,
            "redis": configured.redis_url is not None,
            "workers": workers,
            "connections": connections,
            "rounds": rounds,
        },
        answered=offset,
        stored=stored,
        warm_errors=warm.errors,
    )


def server_environment(settings: Settings) -> dict[str, str]:
    """The settings the bench's server must share with the bench: the same store (where the key is) and Redis."""
    env = {"WARDEN_DATA_DIR": str(settings.data_dir), "WARDEN_LOG_LEVEL": "WARNING"}
    if settings.database_url:
        env["WARDEN_DATABASE_URL"] = settings.database_url
    if settings.redis_url:
        env["WARDEN_REDIS_URL"] = settings.redis_url
    return env


def decisions_report(
    result: dict[str, Any],
    echo_summary: dict[str, Any],
    setup: dict[str, Any],
    answered: int,
    stored: int,
    warm_errors: int = 0,
) -> dict[str, Any]:
    """The bench's JSON. A run in which any request failed is marked failed and reports no ratio: a ratio of
    fast refusals (every request a 401) to the echo says nothing about deciding."""
    failures = []
    if result["errors"] or warm_errors:
        failures.append(
            f"{result['errors'] + warm_errors} of {answered} decision requests failed "
            f"(statuses of the measured ones: {result['statuses']})"
        )
    if echo_summary["errors"]:
        failures.append(f"{echo_summary['errors']} echo requests failed (statuses {echo_summary['statuses']})")
    if stored < answered - warm_errors - result["errors"]:
        failures.append(f"{answered} decisions answered but {stored} stored")
    ok = not failures
    cpu, echo_cpu = result["cpu_per_request"], echo_summary["cpu_per_request"]
    ratio = float(result["throughput_per_s"]) / float(echo_summary["throughput_per_s"] or 1)
    return {
        "benchmark": "decisions",
        **setup,
        "ok": ok,
        "failures": failures,
        "decisions": result,
        "reference_echo": echo_summary,
        "ratio_to_echo": round(ratio, 3) if ok else None,
        "server_cpu_ratio_to_echo": round(echo_cpu["server_us"] / (cpu["server_us"] or 1), 3) if ok else None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "stored_decisions": stored,
        "answered_decisions": answered,
        "targets": {"throughput_per_s": 3000, "p99_ms": 20, "ratio_to_echo": 0.5},
        "meets_targets": (
            ok and float(result["throughput_per_s"]) >= 3000 and float(result["p99_ms"]) <= 20 and ratio >= 0.5
        ),
    }


def run_engine_bench(customers: int = 2000, days: int = 30, seed: int = 13, passes: int = 3) -> dict[str, Any]:
    """In-process replay of a simulated exchange on one core: decisions/s, against validating the same events.

    The replay runs `passes` times, each through a fresh engine (the features start empty). On a shared
    machine a pass can lose a tenth of its speed to the neighbours; the median pass is the figure, and every
    pass is listed."""
    simulated = simulate(SimConfig(customers=customers, days=days, seed=seed))
    started = time.perf_counter()
    parsed = sorted((EVENT_ADAPTER.validate_json(line) for line in simulated.lines), key=lambda e: e.occurred_at)
    validate_seconds = time.perf_counter() - started
    rates = []
    for _ in range(passes):
        engine = build_engine(Settings(data_dir=Path(tempfile.gettempdir()) / "warden-bench-engine"))
        thresholds = collector.settle_for_serving()  # the collector as the API runs it (see api/collector.py)
        try:
            started = time.perf_counter()
            for event in parsed:
                engine.decide(event)
            rates.append(len(parsed) / (time.perf_counter() - started))
        finally:
            collector.restore(thresholds)
    rate = statistics.median(rates)
    return {
        "benchmark": "engine",
        "events": len(parsed),
        "customers": customers,
        "passes": passes,
        "events_per_second": round(rate),
        "events_per_second_per_pass": [round(r) for r in rates],
        "us_per_event": round(1e6 / rate, 2),
        "target_events_per_second": 30_000,
        "meets_target": rate >= 30_000,
        "reference": {
            "what": "validating the same events only",
            "events_per_second": round(len(parsed) / validate_seconds),
        },
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "versions": engine.versions,
    }
