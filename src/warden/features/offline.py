"""Batch, point-in-time features for training and backtests: the same names and values as the online store.

Everything is columnar. Window counts and sums are differences of per-key running totals looked up
strictly before t and strictly before t - w (as-of joins), so [t - w, t) is exact. Distinct counts merge
each value's occurrences into the intervals (s, s + w] during which it is inside the window and count the
intervals that cover t. "Last X before t" is an as-of join that refuses exact matches, so an event never
sees another event of the same instant, as online.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import numpy as np
import polars as pl

from warden.features.catalog import CREDENTIAL_FIELDS, FEATURE_NAMES, WINDOWS
from warden.features.facts import MEMO_SEPARATOR, US_PER_DAY, US_PER_HOUR, to_cents, to_micros
from warden.features.frame import FRAME_COLUMNS

US = 1_000_000
SPAN = {name: seconds * US for name, seconds in WINDOWS.items()}


class OfflineInputError(ValueError):
    """The events frame cannot be used; the message names the column and row."""


def _normalise(events: pl.DataFrame) -> pl.DataFrame:
    df = events
    for name, dtype in FRAME_COLUMNS.items():
        if name not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=dtype).alias(name))
    for name in ("event_id", "type", "occurred_at", "customer_id"):
        nulls = df[name].is_null()
        if nulls.any():
            row = int(nulls.arg_true()[0])
            raise OfflineInputError(f"row {row}: column {name!r} is required")
    ts = df["occurred_at"]
    if ts.dtype == pl.String:
        micros = [to_micros(datetime.fromisoformat(v)) for v in ts.to_list()]
    elif isinstance(ts.dtype, pl.Datetime):
        if ts.dtype.time_zone is None:
            raise OfflineInputError("column 'occurred_at' has no time zone; Warden times are UTC")
        micros = ts.dt.epoch("us").to_list()
    else:
        raise OfflineInputError(f"column 'occurred_at' has type {ts.dtype}; expected a UTC datetime")
    amounts = df["amount_usd"].cast(pl.String).to_list()
    cents = [None if a is None else to_cents(Decimal(a)) for a in amounts]
    kind = pl.col("type")
    is_login = kind == "login"
    memo = pl.col("memo").cast(pl.String)
    # who a payment reaches: the address, and the memo where it has one (facts.recipient_key)
    recipient = (
        pl.when(memo.is_not_null() & (memo.str.len_chars() > 0))
        .then(pl.concat_str(pl.col("to_address"), pl.lit(MEMO_SEPARATOR), memo))
        .otherwise(pl.col("to_address"))
    )
    success = pl.when(is_login).then(pl.col("success").fill_null(False)).otherwise(True)
    return (
        df.select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("rid"),
            pl.Series("ts", micros, dtype=pl.Int64),
            pl.Series("cents", cents, dtype=pl.Int64),
            kind,
            pl.col("customer_id").alias("cust"),
            pl.col("device_id").alias("device"),
            pl.col("ip"),
            is_login.alias("is_login"),
            success.alias("ok"),
            pl.when(is_login).then(pl.col("country")).alias("country"),
            pl.when(kind == "withdrawal").then(pl.col("to_address")).alias("dest"),
            pl.when(kind == "withdrawal").then(recipient).alias("dest_key"),
            pl.when(kind == "deposit").then(recipient).alias("deposit_own"),
            pl.when((kind == "deposit") & (pl.col("from_address") != recipient))
            .then(pl.col("from_address"))
            .alias("deposit_source"),
            pl.when(kind == "transfer").then(pl.col("counterparty_id")).alias("receiver"),
            pl.when(kind == "profile_change").then(pl.col("field")).alias("field"),
            pl.when(kind == "address_book_change").then(pl.col("action")).alias("action"),
            pl.when(kind == "address_book_change").then(pl.col("address")).alias("book_address"),
        )
        .with_columns(
            pl.when(pl.col("ok")).then(pl.col("device")).alias("seen_device"),
            pl.when(pl.col("is_login") & pl.col("ok")).then(pl.col("country")).alias("login_country"),
        )
        .sort("ts", "rid", maintain_order=True)
    )


def _asof(queries: pl.DataFrame, points: pl.DataFrame, by: list[str], at: str = "ts") -> pl.DataFrame:
    """For each query row (rid, keys, `at`), the last point row with time strictly before `at`."""
    q = queries.select("rid", *by, pl.col(at).alias("_at")).drop_nulls(by).sort("_at")
    p = points.rename({"ts": "_pt"}).sort("_pt")
    return q.join_asof(
        p, left_on="_at", right_on="_pt", by=by, strategy="backward", allow_exact_matches=False, check_sortedness=False
    )


def _running(points: pl.DataFrame, key: str, values: list[str]) -> pl.DataFrame:
    """Per-key running totals after each distinct time (ties collapsed so a lookup sees all of them)."""
    return (
        points.group_by(key, "ts")
        .agg(pl.col(v).sum() for v in values)
        .sort("ts")
        .with_columns(pl.col(v).cum_sum().over(key).alias(v) for v in values)
    )


def _window_totals(
    df: pl.DataFrame, points: pl.DataFrame, key: str, query_key: str, values: list[str], spans: dict[str, int]
) -> dict[str, dict[str, pl.Series]]:
    """{value: {window: totals over [t - w, t)}} aligned with df rows (sorted by rid)."""
    run = _running(points.rename({key: "_k"}), "_k", values)
    base = df.select("rid", pl.col(query_key).alias("_k"), "ts")

    def before(at: pl.Expr) -> pl.DataFrame:
        q = base.with_columns(at.alias("_q"))
        hit = _asof(q, run, ["_k"], at="_q").select("rid", *values)
        return base.select("rid").join(hit, on="rid", how="left").sort("rid").fill_null(0)

    now = before(pl.col("ts"))
    out: dict[str, dict[str, pl.Series]] = {v: {} for v in values}
    for name, span in spans.items():
        then = before(pl.col("ts") - span)
        for v in values:
            out[v][name] = now[v] - then[v]
    return out


def _distinct(df: pl.DataFrame, points: pl.DataFrame, key: str, query_key: str, span: int) -> pl.Series:
    """How many distinct `value`s a key had in [t - span, t), per df row (sorted by rid)."""
    occ = points.rename({key: "_k"}).unique(["_k", "value", "ts"]).sort("_k", "value", "ts")
    prev = pl.col("ts").shift(1).over("_k", "value")
    occ = occ.with_columns((prev.is_null() | (pl.col("ts") > prev + span)).cum_sum().over("_k", "value").alias("seg"))
    segs = occ.group_by("_k", "value", "seg").agg(pl.col("ts").min().alias("a"), (pl.col("ts").max() + span).alias("b"))
    deltas = pl.concat(
        [
            segs.select("_k", pl.col("a").alias("ts"), pl.lit(1, pl.Int64).alias("d")),
            segs.select("_k", pl.col("b").alias("ts"), pl.lit(-1, pl.Int64).alias("d")),
        ]
    )
    run = _running(deltas, "_k", ["d"])
    hit = _asof(df.select("rid", pl.col(query_key).alias("_k"), "ts"), run, ["_k"]).select("rid", "d")
    return df.select("rid").join(hit, on="rid", how="left").sort("rid")["d"].fill_null(0)


def _self_present(df: pl.DataFrame, points: pl.DataFrame, key: str, query_key: str, span: int) -> pl.Series:
    """Whether this row's customer itself occurred on the key in [t - span, t) (to count OTHER customers)."""
    occ = points.rename({key: "_k"}).select("_k", pl.col("value").alias("cust"), "ts", pl.col("ts").alias("_s"))
    hit = _asof(df.select("rid", pl.col(query_key).alias("_k"), "cust", "ts"), occ, ["_k", "cust"])
    hit = hit.select("rid", (pl.col("_s") >= pl.col("_at") - span).alias("p"))
    return df.select("rid").join(hit, on="rid", how="left").sort("rid")["p"].fill_null(False).cast(pl.Int64)


