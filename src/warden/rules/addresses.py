"""Address-poisoning helpers shared by the row and the vectorised evaluator, so both agree to the character.

Addresses are compared in their canonical form (`warden.chain.addresses`). Address poisoning copies the first and last characters of an address the victim used before; we count
matching leading and trailing characters, each capped at ENDS_CAP, after dropping a `0x` prefix that every
EVM address shares.
"""

from __future__ import annotations

import numpy as np
import polars as pl

ENDS_CAP = 10  # attackers grind vanity addresses matching 4-8 characters at each end; more adds nothing
POISONING_MIN_CHARS = 6  # first + last characters shared with a known address


def _ends_form(value: str) -> str:
    if value[:2] in ("0x", "0X"):
        return value[2:].lower()
    return value


def _ends_form_expr(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr.str.slice(0, 2).is_in(["0x", "0X"])).then(expr.str.slice(2).str.to_lowercase()).otherwise(expr)


def prefix_suffix_match(a: str | None, b: str | None) -> float | None:
    """Leading plus trailing characters two addresses share (each side capped at ENDS_CAP)."""
    if a is None or b is None:
        return None
    return float(_ends_match(_ends_form(a), _ends_form(b)))


def _ends_match(a: str, b: str) -> int:
    limit = min(len(a), len(b), ENDS_CAP)
    prefix = 0
    while prefix < limit and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    return prefix + suffix


def max_ends_match(address: str | None, known: list[str] | None) -> float | None:
    """The best prefix_suffix_match between `address` and any *different* known address (0 if none)."""
    if address is None or known is None:
        return None
    target = _ends_form(address)
    best = 0
    for other in known:
        if other is None:
            continue
        candidate = _ends_form(other)
        if candidate != target:
            best = max(best, _ends_match(target, candidate))
    return float(best)


def prefix_suffix_match_expr(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    matched = _ends_match_expr(_ends_form_expr(a), _ends_form_expr(b))
    # sum_horizontal skips nulls; the function is null in, null out like the row form.
    return pl.when(a.is_null() | b.is_null()).then(pl.lit(None, dtype=pl.Float64)).otherwise(matched)


def _ends_match_expr(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    # Matching prefixes are nested (a k-prefix match implies every shorter one), so the count of k with
    # a k-prefix match is the common prefix length; likewise for suffixes.
    la, lb = a.str.len_chars(), b.str.len_chars()
    terms = []
    for k in range(1, ENDS_CAP + 1):
        long_enough = (la >= k) & (lb >= k)
        terms.append((long_enough & (a.str.slice(0, k) == b.str.slice(0, k))).cast(pl.Float64))
        terms.append((long_enough & (a.str.slice(-k) == b.str.slice(-k))).cast(pl.Float64))
    return pl.sum_horizontal(terms)


def max_ends_match_frame(
    frame: pl.DataFrame, address: pl.Expr, known: pl.Expr, applies: pl.Expr | None = None
) -> pl.Series:
    """Vectorised max_ends_match over a frame: explode the known lists, match pairs, take each row's best.

    Rows outside `applies` (the rule's event types) are skipped and get null.
    """
    base = frame.select(
        address.alias("__a"), known.alias("__k"), (applies if applies is not None else pl.lit(True)).alias("__in")
    )
    base = base.with_row_index("__row")
    pairs = (
        base.filter(pl.col("__in") & pl.col("__a").is_not_null())
        .select("__row", "__a", "__k")
        .explode("__k")
        .with_columns(_ends_form_expr(pl.col("__a")).alias("__a"), _ends_form_expr(pl.col("__k")).alias("__k"))
        .filter(pl.col("__k").is_not_null() & (pl.col("__a") != pl.col("__k")))
    )
    scored = pairs.select("__row", pl.Series("__m", _pair_matches(pairs["__a"], pairs["__k"]), dtype=pl.Float64))
    best = scored.group_by("__row").agg(pl.col("__m").max())
    joined = base.join(best, on="__row", how="left", maintain_order="left")
    result = joined.select(
        pl.when(pl.col("__a").is_null() | pl.col("__k").is_null() | ~pl.col("__in"))
        .then(pl.lit(None, dtype=pl.Float64))
        .otherwise(pl.col("__m").fill_null(0.0))
    )
    return result.to_series()


_PRINTABLE = r"^[\x20-\x7e]*$"


def _pair_matches(a: pl.Series, b: pl.Series) -> np.ndarray:
    """_ends_match for each pair: a byte matrix for printable ASCII (addresses), Python for the rest."""
    out = np.zeros(len(a), dtype=np.float64)
    if len(a) == 0:
        return out
    ascii_rows = (a.str.contains(_PRINTABLE) & b.str.contains(_PRINTABLE)).fill_null(False).to_numpy()
    idx = np.flatnonzero(ascii_rows)
    if len(idx):
        sa, sb = a.gather(idx), b.gather(idx)
        # Different pads at each side never match each other nor a printable character.
        heads = _matrix(sa.str.slice(0, ENDS_CAP).str.pad_end(ENDS_CAP, "\x00")) == _matrix(
            sb.str.slice(0, ENDS_CAP).str.pad_end(ENDS_CAP, "\x01")
        )
        tails = _matrix(sa.str.slice(-ENDS_CAP).str.pad_start(ENDS_CAP, "\x00")) == _matrix(
            sb.str.slice(-ENDS_CAP).str.pad_start(ENDS_CAP, "\x01")
        )
        prefix = np.cumprod(heads, axis=1).sum(axis=1)
        suffix = np.cumprod(tails[:, ::-1], axis=1).sum(axis=1)
        out[idx] = prefix + suffix
    rest = np.flatnonzero(~ascii_rows)
    for i, x, y in zip(rest, a.gather(rest).to_list(), b.gather(rest).to_list(), strict=True):
        out[i] = _ends_match(x, y)
    return out


def _matrix(fixed: pl.Series) -> np.ndarray:
    """Equal-length ASCII strings as an (n, ENDS_CAP) byte matrix."""
    joined = "".join(fixed.to_list()).encode("ascii")
    return np.frombuffer(joined, dtype=np.uint8).reshape(-1, ENDS_CAP)
