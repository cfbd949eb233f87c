"""`warden bench ...`: every speed benchmark, each against a reference measured in the same run; prints JSON.

The implementations live in `warden.bench`; each is imported inside its command, so `warden --help` stays cheap.
"""

from __future__ import annotations

import typer

from warden.cli.common import emit, fail, print_json, settings_or_exit
from warden.cli.groups import bench_app


@bench_app.command("ingest")
def bench_ingest(
    events: int = typer.Option(1_000_000, min=1000, help="how many events"),
    seed: int = typer.Option(7),
    as_json: bool = typer.Option(True, "--json/--no-json"),
) -> None:
    """Events per second into the embedded store (target >= 50,000/s)."""
    from warden.bench.ingest import run_ingest_bench

    result = run_ingest_bench(events, seed)
    print_json(result) if as_json else typer.echo(result)


@bench_app.command("decisions")
def bench_decisions(
    seconds: float = typer.Option(30, min=1, help="how long to drive /v1/decisions"),
    echo_seconds: float = typer.Option(10, min=1),
    workers: int = typer.Option(2, min=1),
    connections: int = typer.Option(16, min=1),
    rounds: int = typer.Option(5, min=1, help="the echo and the decisions alternate this many times"),
    as_json: bool = typer.Option(True, "--json/--no-json"),
) -> None:
    """The API under load (2 workers) on the configured store and Redis: throughput, p50/p99, errors, and an
    echo endpoint's throughput. Exits 1, with no ratio, when any request failed."""
    from warden.bench.decisions import run_decisions_bench

    report = run_decisions_bench(
        seconds, echo_seconds, workers, connections, rounds=rounds, settings=settings_or_exit()
    )
    print_json(report)
    if not report["ok"]:
        raise typer.Exit(1)


@bench_app.command("engine")
def bench_engine(
    customers: int = typer.Option(2000, min=150),
    days: int = typer.Option(30, min=7),
    seed: int = typer.Option(13),
    passes: int = typer.Option(3, min=1, help="replays through a fresh engine; the median one is reported"),
    as_json: bool = typer.Option(True, "--json/--no-json"),
) -> None:
    """In-process replay of a simulated exchange through the engine on one core (target >= 30,000 events/s)."""
    from warden.bench.decisions import run_engine_bench

    print_json(run_engine_bench(customers, days, seed, passes))


@bench_app.command("features")
def bench_features(
    customers: int = typer.Option(2000, min=10, help="simulated customers"),
    days: int = typer.Option(30, min=1, help="simulated days"),
    seed: int = typer.Option(7),
    redis_url: str | None = typer.Option(None, "--redis-url", help="also replay the first events through Redis"),
    as_json: bool = typer.Option(True, "--json/--no-json"),
) -> None:
    """Online features_for+update µs/event (target well under 20 µs), offline rows/s."""
    from warden.bench.features import run_features_bench

    emit(run_features_bench(customers, seed, days, redis_url), as_json)


@bench_app.command("fraud-score")
def bench_fraud_score(
    scores: int = typer.Option(20000, min=100, help="how many single-row scores"),
    as_json: bool = typer.Option(True, "--json/--no-json"),
) -> None:
    """µs per single-row FraudModel.probability_with_reasons against LightGBM's plain Booster.predict."""
    from warden.bench.fraud_score import run_score_bench

    emit(run_score_bench(scores), as_json)


@bench_app.command("backtest")
def bench_backtest(
    events: int = typer.Option(1_000_000, min=1000, help="events in the synthetic frame"),
    row_events: int = typer.Option(20_000, min=100, help="events through the row evaluator"),
    seed: int = typer.Option(7),
    as_json: bool = typer.Option(True, "--json/--no-json"),
) -> None:
    """Vectorised rule evaluation (target >= 1,000,000 events/s) vs a plain Polars scan; row evaluator."""
    from warden.bench.backtest import run_backtest_bench

    result = run_backtest_bench(events, row_events, seed)
    print_json(result) if as_json else typer.echo(result)


@bench_app.command("screen")
def bench_screen(
    queries: int = typer.Option(3000, "--queries", help="name queries for the in-process run"),
    http_seconds: float = typer.Option(8.0, "--http-seconds", help="duration of each HTTP run (0 to skip)"),
    concurrency: int = typer.Option(32, "--concurrency", help="requests in flight in the HTTP load generator"),
    as_json: bool = typer.Option(True, "--json/--no-json", help="print JSON (always JSON)"),
) -> None:
    """Name-screening speed in process and over HTTP, with a plain rapidfuzz scan as the in-run reference."""
    from warden.bench.screen import run_bench

    print_json(run_bench(settings_or_exit().data_dir, queries, http_seconds, concurrency))