def _last(df: pl.DataFrame, points: pl.DataFrame, value_cols: list[str]) -> pl.DataFrame:
    """The customer's last point strictly before t: columns `value_cols`, aligned by rid."""
    hit = _asof(df.select("rid", "cust", "ts"), points, ["cust"]).select("rid", *value_cols)
    return df.select("rid").join(hit, on="rid", how="left").sort("rid")


def _ratio(numerator: pl.Expr, denominator: pl.Expr | int) -> pl.Expr:
    """A division kept as (n, d) until `_divide`: Polars divides by multiplying with the reciprocal, which
    can differ from Python's correctly rounded `/` in the last bit, and online and offline must be equal."""
    den = pl.lit(denominator, pl.Int64) if isinstance(denominator, int) else denominator
    return pl.struct(numerator.cast(pl.Int64).alias("n"), den.cast(pl.Int64).alias("d"))


def _divide(frame: pl.DataFrame) -> pl.DataFrame:
    """Turn every (n, d) struct column into n / d with IEEE division (numpy), nulls kept."""
    columns = []
    for name, dtype in frame.schema.items():
        column = frame[name]
        if isinstance(dtype, pl.Struct):
            nums = column.struct.field("n").cast(pl.Float64).to_numpy()
            dens = column.struct.field("d").cast(pl.Float64).to_numpy()
            with np.errstate(divide="ignore", invalid="ignore"):
                values = np.divide(nums, dens)
            column = pl.Series(name, values).fill_nan(None).scatter(column.is_null().arg_true(), None)
        columns.append(column)
    return pl.DataFrame(columns)


