"""Money movements from the event contract into DuckDB: deposits, withdrawals, internal transfers.

Accepts a JSON Lines file (`.jsonl`, `.jsonl.gz`) or the Parquet history (a file, a folder such as
`warden-data/events`, or a glob). Only the columns detectors need are read. Amounts stay exact as
DECIMAL(38, 8) (`usd`); `usd_f` is a DOUBLE copy for ratios and thresholds.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from warden.monitoring.errors import InputError
from warden.monitoring.sql import run

MONEY_TYPES = ("deposit", "withdrawal", "transfer")
_JSON_COLUMNS = (
    "{event_id: 'VARCHAR', type: 'VARCHAR', occurred_at: 'VARCHAR', customer_id: 'VARCHAR', "
    "amount_usd: 'VARCHAR', counterparty_id: 'VARCHAR', to_address: 'VARCHAR', from_address: 'VARCHAR', "
    "network: 'VARCHAR', memo: 'VARCHAR', channel: 'VARCHAR'}"
)


def _source_sql(path: Path) -> str:
    text = str(path)
    if path.is_dir():
        # The history's day partitions only: files still in `_staging` belong to an unfinished ingest.
        pattern = "date=*/*.parquet" if any(path.glob("date=*")) else "**/*.parquet"
        return f"read_parquet('{text}/{pattern}', hive_partitioning = true, union_by_name = true)"
    suffixes = [s.lower() for s in path.suffixes]
    if ".parquet" in suffixes or "*" in text:
        return f"read_parquet('{text}', hive_partitioning = true, union_by_name = true)"
    if ".jsonl" in suffixes or ".ndjson" in suffixes or ".json" in suffixes:
        return f"read_json('{text}', format = 'newline_delimited', columns = {_JSON_COLUMNS})"
    raise InputError(path, None, "unknown events file type; use .jsonl[.gz], .parquet or the history folder")


def _optional_columns(con: duckdb.DuckDBPyConnection, source: str) -> str:
    """`network`, `memo`, `channel` where the source has them (the Parquet history keeps memo and channel in
    `payload`)."""
    have = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    network = "network" if "network" in have else "CAST(NULL AS VARCHAR)"
    if "memo" in have:
        memo = "CAST(memo AS VARCHAR)"
    elif "payload" in have:
        memo = "json_extract_string(payload, '$.memo')"
    else:
        memo = "CAST(NULL AS VARCHAR)"
    if "channel" in have:
        channel = "CAST(channel AS VARCHAR)"
    elif "payload" in have:
        channel = "json_extract_string(payload, '$.channel')"
    else:
        channel = "CAST(NULL AS VARCHAR)"
    return f"{network} AS network, nullif({memo}, '') AS memo, to_address AS to_addr, {channel} AS channel"


def load_movements(
    con: duckdb.DuckDBPyConnection, path: Path | str, since: datetime | None = None, until: datetime | None = None
) -> int:
    """Create table `mv` (one row per money movement) and return its row count."""
    path = Path(path)
    if not path.exists() and "*" not in str(path):
        raise InputError(path, None, "no such file or folder")
    if "'" in str(path):
        raise InputError(path, None, "path must not contain a quote")
    where = ["type IN ('deposit', 'withdrawal', 'transfer')"]
    if since is not None:
        where.append(f"ts >= TIMESTAMP '{since:%Y-%m-%d %H:%M:%S}'")
    if until is not None:
        where.append(f"ts < TIMESTAMP '{until:%Y-%m-%d %H:%M:%S}'")
    try:
        run(con, "SET TimeZone = 'UTC'")
        source = _source_sql(path)
        optional = _optional_columns(con, source)
        run(
            con,
            f"""
            CREATE OR REPLACE TABLE mv AS
            SELECT * FROM (
              SELECT event_id, type, customer_id, counterparty_id,
                     CAST(CAST(occurred_at AS TIMESTAMPTZ) AS TIMESTAMP) AS ts,
                     CAST(amount_usd AS DECIMAL(38, 8)) AS usd,
                     CAST(amount_usd AS DOUBLE) AS usd_f,
                     CASE WHEN type = 'deposit' THEN from_address ELSE to_address END AS address,
                     {optional}
              FROM {source}
              WHERE type IN ('deposit', 'withdrawal', 'transfer')
            ) WHERE {" AND ".join(where)}
            """,
        )
    except duckdb.Error as exc:
        raise InputError(path, None, f"cannot read events: {str(exc).splitlines()[0]}") from None
    bad = con.execute(
        "SELECT event_id FROM mv WHERE usd IS NULL OR ts IS NULL OR (type = 'transfer' AND counterparty_id IS NULL) "
        "LIMIT 1"
    ).fetchall()
    if bad:
        raise InputError(path, None, f"event {bad[0][0]}: money event without amount_usd, time or counterparty")
    run(
        con,
        "CREATE OR REPLACE VIEW tr AS SELECT event_id, customer_id AS src, counterparty_id AS dst, ts, usd, usd_f FROM mv WHERE type = 'transfer'",
    )
    run(
        con,
        "CREATE OR REPLACE VIEW dep AS SELECT event_id, customer_id AS cust, ts, usd, usd_f, address FROM mv WHERE type = 'deposit'",
    )
    run(
        con,
        "CREATE OR REPLACE VIEW wd AS SELECT event_id, customer_id AS cust, ts, usd, usd_f, address FROM mv WHERE type = 'withdrawal'",
    )
    return int(con.execute("SELECT count(*) FROM mv").fetchall()[0][0])
