"""Ground truth per withdrawal for the exchange evaluation (labels.csv of the event contract).

Groups: `account_takeover` (fraud events of that typology), `coached_scam` (fraud or scam-victim events of
any other typology: pig butchering, impersonation, ...), `normal` (no label on the event nor on its customer),
`other` (laundering, mules, ...). Benign look-alikes are customers labelled `normal` with a `benign_*` typology.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

FRAUD_LABELS = ("fraud", "scam_victim")


def read_labels(path: Path) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema_length=0)
    missing = {"entity_type", "entity_id", "label"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path}:1: missing column(s) {', '.join(sorted(missing))}")
    for column in ("typology", "scenario_id"):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit("").alias(column))
    return frame.with_columns(pl.col("typology").fill_null(""))


def withdrawal_groups(withdrawals: pl.DataFrame, labels: pl.DataFrame) -> pl.DataFrame:
    """event_id, group, benign (the customer's benign typology or null), aligned with `withdrawals`."""
    events = (
        labels.filter(pl.col("entity_type") == "event")
        .select(
            pl.col("entity_id").alias("event_id"), pl.col("label").alias("e_label"), pl.col("typology").alias("e_typ")
        )
        .unique("event_id", keep="first")
    )
    customers = (
        labels.filter(pl.col("entity_type") == "customer")
        .select(
            pl.col("entity_id").alias("customer_id"),
            pl.col("label").alias("c_label"),
            pl.col("typology").alias("c_typ"),
        )
        .unique("customer_id", keep="first")
    )
    joined = (
        withdrawals.select("event_id", "customer_id")
        .join(events, on="event_id", how="left")
        .join(customers, on="customer_id", how="left")
    )
    e_label, c_label = pl.col("e_label").fill_null("normal"), pl.col("c_label").fill_null("normal")
    typology = pl.when(pl.col("e_typ").fill_null("") != "").then(pl.col("e_typ")).otherwise(pl.col("c_typ"))
    fraud = e_label.is_in(FRAUD_LABELS)
    group = (
        pl.when(fraud & (typology == "account_takeover"))
        .then(pl.lit("account_takeover"))
        .when(fraud)
        .then(pl.lit("coached_scam"))
        .when((e_label == "normal") & (c_label == "normal"))
        .then(pl.lit("normal"))
        .otherwise(pl.lit("other"))
    )
    benign = pl.when((c_label == "normal") & pl.col("c_typ").fill_null("").str.starts_with("benign_")).then(
        pl.col("c_typ")
    )
    return joined.select("event_id", group.alias("group"), benign.alias("benign"))
