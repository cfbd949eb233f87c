"""Importer for IBM AMLSim's classic output (`nodes.csv[.gz]`, `transactions.csv[.gz]`).

Columns: nodes `nodeid, isFraud, init_balance, fraudStep`; transactions
`sourceNodeId, targetNodeId, value, time` (time is a simulation step). `fraudStep` is not a documented
label, so it is read for completeness and never used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from warden.monitoring.errors import InputError

NODE_COLUMNS = ("nodeid", "isFraud", "init_balance", "fraudStep")
TX_COLUMNS = ("sourceNodeId", "targetNodeId", "value", "time")


@dataclass(frozen=True)
class AmlSimData:
    """Accounts (`account`, `label`, `init_balance`) and transactions (`src`, `dst`, `amount`, `step`)."""

    accounts: pl.DataFrame
    transactions: pl.DataFrame
    name: str


def _find(directory: Path, stem: str) -> Path:
    for candidate in (directory / f"{stem}.csv.gz", directory / f"{stem}.csv"):
        if candidate.exists():
            return candidate
    raise InputError(directory, None, f"no {stem}.csv or {stem}.csv.gz here")


def _read(path: Path, columns: tuple[str, ...], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    raw = pl.read_csv(path, infer_schema=False)  # all strings first, so a bad cell can be located
    missing = [c for c in columns if c not in raw.columns]
    if missing:
        raise InputError(path, 1, f"header lacks column(s) {', '.join(missing)}; expected {', '.join(columns)}")
    out = raw.select(columns).with_row_index("_line", offset=2)
    for column, dtype in schema.items():
        cast = out[column].cast(dtype, strict=False)
        bad = out.filter(cast.is_null())
        if bad.height:
            row = bad.row(0, named=True)
            raise InputError(path, int(row["_line"]), f"{column}={row[column]!r} is not a valid {dtype}")
        out = out.with_columns(cast.alias(column))
    return out


def load_amlsim(directory: Path | str) -> AmlSimData:
    """Read one AMLSim sample folder, rejecting malformed rows with their file:line."""
    directory = Path(directory)
    nodes_path = _find(directory, "nodes")
    tx_path = _find(directory, "transactions")
    nodes = _read(nodes_path, NODE_COLUMNS, {"nodeid": pl.Int64(), "isFraud": pl.Int8(), "init_balance": pl.Float64()})
    bad_label = nodes.filter(~pl.col("isFraud").is_in([0, 1]))
    if bad_label.height:
        raise InputError(nodes_path, int(bad_label["_line"][0]), "isFraud must be 0 or 1")
    dup = nodes.filter(~pl.col("nodeid").is_first_distinct())
    if dup.height:
        raise InputError(nodes_path, int(dup["_line"][0]), f"nodeid {dup['nodeid'][0]} appears twice")
    txs = _read(
        tx_path,
        TX_COLUMNS,
        {"sourceNodeId": pl.Int64(), "targetNodeId": pl.Int64(), "value": pl.Float64(), "time": pl.Int64()},
    )
    known = nodes["nodeid"]
    unknown = txs.filter(
        ~pl.col("sourceNodeId").is_in(known.implode()) | ~pl.col("targetNodeId").is_in(known.implode())
    )
    if unknown.height:
        raise InputError(tx_path, int(unknown["_line"][0]), "transaction names an account not in nodes")
    accounts = nodes.select(
        pl.col("nodeid").alias("account"), pl.col("isFraud").alias("label"), pl.col("init_balance")
    ).sort("account")
    transactions = txs.select(
        pl.col("sourceNodeId").alias("src"),
        pl.col("targetNodeId").alias("dst"),
        pl.col("value").alias("amount"),
        pl.col("time").alias("step"),
    )
    return AmlSimData(accounts=accounts, transactions=transactions, name=directory.name)
