"""AMLworld and Elliptic importers on tiny files written in their exact formats."""

from pathlib import Path

import numpy as np
import pytest

from warden.monitoring.account_model import ModelParams
from warden.monitoring.amlworld import HEADER, load_amlworld
from warden.monitoring.elliptic import evaluate_elliptic, load_elliptic
from warden.monitoring.errors import InputError

AMLWORLD_ROWS = [
    "2022/09/01 00:20,010,8000EBD30,010,8000EBD30,3697.34,US Dollar,3697.34,US Dollar,Reinvestment,0",
    "2022/09/01 00:20,3208,8000F4580,001,8000F5340,0.01,US Dollar,0.01,US Dollar,Cheque,0",
    "2022/09/01 02:10,001,8000F5340,1,8000F4FD0,14675.57,US Dollar,14675.57,US Dollar,ACH,1",
]


def _amlworld(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "HI-Small_Trans.csv"
    path.write_text(",".join(HEADER) + "\n" + "\n".join(rows) + "\n")
    return path


def test_amlworld_accounts_and_labels(tmp_path: Path) -> None:
    data = load_amlworld(_amlworld(tmp_path, AMLWORLD_ROWS))
    assert len(data.labels) == 4  # (bank, account) pairs
    assert int(data.labels.sum()) == 2  # both parties of the laundering payment
    assert data.transactions["step"].to_list() == [0, 0, 1]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("2022-09-01 00:20,010,A,010,B,1,US Dollar,1,US Dollar,ACH,0", "Timestamp"),
        ("2022/09/01 00:20,010,A,010,B,1,US Dollar,x,US Dollar,ACH,0", "Amount Paid"),
        ("2022/09/01 00:20,010,A,010,B,1,US Dollar,1,US Dollar,ACH,2", "Is Laundering"),
        ("2022/09/01 00:20,010,A,010,B", "expected 11 fields"),
    ],
)
def test_amlworld_rejects_bad_rows_with_line(tmp_path: Path, row: str, reason: str) -> None:
    path = _amlworld(tmp_path, [AMLWORLD_ROWS[0], row])
    with pytest.raises(InputError) as err:
        load_amlworld(path)
    assert f"{path}:3: " in str(err.value) and reason in str(err.value)


def _elliptic(tmp_path: Path, n: int = 240) -> Path:
    rng = np.random.default_rng(1)
    steps = np.arange(n) % 49 + 1
    label = (rng.random(n) < 0.3).astype(int)
    lines = []
    for i in range(n):
        feats = [label[i] + rng.normal(0, 0.1), rng.normal()]
        lines.append(",".join([str(1000 + i), str(steps[i]), *(f"{f:.4f}" for f in feats)]))
    (tmp_path / "elliptic_txs_features.csv").write_text("\n".join(lines) + "\n")
    classes = ["txId,class"] + [f"{1000 + i},{'1' if label[i] else '2'}" for i in range(n - 5)]
    classes += [f"{1000 + i},unknown" for i in range(n - 5, n)]
    (tmp_path / "elliptic_txs_classes.csv").write_text("\n".join(classes) + "\n")
    edges = ["txId1,txId2"] + [f"{1000 + i},{1000 + (i + 1) % n}" for i in range(n)]
    (tmp_path / "elliptic_txs_edgelist.csv").write_text("\n".join(edges) + "\n")
    return tmp_path


def test_elliptic_temporal_protocol(tmp_path: Path) -> None:
    data = load_elliptic(_elliptic(tmp_path))
    assert data.labels["label"].null_count() == 5
    result = evaluate_elliptic(data, ModelParams(n_estimators=20, n_jobs=1, min_child_samples=5))
    assert result["test_transactions"] > 0 and result["f1"] > 0.8


def test_elliptic_rejects_bad_class_and_number(tmp_path: Path) -> None:
    folder = _elliptic(tmp_path)
    classes = folder / "elliptic_txs_classes.csv"
    classes.write_text("txId,class\n1000,1\n1001,illicit\n")
    with pytest.raises(InputError, match=r"elliptic_txs_classes\.csv:3: class 'illicit'"):
        load_elliptic(folder)
    features = folder / "elliptic_txs_features.csv"
    features.write_text("1000,1,0.5\n1001,1,abc\n")
    with pytest.raises(InputError, match=r"elliptic_txs_features\.csv:2: column"):
        load_elliptic(folder)
