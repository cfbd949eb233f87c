"""Unsupervised anomaly score per customer: IsolationForest on money-movement behaviour.

Scores rank customers; they do not raise alerts on their own (that would flood reviewers), they are
attached to alerts as evidence and written beside them.
"""

from __future__ import annotations

import duckdb
import numpy as np
from sklearn.ensemble import IsolationForest

ANOMALY_VERSION = "iforest-behaviour-1"

_BEHAVIOUR_SQL = """
WITH legs AS (
  SELECT customer_id AS cust, type, usd_f, counterparty_id AS other, ts FROM mv
  UNION ALL SELECT counterparty_id, 'transfer_in', usd_f, customer_id, ts FROM mv WHERE type = 'transfer'
)
SELECT cust,
  count(*) FILTER (type = 'deposit') AS n_dep, coalesce(sum(usd_f) FILTER (type = 'deposit'), 0) AS usd_dep,
  count(*) FILTER (type = 'withdrawal') AS n_wd, coalesce(sum(usd_f) FILTER (type = 'withdrawal'), 0) AS usd_wd,
  count(*) FILTER (type = 'transfer') AS n_out, coalesce(sum(usd_f) FILTER (type = 'transfer'), 0) AS usd_out,
  count(*) FILTER (type = 'transfer_in') AS n_in, coalesce(sum(usd_f) FILTER (type = 'transfer_in'), 0) AS usd_in,
  count(DISTINCT other) AS partners, max(usd_f) AS max_usd,
  count(DISTINCT date_trunc('day', ts)) AS active_days
FROM legs GROUP BY cust ORDER BY cust
"""


def anomaly_scores(con: duckdb.DuckDBPyConnection, seed: int = 0) -> dict[str, float]:
    """Score in [0, 1] per customer with money movements (1 = most unusual)."""
    result = con.execute(_BEHAVIOUR_SQL).fetchnumpy()  # ordered: the forest's sample depends on row order
    customers = [str(c) for c in result["cust"]]
    if len(customers) < 10:
        return dict.fromkeys(customers, 0.0)
    x = np.column_stack([np.asarray(v, dtype=np.float64) for k, v in result.items() if k != "cust"])
    x = np.log1p(np.maximum(x, 0.0))  # heavy-tailed sums and counts
    model = IsolationForest(n_estimators=100, random_state=seed, n_jobs=1).fit(x)
    raw = -model.score_samples(x)
    lo, hi = float(raw.min()), float(raw.max())
    scaled = (raw - lo) / (hi - lo) if hi > lo else np.zeros_like(raw)
    return {c: round(float(s), 4) for c, s in zip(customers, scaled, strict=True)}
