"""Facts learnt from the exchange's history: other services' shared memo deposit addresses.

A service that credits deposits by memo (another exchange, a payment processor) gives all its customers one
address and each of them a memo. Seen from here: on a memo network, an address that receives withdrawals
from several of our customers, always with a memo, and with a different memo for each customer. A scam's
collection address is the opposite: many customers, one recipient (no memo, or the same memo).
"""

from __future__ import annotations

import polars as pl

from warden.chain.addresses import canonical_address_expr
from warden.exchange.facts import ExchangeFacts, LearnedAddress

# The definition, not a tuned figure: "several customers" starts at three (two could be one household), every
# withdrawal carries a memo, and no two customers share one.
MIN_CUSTOMERS = 3


def learn_shared_memo_addresses(withdrawals: pl.DataFrame, facts: ExchangeFacts) -> list[LearnedAddress]:
    """Shared memo addresses of other services among the withdrawals' destinations (columns: customer_id,
    network, to_address, memo, occurred_at), each with its evidence; the exchange's own are left out."""
    needed = {"customer_id", "network", "to_address", "occurred_at"}
    if not needed <= set(withdrawals.columns) or not facts.memo_networks:
        return []
    frame = withdrawals
    if "memo" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.String).alias("memo"))
    memo = pl.col("memo").cast(pl.String)
    on_memo = frame.filter(
        pl.col("network").str.to_lowercase().is_in(facts.memo_networks) & pl.col("to_address").is_not_null()
    ).with_columns(
        canonical_address_expr(pl.col("to_address")).alias("address"),
        pl.when(memo.str.len_chars() > 0).then(memo).alias("memo_value"),
    )
    if on_memo.is_empty():
        return []
    # memos used by more than one customer at the same address: a shared recipient, not one per customer
    shared_memos = (
        on_memo.drop_nulls("memo_value")
        .group_by("address", "memo_value")
        .agg(pl.col("customer_id").n_unique().alias("n"))
        .filter(pl.col("n") > 1)
        .group_by("address")
        .agg(pl.len().alias("shared_memos"))
    )
    stats = (
        on_memo.group_by("address")
        .agg(
            pl.col("network").str.to_lowercase().first().alias("network"),
            pl.col("customer_id").n_unique().alias("customers"),
            pl.len().alias("withdrawals"),
            pl.col("memo_value").is_not_null().mean().alias("memo_share"),
            pl.col("memo_value").n_unique().alias("distinct_memos"),
            pl.col("occurred_at").min().cast(pl.String).alias("first_seen"),
            pl.col("occurred_at").max().cast(pl.String).alias("last_seen"),
        )
        .join(shared_memos, on="address", how="left")
        .with_columns(pl.col("shared_memos").fill_null(0))
        .filter((pl.col("customers") >= MIN_CUSTOMERS) & (pl.col("memo_share") == 1.0) & (pl.col("shared_memos") == 0))
        .sort("customers", "address", descending=[True, False])
    )
    own = facts.exchange_addresses()
    learned = []
    for row in stats.to_dicts():
        if row["address"] in own:
            continue
        evidence = {k: row[k] for k in ("customers", "withdrawals", "distinct_memos", "first_seen", "last_seen")}
        evidence["rule"] = f">= {MIN_CUSTOMERS} customers, every withdrawal with a memo, no memo shared"
        learned.append(
            LearnedAddress(
                network=row["network"], address=row["address"], kind="shared_memo_address", evidence=evidence
            )
        )
    return learned


def with_learned(facts: ExchangeFacts, learned: list[LearnedAddress]) -> ExchangeFacts:
    """The facts with `learned` in place of what was learnt before (given facts are kept as they are)."""
    return facts.model_copy(update={"learned": learned})
