"""Importer for IBM AMLworld transaction files (`HI-Small_Trans.csv` and siblings; Altman et al. 2023).

Header: `Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,
Payment Currency,Payment Format,Is Laundering` (the two `Account` columns are sender and receiver). An
account is (bank, account). Accounts become dense indexes; steps are hours since the first transaction.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl

from warden.monitoring.aml_eval import LabelledGraph
from warden.monitoring.errors import InputError

HEADER = (
    "Timestamp",
    "From Bank",
    "Account",
    "To Bank",
    "Account",
    "Amount Received",
    "Receiving Currency",
    "Amount Paid",
    "Payment Currency",
    "Payment Format",
    "Is Laundering",
)
_TIME_FORMAT = "%Y/%m/%d %H:%M"


def load_amlworld(path: Path | str) -> LabelledGraph:
    """Transactions over dense account indexes; an account is positive when it took part in laundering."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, None, "no such file")
    src: list[str] = []
    dst: list[str] = []
    amounts: list[float] = []
    hours: list[float] = []
    flags: list[int] = []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != HEADER:
            raise InputError(path, 1, f"header must be {','.join(HEADER)}")
        for line, row in enumerate(reader, start=2):
            if len(row) != len(HEADER):
                raise InputError(path, line, f"expected {len(HEADER)} fields, found {len(row)}")
            try:
                at = datetime.strptime(row[0], _TIME_FORMAT)
            except ValueError:
                raise InputError(path, line, f"Timestamp {row[0]!r} is not YYYY/MM/DD HH:MM") from None
            try:
                paid = float(row[7])
            except ValueError:
                raise InputError(path, line, f"Amount Paid {row[7]!r} is not a number") from None
            if row[10] not in ("0", "1"):
                raise InputError(path, line, f"Is Laundering must be 0 or 1, found {row[10]!r}")
            src.append(f"{row[1]}:{row[2]}")
            dst.append(f"{row[3]}:{row[4]}")
            amounts.append(paid)
            hours.append(at.timestamp() / 3600)
            flags.append(int(row[10]))
    if not src:
        raise InputError(path, 2, "no transactions")
    names = sorted(set(src) | set(dst))
    index = {name: i for i, name in enumerate(names)}
    first = min(hours)
    tx = pl.DataFrame(
        {
            "src": [index[s] for s in src],
            "dst": [index[d] for d in dst],
            "amount": amounts,
            "step": [int(h - first) for h in hours],
            "laundering": flags,
        }
    )
    labels = np.zeros(len(names), dtype=np.int8)
    bad = tx.filter(pl.col("laundering") == 1)
    labels[bad["src"].to_numpy()] = 1
    labels[bad["dst"].to_numpy()] = 1
    return LabelledGraph(name=path.name, transactions=tx.drop("laundering"), labels=labels)
