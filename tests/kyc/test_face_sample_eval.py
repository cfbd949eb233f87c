"""The face_match block of `warden eval kyc`: FNMR at FMR 0.1 % only when the impostor pairs can resolve it,
with the sample's size and kind always stated; an operator's own pairs take the sample's place."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from warden.cli import app
from warden.kyc.faces.models import load_models
from warden.kyc.faces.sample_eval import _block, selfie_views

NO_FACE = Path(__file__).parent / "data" / "camera_no_frontal_face.jpg"


def test_enough_impostors_set_the_threshold_at_fmr_one_in_a_thousand() -> None:
    rng = np.random.default_rng(3)
    impostor = [*rng.uniform(0.0, 0.3, 2997), 0.55, 0.6, 0.7]  # three impostors score high
    genuine = list(rng.uniform(0.5, 0.9, 200))
    out = _block(genuine, impostor, n_distinct_faces=100, data="t", caveat="t", failed=[], models=load_models())
    assert out["resolvable"] and out["min_resolvable_fmr"] == round(1 / 3000, 6)
    # at most 3 of 3000 impostors (0.1 %) may pass: the threshold sits just above the 4th highest
    assert 0.3 > out["threshold"] > max(impostor[:2997]) - 1e-9
    assert out["fnmr_at_fmr_0_001"] == 0.0 and out["n_impostor_pairs"] == 3000


def test_without_impostors_nothing_is_invented() -> None:
    out = _block([0.6, 0.35], [], n_distinct_faces=1, data="t", caveat="t", failed=[], models=load_models())
    assert out["fnmr_at_fmr_0_001"] is None and not out["resolvable"] and out["min_resolvable_fmr"] is None
    assert out["threshold"] == 0.4 and out["fnmr_at_threshold"] == 0.5  # 0.35 is below the deployed 0.4


def test_operator_pairs_replace_the_sample(tmp_path: Path) -> None:
    views = selfie_views()[:3]
    for name, data in views:
        (tmp_path / f"{name}.jpg").write_bytes(data)
    (tmp_path / "none.jpg").write_bytes(NO_FACE.read_bytes())
    rows = ["image_a,image_b,same", f"{views[0][0]}.jpg,{views[1][0]}.jpg,1", f"{views[0][0]}.jpg,{views[2][0]}.jpg,1"]
    rows.append(f"{views[0][0]}.jpg,none.jpg,0")
    (tmp_path / "pairs.csv").write_text("\n".join(rows) + "\n")
    result = CliRunner().invoke(
        app,
        ["eval", "kyc", "--genuine", "1", "--per-species", "0", "--face-pairs", str(tmp_path / "pairs.csv"), "--json"],
    )
    assert result.exit_code == 0, result.output
    face = json.loads(result.output)["face_match"]
    assert face["n_genuine_pairs"] == 2 and face["n_impostor_pairs"] == 0 and face["failed_to_enrol"] == 1
    assert face["n_distinct_faces"] is None and "operator pairs" in face["data"]
    result = CliRunner().invoke(app, ["eval", "kyc", "--face-pairs", str(tmp_path / "nope.csv"), "--json"])
    assert result.exit_code != 0 and "no such pairs file" in result.output
