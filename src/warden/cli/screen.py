"""`warden screen name|address|batch`, `warden eval screening`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress

from warden.cli.common import fail, print_json, settings_or_exit
from warden.cli.groups import eval_app
from warden.screening.matcher import DEFAULT_THRESHOLD, NameQuery
from warden.screening.screener import Screener, open_screener

screen_app = typer.Typer(help="Screen names and crypto addresses against sanctions lists.", no_args_is_help=True)


def _screener() -> Screener:
    return open_screener(settings_or_exit().data_dir)


def _print_hits(result: dict[str, Any]) -> None:
    console = Console()
    if not result["hits"]:
        console.print(f"no hits for {result['query']!r}")
    for hit in result["hits"]:
        label = hit.get("matched_alias") or hit.get("category", "")
        console.print(f"[bold]{hit['score']:.4f}[/bold]  {hit['id']}  {label}  ({hit['list']})")


@screen_app.command("name")
def name_cmd(
    text: str = typer.Argument(..., help="the name to screen, in any script"),
    dob: str | None = typer.Option(None, "--dob", help="date of birth or year (YYYY[-MM-DD])"),
    country: str | None = typer.Option(None, "--country", help="nationality or country"),
    kind: str | None = typer.Option(None, "--type", help="person | entity | vessel | aircraft"),
    threshold: float = typer.Option(DEFAULT_THRESHOLD, "--threshold", min=0.0, max=1.0),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Screen a name: graded hits with the matched alias, list, program and per-feature explanations."""
    if kind is not None and kind not in {"person", "entity", "vessel", "aircraft"}:
        fail("--type must be person, entity, vessel or aircraft")
    if dob is not None and not dob[:4].isdigit():
        fail(f"--dob must start with a year, not {dob!r}")
    result = _screener().screen_name(NameQuery(text, kind, int(dob[:4]) if dob else None, country), threshold)
    print_json(result) if as_json else _print_hits(result)


@screen_app.command("address")
def address_cmd(
    address: str = typer.Argument(..., help="a crypto address"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Screen a crypto address: exact match (EVM and bech32 case-insensitive) plus intelligence labels."""
    result = _screener().screen_address(address)
    print_json(result) if as_json else _print_hits(result)


@screen_app.command("batch")
def batch_cmd(
    source: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV (qid,query,kind) or JSONL queries"),
    out: Path = typer.Option(..., "--out", help="JSONL results, one line per input line, in order"),
    threshold: float = typer.Option(DEFAULT_THRESHOLD, "--threshold", min=0.0, max=1.0),
    as_json: bool = typer.Option(False, "--json", help="print the summary as JSON"),
) -> None:
    """Screen every line of a file."""
    from warden.screening.batch import screen_file

    screener = _screener()
    total = sum(1 for line in source.open(encoding="utf-8") if line.strip()) - (source.suffix.lower() == ".csv")
    with Progress(disable=as_json) as progress:
        task = progress.add_task("screening", total=max(total, 0))
        counts = screen_file(screener, source, out, threshold, lambda: progress.advance(task))
    summary = {"source": str(source), "out": str(out), **counts}
    print_json(summary) if as_json else typer.echo(
        f"{counts['lines']} screened, {counts['with_hits']} with hits, {counts['errors']} errors -> {out}"
    )


@eval_app.command("screening")
def eval_cmd(
    seed: int = typer.Option(7, "--seed", help="seed of the built query set"),
    positives: int = typer.Option(400, "--positives", help="listed entries to draw variants from"),
    negatives: int = typer.Option(1500, "--negatives", help="non-listed names sharing parts with listed ones"),
    threshold: float = typer.Option(DEFAULT_THRESHOLD, "--threshold", min=0.0, max=1.0),
    baseline: bool = typer.Option(True, "--baseline/--no-baseline", help="also run a plain token_sort_ratio scan"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Recall on listed names and variants, false-hit rate on non-listed names, recall per variant kind."""
    from warden.screening.evalset import build_evalset
    from warden.screening.evaluate import baseline_token_sort, evaluate

    screener = _screener()
    queries = build_evalset(screener.names, positives, negatives, seed)
    report = evaluate(screener.names, queries, threshold)
    report["seed"] = seed
    report["lists"] = [{"list": v["list"], "version_date": v["version_date"]} for v in screener.versions]
    if baseline:
        report["baseline"] = baseline_token_sort(screener.names, queries)
    if as_json:
        print_json(report)
        return
    typer.echo(f"recall {report['recall']:.4f}  false-hit rate {report['false_hit_rate']:.4f}  at {threshold}")
    for variant, row in report["recall_by_variant"].items():
        typer.echo(f"  {variant:16s} {row['recall']:.4f}  (n={row['n']})")


def register(app: typer.Typer) -> None:
    app.add_typer(screen_app, name="screen")
