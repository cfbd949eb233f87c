"""`warden bench kyc-faces`, `warden kyc faces-eval` and `warden kyc liveness-eval`: face-match speed and
error rates, and liveness error rates on generated captures."""

from __future__ import annotations

from pathlib import Path

import typer

from warden.cli.common import emit, fail, print_json
from warden.cli.groups import bench_app
from warden.cli.kyc_identity import kyc_app


def register(app: typer.Typer) -> None:
    @bench_app.command("kyc-faces")
    def bench_faces_cmd(
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
