"""`warden kyc faces-eval` and `warden kyc liveness-eval`: face-match error rates on an operator's own pairs,
and liveness error rates on generated captures."""

from __future__ import annotations

from pathlib import Path

import typer

from warden.cli.common import emit, fail
from warden.cli.groups import kyc_app


def register(app: typer.Typer) -> None:
    @kyc_app.command("faces-eval")
    def faces_eval_cmd(
        pairs: Path = typer.Option(..., "--pairs", exists=True, dir_okay=False, help="CSV image_a,image_b,same"),
        fmr: float = typer.Option(0.001, "--fmr", min=1e-6, max=0.5, help="false match rate to hold"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """FNMR at a fixed FMR on your own consented face pairs, with the number of pairs behind it."""
        from warden.kyc.faces.pairs import PairsError, evaluate_pairs

        try:
            result = evaluate_pairs(pairs, fmr)
        except PairsError as exc:
            fail(str(exc))
        emit(result, as_json)

    @kyc_app.command("liveness-eval")
    def liveness_eval_cmd(
        trials: int = typer.Option(10, "--trials", min=1, max=200, help="captures per species and genuine"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """APCER per attack species and BPCER of the server's liveness checks, on captures Warden generates."""
        from warden.kyc.liveness.evaluate import evaluate_liveness

        emit(evaluate_liveness(trials=trials), as_json)
