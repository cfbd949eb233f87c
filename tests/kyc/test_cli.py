"""`warden eval kyc --json` prints the headline figures at its top level; an operator's manifest is read by
path and its errors name the line; `warden bench kyc` compares with an in-run reference."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from warden.cli import app
from warden.kyc.documents import dataset


def test_eval_kyc_json_headline() -> None:
    result = CliRunner().invoke(
        app, ["eval", "kyc", "--genuine", "1", "--per-species", "1", "--species", "editing_software", "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    for key in ("mrz_read_rate", "apcer_worst", "bpcer", "auto_decided_share", "attacks_auto_approved"):
        assert key in out
    assert out["mrz_read_rate"] == 1.0 and out["attacks_auto_approved"] == 0
    assert out["species"]["editing_software"]["apcer"] == 0.0
    assert out["not_measurable_here"]
    face = out["face_match"]  # FNMR at FMR 0.1 % with its sample, and why it cannot be resolved here
    assert face["n_distinct_faces"] == 1 and face["n_impostor_pairs"] == 0
    assert face["fnmr_at_fmr_0_001"] is None and face["resolvable"] is False
    assert face["n_genuine_pairs"] == 72 and face["failed_to_enrol"] == 0
    assert face["fnmr_at_threshold"] == 0.0 and face["threshold"] == 0.4
    assert "One real face" in face["caveat"]


def test_eval_kyc_operator_manifest(tmp_path: Path) -> None:
    sample = dataset.genuine(7, 0)
    (tmp_path / "front.jpg").write_bytes(sample.pages["front"])
    row = {
        "id": "doc-1",
        "species": "genuine",
        "pages": {"front": "front.jpg"},
        "declared": {"surname": sample.declared.surname, "birth_date": sample.declared.birth_date.isoformat()},
        "mrz": list(sample.truth.mrz),
    }
    manifest = tmp_path / "set.jsonl"
    manifest.write_text(json.dumps(row) + "\n" + json.dumps({"species": "genuine"}) + "\n")
    result = CliRunner().invoke(app, ["eval", "kyc", "--dataset", str(manifest), "--no-faces", "--json"])
    assert result.exit_code == 2
    assert f"{manifest}:2:" in result.output  # the bad line is named
    manifest.write_text(json.dumps(row) + "\n")
    result = CliRunner().invoke(app, ["eval", "kyc", "--dataset", str(manifest), "--no-faces", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["mrz_read_rate"] == 1.0


def test_bench_kyc_has_reference() -> None:
    result = CliRunner().invoke(app, ["bench", "kyc", "--images", "1", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["reference_seconds_per_page"] > 0 and out["ratio_to_reference"] > 1