def _hours(t: pl.Expr, since: pl.Expr) -> pl.Expr:
    return _ratio(t - since, US_PER_HOUR)


def compute_features(events: pl.DataFrame) -> pl.DataFrame:
    """One row per input event (input order): `event_id` then every catalogue feature."""
    df = _normalise(events).sort("rid")
    kind = pl.col("type")

    def pts(frame: pl.DataFrame, **cols: pl.Expr) -> pl.DataFrame:
        return frame.select(*(e.alias(n) for n, e in cols.items()), "ts")

    one = pl.lit(1, pl.Int64)
    wd = df.filter((kind == "withdrawal") & pl.col("cents").is_not_null())
    dep = df.filter((kind == "deposit") & pl.col("cents").is_not_null())
    money_w = _window_totals(
        df, pts(wd, cust=pl.col("cust"), n=one, c=pl.col("cents")), "cust", "cust", ["n", "c"], SPAN
    )
    money_d = _window_totals(
        df, pts(dep, cust=pl.col("cust"), n=one, c=pl.col("cents")), "cust", "cust", ["n", "c"], SPAN
    )
    h24 = {"24h": SPAN["24h"]}
    transfers = df.filter((kind == "transfer") & pl.col("receiver").is_not_null())
    t_out = _window_totals(df, pts(transfers, cust=pl.col("cust"), n=one), "cust", "cust", ["n"], h24)["n"]["24h"]
    t_in = _window_totals(df, pts(transfers, cust=pl.col("receiver"), n=one), "cust", "cust", ["n"], h24)["n"]["24h"]
    logins = df.filter(pl.col("is_login"))
    ok = _window_totals(df, pts(logins.filter(pl.col("ok")), cust=pl.col("cust"), n=one), "cust", "cust", ["n"], h24)
    failed = _window_totals(
        df,
        pts(logins.filter(~pl.col("ok")), cust=pl.col("cust"), n=one),
        "cust",
        "cust",
        ["n"],
        {"1h": SPAN["1h"], "24h": SPAN["24h"]},
    )["n"]

    def customer_distinct(column: str, span: int) -> pl.Series:
        points = df.filter(pl.col(column).is_not_null()).select("cust", pl.col(column).alias("value"), "ts")
        return _distinct(df, points, "cust", "cust", span)

    def other_customers(key_col: str, query_col: str, span: int) -> pl.Series:
        points = df.filter(pl.col(key_col).is_not_null()).select(
            pl.col(key_col).alias("k"), pl.col("cust").alias("value"), "ts"
        )
        return _distinct(df, points, "k", query_col, span) - _self_present(df, points, "k", query_col, span)

    def payee_customers() -> pl.Series:
        """OTHER customers whose deposits went to or came from the row's destination in [t - 30d, t)."""
        points = pl.concat(
            [
                df.filter(pl.col(c).is_not_null()).select(pl.col(c).alias("k"), pl.col("cust").alias("value"), "ts")
                for c in ("deposit_own", "deposit_source")
            ]
        )
        span = SPAN["30d"]
        return _distinct(df, points, "k", "dest_key", span) - _self_present(df, points, "k", "dest_key", span)

    # first-seen times per (customer, thing), over all time; "< t" then means "seen before t"
    device_first = df.group_by("cust", "seen_device").agg(pl.col("ts").min().alias("device_first")).drop_nulls()
    country_first = df.group_by("cust", "login_country").agg(pl.col("ts").min().alias("country_first")).drop_nulls()
    addresses = pl.concat(
        [
            df.select("cust", pl.col("book_address").alias("addr"), "ts"),
            df.select("cust", pl.col("dest").alias("addr"), "ts"),
        ]
    ).drop_nulls()
    address_first = addresses.group_by("cust", "addr").agg(pl.col("ts").min().alias("address_first"))

    base = (
        df.join(device_first, left_on=["cust", "device"], right_on=["cust", "seen_device"], how="left")
        .join(country_first, left_on=["cust", "country"], right_on=["cust", "login_country"], how="left")
        .join(address_first, left_on=["cust", "dest"], right_on=["cust", "addr"], how="left")
        .join(df.group_by("cust").agg(pl.col("ts").min().alias("first_ts")), on="cust", how="left")
        .sort("rid")
    )

    ok_logins = base.filter(pl.col("login_country").is_not_null())
    login_flags = ok_logins.select("cust", "ts", (pl.col("country_first") == pl.col("ts")).alias("login_new_country"))
    last_login = _last(df, login_flags, ["login_new_country"])
    new_device_logins = base.filter(
        pl.col("is_login") & pl.col("seen_device").is_not_null() & (pl.col("device_first") == pl.col("ts"))
    ).select("cust", "ts", pl.col("ts").alias("new_device_login"))

    def last_time(frame: pl.DataFrame, name: str) -> pl.Series:
        return _last(df, frame.select("cust", "ts", pl.col("ts").alias(name)), [name])[name]

    book = df.filter(pl.col("book_address").is_not_null()).select(
        "cust", pl.col("book_address").alias("dest"), "ts", (pl.col("action") == "add").alias("in_book")
    )
    in_book = _asof(df.select("rid", "cust", "dest", "ts"), book, ["cust", "dest"]).select("rid", "in_book")
    in_book_s = df.select("rid").join(in_book, on="rid", how="left").sort("rid")["in_book"].fill_null(False)

    max_w = (
        df.select(
            "rid",
            "cust",
            "ts",
            pl.when((kind == "withdrawal") & pl.col("cents").is_not_null())
            .then(pl.col("cents"))
            .otherwise(-1)
            .alias("v"),
        )
        .sort("cust", "ts", "rid")
        .with_columns(
            pl.col("v").rolling_max_by("ts", window_size=f"{SPAN['30d']}i", closed="left").over("cust").alias("m")
        )
        .sort("rid")["m"]
    )

    cols: dict[str, pl.Series | pl.Expr] = {}
    for w in WINDOWS:
        cols[f"customer_withdrawal_count_{w}"] = money_w["n"][w]
        cols[f"_wsum_{w}"] = money_w["c"][w]
        cols[f"customer_deposit_count_{w}"] = money_d["n"][w]
        cols[f"_dsum_{w}"] = money_d["c"][w]
    t = pl.col("ts")
    is_w = (kind == "withdrawal") & pl.col("dest").is_not_null()
    w30, c30 = money_w["n"]["30d"], money_w["c"]["30d"]
    d24, c24 = money_d["c"]["24h"], money_w["c"]["24h"]
    cols.update(
        {
            "customer_transfer_out_count_24h": t_out,
            "customer_transfer_in_count_24h": t_in,
            "customer_login_count_24h": ok["n"]["24h"],
            "customer_failed_login_count_1h": failed["1h"],
            "customer_failed_login_count_24h": failed["24h"],
            "customer_distinct_devices_30d": customer_distinct("seen_device", SPAN["30d"]),
            "customer_distinct_ips_24h": customer_distinct("ip", SPAN["24h"]),
            "customer_distinct_countries_30d": customer_distinct("login_country", SPAN["30d"]),
            "customer_distinct_withdrawal_addresses_7d": customer_distinct("dest", SPAN["7d"]),
            "_max": max_w,
            "_new_login_country": last_login["login_new_country"],
            "_new_device_login": _last(df, new_device_logins, ["new_device_login"])["new_device_login"],
            "_in_book": in_book_s,
            "_addr_others": other_customers("dest_key", "dest_key", SPAN["30d"]),
            "_payee_others": payee_customers(),
            "_dev_others": other_customers("seen_device", "device", SPAN["30d"]),
            "_ip_others": other_customers("ip", "ip", SPAN["24h"]),
            "_cred": last_time(df.filter(pl.col("field").is_in(sorted(CREDENTIAL_FIELDS))), "t"),
            "_white": last_time(
                df.filter((pl.col("field") == "withdrawal_whitelist") | (kind == "address_book_change")), "t"
            ),
            "_activity": last_time(df, "t"),
            "_deposit": last_time(dep, "t"),
            "_w30": w30,
            "_c30": c30,
            "_d24": d24,
            "_c24": c24,
        }
    )
    wide = base.with_columns(**cols)
    seen_dev = pl.col("device_first").is_not_null() & (pl.col("device_first") < t)
    seen_addr = pl.col("address_first").is_not_null() & (pl.col("address_first") < t)
    own = pl.when(kind == "withdrawal").then(pl.col("cents")).otherwise(0).fill_null(0)
    result = wide.with_columns(
        **{f"customer_withdrawal_sum_usd_{w}": _ratio(pl.col(f"_wsum_{w}"), 100) for w in WINDOWS},
        **{f"customer_deposit_sum_usd_{w}": _ratio(pl.col(f"_dsum_{w}"), 100) for w in WINDOWS},
        customer_max_withdrawal_usd_30d=pl.when(pl.col("_max") >= 0).then(_ratio(pl.col("_max"), 100)),
        is_new_device=pl.col("device").is_not_null() & ~seen_dev,
        device_age_hours=pl.when(seen_dev).then(_hours(t, pl.col("device_first"))),
        is_new_country=pl.when(pl.col("is_login"))
        .then(pl.col("country").is_not_null() & (pl.col("country_first").is_null() | (pl.col("country_first") >= t)))
        .otherwise(pl.col("_new_login_country").fill_null(False)),
        hours_since_new_device_login=_hours(t, pl.col("_new_device_login")),
        is_new_address=is_w & ~seen_addr,
        address_age_hours=pl.when(is_w & seen_addr).then(_hours(t, pl.col("address_first"))),
        address_in_address_book=is_w & pl.col("_in_book"),
        address_distinct_customers_30d=pl.when(is_w).then(pl.col("_addr_others")).otherwise(0),
        destination_customers_30d=pl.when(is_w).then(pl.col("_payee_others")).otherwise(0),
        device_distinct_customers_30d=pl.when(pl.col("device").is_not_null()).then(pl.col("_dev_others")).otherwise(0),
        ip_distinct_customers_24h=pl.when(pl.col("ip").is_not_null()).then(pl.col("_ip_others")).otherwise(0),
        hours_since_credential_change=_hours(t, pl.col("_cred")),
        hours_since_whitelist_change=_hours(t, pl.col("_white")),
        hours_since_last_activity=_hours(t, pl.col("_activity")),
        account_age_days=_ratio(t - pl.col("first_ts"), US_PER_DAY),
        hours_since_last_deposit=_hours(t, pl.col("_deposit")),
        amount_usd_to_avg_withdrawal_30d=pl.when(
            pl.col("cents").is_not_null() & (pl.col("_w30") > 0) & (pl.col("_c30") != 0)
        ).then(_ratio(pl.col("cents") * pl.col("_w30"), pl.col("_c30"))),
        withdrawal_share_of_deposits_24h=pl.when(pl.col("_d24") != 0).then(
            _ratio(pl.col("_c24") + own, pl.col("_d24"))
        ),
        hour_utc=(t // US_PER_HOUR) % 24,
    )
    event_ids = events["event_id"]
    return _divide(result.sort("rid").select(pl.Series("event_id", event_ids), *FEATURE_NAMES))
