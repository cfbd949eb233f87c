"""`warden kyc rings`: synthetic-identity rings from the KYC submissions in an events file."""

from __future__ import annotations

from pathlib import Path

import typer

from warden.cli.common import emit, fail
from warden.cli.groups import kyc_app


def register(app: typer.Typer) -> None:
    @kyc_app.command("rings")
    def rings_cmd(
        events: Path = typer.Option(
            ..., "--events", exists=True, dir_okay=False, help="events file with kyc_submission"
        ),
        labels: Path | None = typer.Option(
            None, "--labels", exists=True, dir_okay=False, help="labels.csv: add figures"
        ),
        hub_size: int = typer.Option(50, "--hub-size", min=2, help="values held by more customers are hubs"),
        faces: Path | None = typer.Option(
            None, "--faces", exists=True, dir_okay=False, help=".npz with customer_ids and embeddings (N x 128)"
        ),
        face_fmr: float = typer.Option(0.001, "--face-fmr", min=1e-9, max=0.5, help="the matcher's FMR at 0.6"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Link every KYC submission into an identity graph and print its rings with the shared attributes."""
        from warden.events.labels import read_labels
        from warden.events.readers import FileFormatError
        from warden.kyc.identity.evaluate import evaluate_rings
        from warden.kyc.identity.graph import attach_faces, build_graph
        from warden.kyc.identity.records import load_submissions

        try:
            loaded = load_submissions(events)
        except FileFormatError as exc:
            fail(str(exc))
        for error in loaded.errors[:20]:
            typer.echo(error, err=True)
        records = loaded.records
        if faces is not None:
            records = attach_faces(records, _read_faces(faces))
        graph = build_graph(records, hub_size=hub_size, face_fmr=face_fmr)
        result: dict[str, object] = {
            "version": graph.version,
            "submissions": len(loaded.records),
            "rejected": len(loaded.errors),
            "customers": graph.n_customers,
            "threshold_bits": round(graph.threshold_bits, 2),
            "links": len(graph.links),
            "rings": [ring.as_dict() for ring in graph.rings],
            "hubs": graph.hubs,
            "possible_duplicates": [link.as_dict() for link in graph.possible_duplicates],
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


def _read_faces(path: Path) -> dict[str, object]:
    import numpy as np

    try:
        data = np.load(path, allow_pickle=False)
        ids, vectors = data["customer_ids"], data["embeddings"]
    except (OSError, ValueError, KeyError) as exc:
        fail(f"{path}: not an .npz with customer_ids and embeddings ({exc})")
    if vectors.ndim != 2 or vectors.shape[1] != 128 or len(ids) != vectors.shape[0]:
        fail(f"{path}: embeddings must be {len(ids)} x 128, found {vectors.shape}")
    return {str(c): vectors[i] for i, c in enumerate(ids)}
