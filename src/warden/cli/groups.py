"""Command groups that several areas add to: `warden eval`, `warden train`, `warden bench`, `warden rules`, `warden kyc`.

An area's command module imports the group and adds its subcommand in its own `register(app)`.
"""

from __future__ import annotations

import typer

eval_app = typer.Typer(help="Quality on a labelled data set (simulated or public).", no_args_is_help=True)
train_app = typer.Typer(help="Train a model and make it the active one.", no_args_is_help=True)
bench_app = typer.Typer(help="Speed, with a reference measured in the same run; prints JSON.", no_args_is_help=True)
rules_app = typer.Typer(help="Rulesets: check, backtest, publish.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
kyc_app = typer.Typer(
    help="Identity verification: stored images, synthetic-identity rings, face and liveness evaluation.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")
    app.add_typer(train_app, name="train")
    app.add_typer(bench_app, name="bench")
    app.add_typer(rules_app, name="rules")
    app.add_typer(audit_app, name="audit")
    app.add_typer(kyc_app, name="kyc")
