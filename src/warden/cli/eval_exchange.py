"""`warden eval exchange`: learn and calibrate on one labelled exchange (or the first days of one), decide
on another (or the days after); hold and review rates per group, benign look-alikes flagged."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from warden.cli.common import emit, fail
from warden.cli.groups import eval_app

if TYPE_CHECKING:
    from warden.exchange.evaluate import LoopHook
    from warden.models.fraud import FraudModel


def _events_in(folder: Path) -> Path:
    if folder.is_file():
        return folder
    for name in ("events.jsonl", "events.jsonl.gz", "events.parquet"):
        if (folder / name).exists():
            return folder / name
    raise ValueError(f"{folder}: no events.jsonl, events.jsonl.gz or events.parquet in this folder")


def register(app: typer.Typer) -> None:
    register_decisions(app)

    @eval_app.command("exchange")
    def eval_exchange_cmd(
        train: Path | None = typer.Option(None, "--train", exists=True, help="labelled exchange to learn on"),
        test: Path | None = typer.Option(None, "--test", exists=True, help="labelled exchange to decide on"),
        events: Path | None = typer.Option(None, "--events", exists=True, help="one labelled history, split by time"),
        split_day: int = typer.Option(20, "--split-day", min=1, help="with --events: days to learn on"),
        ruleset: Path | None = typer.Option(None, "--ruleset", help="ruleset to start from (default: starter pack)"),
        hold_budget: float = typer.Option(0.01, min=0.0, max=1.0),
        review_budget: float = typer.Option(0.05, min=0.0, max=1.0),
        review_capacity: float | None = typer.Option(None, min=0.0, help="reviews the queue takes per day"),
        seed: int = typer.Option(7),
        recalibrate: bool = typer.Option(
            False, "--recalibrate-unlabelled", help="also calibrate again on the test side's own traffic, no labels"
        ),
        decisions_only: bool = typer.Option(
            False, "--decisions-only", help="skip monitoring, cases and triage (minutes on a large exchange)"
        ),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Figures per withdrawal group before (starter pack, packaged model) and after learning; then
        monitoring per typology and benign group, cases per 1,000 customers and triage on the second."""
        from warden.exchange.calibrate import Budgets
        from warden.exchange.evaluate import Period, run_exchange_eval, split_by_day
        from warden.exchange.run import customers_of, featured_period
        from warden.models.registry import load_fraud_model
        from warden.rules.events_io import EventsInputError
        from warden.rules.loader import starter_pack_path

        try:
            if events is not None:
                whole = featured_period(_events_in(events), _labels(events))
                early, late = split_by_day(whole.frame, split_day)
                first = Period(early, whole.labels, customers_of(early))
                second = Period(late, whole.labels, customers_of(late))
                source = {"events": str(events), "split_day": split_day}
            elif train is not None and test is not None:
                first = featured_period(_events_in(train), _labels(train))
                second = featured_period(_events_in(test), _labels(test))
                source = {"train": str(train), "test": str(test)}
            else:
                fail("give --train DIR --test DIR, or --events PATH [--split-day N]")
            content = (ruleset or starter_pack_path()).read_text(encoding="utf-8")
            if events is not None:
                pair = (_events_in(events), _labels(events))
                hook = _loop_hook(pair, pair, split_day, decisions_only)
            else:
                assert train is not None and test is not None
                hook = _loop_hook(
                    (_events_in(train), _labels(train)), (_events_in(test), _labels(test)), None, decisions_only
                )
            report = run_exchange_eval(
                first,
                second,
                content,
                Budgets(hold_budget, review_budget, review_capacity),
                baseline_model=load_fraud_model(None),
                seed=seed,
                unlabelled_second_pass=recalibrate,
                loop_hook=hook,
            )
        except (EventsInputError, OSError, ValueError) as exc:
            fail(str(exc), 1)
        emit({"source": source, **report}, as_json)


def register_decisions(app: typer.Typer) -> None:
    @eval_app.command("decisions")
    def eval_decisions_cmd(
        decisions: Path = typer.Option(..., "--decisions", exists=True, dir_okay=False, help="`warden decide --out`"),
        events: Path = typer.Option(..., "--events", exists=True, help="the events that were decided"),
        labels: Path | None = typer.Option(None, "--labels", help="labels.csv (default: beside the events)"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """A decision run against labels: hold and review rates per withdrawal group, benign look-alikes."""
        from warden.exchange.evaluate import decision_figures
        from warden.exchange.history import read_history
        from warden.exchange.labels import read_labels
        from warden.rules.events_io import EventsInputError

        try:
            decided = _read_decisions(decisions)
            report = decision_figures(read_history(events), decided, read_labels(labels or _labels(events)))
        except (EventsInputError, OSError, ValueError) as exc:
            fail(str(exc), 1)
        emit({"decisions": str(decisions), "events": str(events), **report}, as_json)


def _loop_hook(train: tuple[Path, Path], test: tuple[Path, Path], split_day: int | None, skip: bool) -> LoopHook:
    from warden.exchange.evaluate import without_monitoring

    if skip:
        return without_monitoring

    def hook(report: dict[str, Any], ruleset_content: str, model: FraudModel | None) -> dict[str, Any]:
        from warden.demo.exchange_loop import monitoring_cases_and_triage

        return report | monitoring_cases_and_triage(train, test, ruleset_content, model, split_day)

    return hook


def _read_decisions(path: Path) -> dict[str, str]:
    """event id -> outcome name from `warden decide --out` lines; a bad line stops with its position."""
    import orjson

    from warden.rules.outcome import Outcome

    decided: dict[str, str] = {}
    with path.open("rb") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = orjson.loads(line)
                outcome = str(row["outcome"])
                Outcome[outcome.upper()]
                decided[str(row["event_id"])] = outcome
            except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{line_no}: not a decision line ({exc!r})") from None
    return decided


def _labels(path: Path) -> Path:
    folder = path if path.is_dir() else path.parent
    labels = folder / "labels.csv"
    if not labels.exists():
        raise ValueError(f"{labels}: no labels.csv beside the events (the evaluation needs labels)")
    return labels
