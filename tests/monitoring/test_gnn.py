import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from warden.cli import app
from warden.monitoring import gnn


def _tiny_amlsim(folder: Path) -> Path:
    """300 accounts; every tenth launders in a ring among themselves (as in test_store_and_cli)."""
    rng = np.random.default_rng(3)
    folder.mkdir()
    bad = set(range(0, 300, 10))
    (folder / "nodes.csv").write_text(
        "nodeid,isFraud,init_balance,fraudStep\n" + "".join(f"{i},{int(i in bad)},100,-1\n" for i in range(300))
    )
    rows = [
        f"{i},{int(rng.integers(300))},{rng.uniform(100, 600):.2f},{int(rng.integers(1, 50))}"
        for i in range(300)
        for _ in range(3)
    ]
    ring = sorted(bad)
    rows += [f"{a},{b},50.00,{k + 1}" for k, (a, b) in enumerate(zip(ring, ring[1:] + ring[:1], strict=True))]
    (folder / "transactions.csv").write_text("sourceNodeId,targetNodeId,value,time\n" + "\n".join(rows) + "\n")
    return folder


def test_gnn_needs_its_extra_or_runs_the_same_protocol(tmp_path: Path) -> None:
    folder = _tiny_amlsim(tmp_path / "aml")
    args = ["eval", "aml", "--format", "amlsim", "--path", str(folder), "--folds", "2", "--model", "gnn", "--json"]
    result = CliRunner().invoke(app, args)
    if not gnn.available():
        assert result.exit_code != 0 and "warden[gnn]" in result.output
        return
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["versions"]["model"] == gnn.GNN_VERSION and report["pr_auc"] > 0.5


def test_gnn_is_only_for_amlsim(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "aml", "--format", "elliptic", "--path", str(tmp_path), "--model", "gnn"])
    assert result.exit_code != 0 and "--model 'gnn'" in result.output
