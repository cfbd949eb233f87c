"""`warden kyc rings`: synthetic-identity rings from the KYC submissions in an events file."""

from __future__ import annotations

from pathlib import Path

import typer

from warden.cli.common import emit, fail

kyc_app = typer.Typer(help="Identity verification: synthetic-identity rings, faces.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(kyc_app, name="kyc")

    @kyc_app.command("rings")
    def rings_cmd(
        events: Path = typer.Option(
            ..., "--events", exists=True, dir_okay=False, help="events file with kyc_submission"
        ),
        labels: Path | None = typer.Option(
            None, "--labels", exists=True, dir_okay=False, help="labels.csv: add figures"
        ),
        hub_size: int = typer.Option(50, "--hub-size", min=2, help="values held by more customers are hubs"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Link every KYC submission into an identity graph and print its rings with the shared attributes."""
        from warden.events.labels import read_labels
        from warden.events.readers import FileFormatError
        from warden.kyc.identity.evaluate import evaluate_rings
        from warden.kyc.identity.graph import build_graph
        from warden.kyc.identity.records import load_submissions

        try:
            loaded = load_submissions(events)
        except FileFormatError as exc:
            fail(str(exc))
        for error in loaded.errors[:20]:
            typer.echo(error, err=True)
        graph = build_graph(loaded.records, hub_size=hub_size)
        result: dict[str, object] = {
            "version": graph.version,
            "submissions": len(loaded.records),
            "rejected": len(loaded.errors),
            "customers": graph.n_customers,
            "threshold_bits": round(graph.threshold_bits, 2),
            "links": len(graph.links),
            "rings": [ring.as_dict() for ring in graph.rings],
            "hubs": graph.hubs,
        }
        if labels is not None:
            try:
                label_file = read_labels(labels)
            except FileFormatError as exc:
                fail(str(exc))
            for error in label_file.errors[:20]:
                typer.echo(error, err=True)
            result["figures"] = evaluate_rings(graph, label_file.labels)
        if not as_json:
            for ring in graph.rings:
                typer.echo(
                    f"{ring.ring_id} size={len(ring.customers)} bits={ring.score:.1f} {'; '.join(ring.reasons())}"
                )
            if "figures" in result:
                emit({"figures": result["figures"]}, False)
            return
        emit(result, True)