@bench_app.command("monitor")
def bench_monitor(
    transactions: int = typer.Option(10_000_000, "--transactions", min=1000),
    json_out: bool = typer.Option(True, "--json"),
) -> None:
    """N simulated transfers through all detectors and the model features; a plain DuckDB scan as reference."""
    from warden.bench.monitor import run_bench

    print_json(run_bench(transactions))


@bench_app.command("simulate")
def bench_simulate(
    customers: int = typer.Option(10_000, "--customers"),
    days: int = typer.Option(30, "--days"),
    seed: int = typer.Option(7, "--seed"),
    as_json: bool = typer.Option(True, "--json/--no-json"),
) -> None:
    """Seconds to simulate and write N customers x D days (target: 10,000 x 30 in <= 60 s)."""
    from warden.bench.simulate import run_simulate_bench
    from warden.sim import SimConfigError

    try:
        result = run_simulate_bench(customers, days, seed)
    except SimConfigError as exc:
        fail(str(exc))
    print_json(result) if as_json else typer.echo(result)


@bench_app.command("take-next")
def bench_take_next(
    cases: int = typer.Option(2000, min=10, help="open cases to drain"),
    reviewers: int = typer.Option(4, min=1, max=64, help="parallel reviewers, each its own connection"),
    postgres: str | None = typer.Option(
        None, help="a PostgreSQL server URL: the bench creates and drops its own database there (default: SQLite)"
    ),
    as_json: bool = typer.Option(True, "--json/--no-json"),
) -> None:
    """Take-next latency with parallel reviewers (target p99 <= 50 ms, no case handed out twice)."""
    from warden.bench.take_next import run_take_next_bench

    result = run_take_next_bench(cases, reviewers, postgres)
    print_json(result) if as_json else typer.echo(result)


@bench_app.command("kyc")
def bench_kyc(
    images: int = typer.Option(6, min=1, help="genuine documents to check"),
    seed: int = typer.Option(11),
    ocr: str = typer.Option("rapidocr", help="rapidocr or tesseract"),
    as_json: bool = typer.Option(True, "--json/--no-json"),
) -> None:
    """Document check per image on one core, against decoding the same JPEG (target <= 1 s per image)."""
    from warden.cli.kyc import one_core

    one_core()  # before the OCR engine is imported and built
    from warden.kyc.evaluate import bench

    result = bench(images=images, seed=seed, ocr=ocr)
    print_json(result) if as_json else typer.echo(result)


@bench_app.command("kyc-faces")
def bench_kyc_faces(
    size: int = typer.Option(1_000_000, "--size", min=1000, help="faces in the 1:N gallery"),
    queries: int = typer.Option(300, "--queries", min=10, help="1:N searches timed"),
    repeats: int = typer.Option(20, "--repeats", min=2, help="face embeddings timed"),
    as_json: bool = typer.Option(True, "--json/--no-json", help="print JSON (the default)"),
) -> None:
    """Face match per image on one core and 1:N search over a gallery, against in-run references."""
    from warden.kyc.faces.bench import run_bench

    result = run_bench(size=size, queries=queries, repeats=repeats)
    if as_json:
        print_json(result)
    else:
        emit(result, False)


@bench_app.command("api-keys")
def bench_api_keys(
    postgres: str | None = typer.Option(
        None,
        "--postgres",
        help="a PostgreSQL server URL: the bench makes and drops its own database there; default: SQLite",
    ),
    calls: int = typer.Option(200_000, min=1000),
) -> None:
    """The API-key check on the decisions hot path, with the revocation-generation check, against references."""
    from warden.bench.api_keys import run_api_key_bench

    print_json(run_api_key_bench(postgres, calls))


@bench_app.command("console")
def bench_console(
    events: int = typer.Option(1_000_000, min=1000, help="how many events in the store"),
    seed: int = typer.Option(7),
    database_url: str = typer.Option("", help="a PostgreSQL URL (default: an embedded SQLite store)"),
    as_json: bool = typer.Option(True, "--json/--no-json"),
) -> None:
    """Search p95 (target <= 200 ms) and customer-view time (<= 300 ms), against /healthz in the same run."""
    from warden.bench.console import run_console_bench

    result = run_console_bench(events, seed, database_url or None)
    print_json(result) if as_json else typer.echo(result)


def register(app: typer.Typer) -> None:
    """The commands above join `warden bench` when this module is imported; nothing more to add."""
