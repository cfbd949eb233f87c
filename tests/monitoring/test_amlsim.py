import gzip
from pathlib import Path

import pytest

from warden.monitoring.amlsim import load_amlsim
from warden.monitoring.errors import InputError

REPO = Path(__file__).resolve().parents[2]


def _write(folder: Path, nodes: str, txs: str) -> Path:
    folder.mkdir()
    (folder / "nodes.csv").write_text(nodes)
    with gzip.open(folder / "transactions.csv.gz", "wt") as handle:
        handle.write(txs)
    return folder


def test_reads_tiny_sample(tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "s",
        "nodeid,isFraud,init_balance,fraudStep\n0,0,10.5,-1\n1,1,20,3\n2,0,5,-1\n",
        "sourceNodeId,targetNodeId,value,time\n0,1,100.5,1\n1,2,99,2\n",
    )
    data = load_amlsim(folder)
    assert data.accounts["label"].to_list() == [0, 1, 0]
    assert data.transactions.columns == ["src", "dst", "amount", "step"]
    assert data.transactions["amount"].to_list() == [100.5, 99.0]


@pytest.mark.parametrize(
    ("nodes", "txs", "where"),
    [
        (
            "nodeid,isFraud,init_balance,fraudStep\n0,0,1,-1\n1,x,1,-1\n",
            "sourceNodeId,targetNodeId,value,time\n",
            "nodes.csv:3",
        ),
        (
            "nodeid,isFraud,init_balance,fraudStep\n0,0,1,-1\n0,1,1,-1\n",
            "sourceNodeId,targetNodeId,value,time\n",
            "nodes.csv:3",
        ),
        (
            "nodeid,isFraud,init_balance,fraudStep\n0,0,1,-1\n",
            "sourceNodeId,targetNodeId,value,time\n0,0,1,1\n0,9,1,1\n",
            "transactions.csv.gz:3",
        ),
        (
            "nodeid,isFraud,init_balance,fraudStep\n0,0,1,-1\n",
            "sourceNodeId,targetNodeId,value,time\n0,0,abc,1\n",
            "transactions.csv.gz:2",
        ),
        ("nodeid,label\n0,0\n", "sourceNodeId,targetNodeId,value,time\n", "nodes.csv:1"),
    ],
)
def test_rejects_malformed_with_position(tmp_path: Path, nodes: str, txs: str, where: str) -> None:
    folder = _write(tmp_path / "s", nodes, txs)
    with pytest.raises(InputError) as err:
        load_amlsim(folder)
    assert f"{where}:" in str(err.value)


def test_shipped_sample_matches_its_metadata() -> None:
    data = load_amlsim(REPO / "data" / "amlsim" / "20K_cycle200")
    assert data.accounts.height == 20_000
    assert int(data.accounts["label"].sum()) == 945
    assert data.transactions.height == 117_805
