"""`warden eval kyc`, `warden kyc refit` and `warden kyc purge`: the document check's quality, the decision
thresholds refitted from reviewers' verdicts, and the retention of stored images."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from warden.cli.common import emit, fail, print_json, settings_or_exit
from warden.cli.groups import eval_app, kyc_app


def one_core() -> None:
    # one core, as the target is stated; the OCR engine is built with one thread too
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


def register(app: typer.Typer) -> None:
    @eval_app.command("kyc")
    def eval_kyc(
        genuine: int = typer.Option(20, min=1, help="genuine documents rendered (half passports, half ID cards)"),
        per_species: int = typer.Option(10, min=0, help="attacks rendered per species (0: genuine only)"),
        seed: int = typer.Option(7),
        species: list[str] = typer.Option([], help="attack species (repeat); default all"),
        ocr: str = typer.Option("rapidocr", help="rapidocr (default) or tesseract (Debian package, optional)"),
        dataset: Path | None = typer.Option(
            None, help="your own labelled set: a JSON-lines manifest (see docs/kyc.md); never downloaded"
        ),
        face_pairs: Path | None = typer.Option(
            None, help="your own consented face pairs (CSV image_a,image_b,same) for the face_match block"
        ),
        faces: bool = typer.Option(True, "--faces/--no-faces", help="the face_match block (about 10 CPU seconds)"),
        as_json: bool = typer.Option(False, "--json/--no-json"),
    ) -> None:
        """Document check on the rendered set: MRZ read rate, APCER per attack species, BPCER, share decided;
        face match FNMR at FMR 0.1 % with its sample size."""
        one_core()
        from warden.kyc.documents.attacks import SPECIES
        from warden.kyc.evaluate import evaluate
        from warden.kyc.ocr import OcrUnavailable

        unknown = sorted(set(species) - set(SPECIES))
        if unknown:
            fail(f"unknown species {', '.join(unknown)}: one of {', '.join(SPECIES)}")
        if dataset is not None and not dataset.is_file():
            fail(f"{dataset}: no such manifest")
        if face_pairs is not None and not face_pairs.is_file():
            fail(f"{face_pairs}: no such pairs file")
        try:
            result = evaluate(
                seed=seed, genuine=genuine, per_species=per_species, species=tuple(species) or SPECIES,
                ocr=ocr, manifest=dataset, faces=faces, face_pairs=face_pairs,
            )  # fmt: skip
        except OcrUnavailable as exc:
            fail(str(exc))
        except ValueError as exc:
            fail(str(exc))
        emit(result, as_json)

    @kyc_app.command("refit")
    def refit_cmd(
        record: bool = typer.Option(False, "--record", help="store it as the next version; sessions then use it"),
        actor: str = typer.Option("cli", help="who records it (goes on the audit log)"),
        as_json: bool = typer.Option(True, "--json/--no-json"),
    ) -> None:
        """Refit the KYC decision thresholds from reviewers' verdicts: the new configuration, its diff from the
        active one, and what each threshold learned from how many labels (shown; stored with --record)."""
        from warden.kyc.refit import record_config, refit
        from warden.store.db import open_store

        store = open_store(settings_or_exit())
        with store.engine.begin() as conn:
            fitted = refit(conn)
            fitted["recorded"] = record_config(conn, fitted, actor=actor) if record else None
        emit(fitted, as_json)

    @kyc_app.command("faces-export")
    def faces_export(
        out: Path = typer.Option(..., "--out", dir_okay=False, help=".npz to write (biometric data: keep it safe)"),
        actor: str = typer.Option("cli", help="who exports (goes on the audit log)"),
    ) -> None:
        """Verified customers' live faces, for `warden kyc rings --faces`: the graph's rings then rest on the same
        faces as the 1:N search inside sessions. Audited."""
        import numpy as np

        from warden.audit.log import append_audit
        from warden.kyc.face_search import verified_faces
        from warden.store.db import open_store

        store = open_store(settings_or_exit())
        with store.engine.begin() as conn:
            ids, vectors = verified_faces(conn)
            append_audit(conn, actor=actor, action="kyc.faces.export", subject=str(out), after={"faces": len(ids)})
        with open(out, "wb") as handle:
            np.savez(handle, customer_ids=np.asarray(ids, dtype=str), embeddings=vectors)
        print_json({"faces": len(ids), "out": str(out)})

    @kyc_app.command("purge")
    def purge() -> None:
        """Delete stored KYC images whose retention (WARDEN_KYC_RETENTION_DAYS) has run out."""
        from warden.kyc.repository import purge_expired
        from warden.store.db import open_store

        settings = settings_or_exit()
        store = open_store(settings)
        with store.engine.begin() as conn:
            n = purge_expired(conn, Path(settings.data_dir))
        print_json({"purged": n, "retention_days": settings.kyc_retention_days})
