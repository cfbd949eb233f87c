"""Typology detectors: DuckDB SQL over the `tr`, `dep`, `wd` views made by `movements.load_movements`.

Each detector has a frozen parameter set (documented in docs/monitoring.md) and returns `Alert`s whose
explanation says in plain words what was seen. Only transfers of at least `min_usd` take part in the graph
typologies: laundering rings move sums worth moving, and it keeps the self-joins small.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa

from warden.monitoring.alerts import Alert
from warden.monitoring.phases import Phases
from warden.monitoring.sql import rows, run

HOUR = 3600
_PAIRS_SCHEMA = pa.schema([("k", pa.string()), ("event_id", pa.string())])
DAY = 86400


@dataclass(frozen=True)
class GraphParams:
    min_usd: float = 500.0  # transfers below this are ignored by graph typologies
    window_s: int = 3 * DAY  # transfers of one fan pattern fall within this span
    relay_s: int = 5 * DAY  # two-step patterns (in, then on): the second step follows within this
    relay_share: float = 0.5  # gather-scatter: the hub pays on at least this share of what it gathered
    min_parties: int = 3  # fan-in / fan-out / scatter-gather: distinct counterparties at least
    cash_out_s: int = 4 * DAY  # fan-in: the collector withdraws within this after the last transfer in
    cash_out_share: float = 0.5  # ... at least this share of what came in
    fund_s: int = 3 * DAY  # fan-out: the source was funded by deposits within this before sending
    fund_share: float = 0.5
    hop_ratio_min: float = 0.5  # a forwarded amount is this share of the received one at least (fees, cuts)
    hop_ratio_max: float = 1.05
    cycle_min_len: int = 2
    cycle_max_len: int = 7
    cycle_hop_s: int = 3 * DAY  # longest wait between two hops of a cycle


@dataclass(frozen=True)
class StructuringParams:
    threshold_usd: float = 10_000.0  # the reporting threshold being avoided
    band_share: float = 0.8  # deposits in [band_share * threshold, threshold) count
    min_deposits: int = 3
    window_s: int = 14 * DAY
    min_band_share: float = 0.6  # in-band deposits are most of the customer's deposits over their span


@dataclass(frozen=True)
class PassThroughParams:
    min_usd: float = 1_000.0
    max_delay_s: int = 6 * HOUR  # deposit to withdrawal
    min_ratio: float = 0.9  # withdrawal / deposit: the balance goes back near zero
    max_ratio: float = 1.0
    min_episodes: int = 2
    min_volume_share: float = 0.5  # passed-through deposits are most of the customer's deposit volume


@dataclass(frozen=True)
class DormantParams:
    dormant_s: int = 60 * DAY  # no money movement for this long...
    burst_s: int = 7 * DAY  # ...then within this span after waking up
    min_usd: float = 5_000.0  # ...at least this much moves


@dataclass(frozen=True)
class DetectorParams:
    graph: GraphParams = GraphParams()
    structuring: StructuringParams = StructuringParams()
    pass_through: PassThroughParams = PassThroughParams()
    dormant: DormantParams = DormantParams()


def _alert(typology: str, row: dict[str, Any], explanation: str, params: Any, customers: list[str]) -> Alert:
    return Alert(
        typology=typology,
        customer_ids=customers,
        event_ids=list(row["evs"]),
        addresses=list(row.get("addrs") or []),
        amount_usd=Decimal(row["usd"]),
        first_at=f"{row['t0']:%Y-%m-%dT%H:%M:%SZ}",
        last_at=f"{row['t1']:%Y-%m-%dT%H:%M:%SZ}",
        explanation=explanation,
        parameters=asdict(params),
    )


def _big(con: duckdb.DuckDBPyConnection, p: GraphParams) -> None:
    run(con, f"CREATE OR REPLACE TEMP TABLE big AS SELECT * FROM tr WHERE usd_f >= {p.min_usd} AND src <> dst")
    # Money leaving a customer (withdrawals and transfers out), for "did the receiver move it on?" checks.
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE outflow AS SELECT cust, ts, usd_f FROM wd "
        "UNION ALL SELECT src AS cust, ts, usd_f FROM tr",
    )


def _pairs_table(con: duckdb.DuckDBPyConnection, name: str, pairs: list[tuple[str, str]]) -> None:
    """Register (key, event_id) pairs as a DuckDB table, so sums join on event ids instead of scanning lists."""
    table = pa.table({"k": [k for k, _ in pairs], "event_id": [e for _, e in pairs]}, schema=_PAIRS_SCHEMA)
    con.register(f"{name}_arrow", table)
    run(con, f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT DISTINCT k, event_id FROM {name}_arrow")
    con.unregister(f"{name}_arrow")


def _moved_on(con: duckdb.DuckDBPyConnection, p: GraphParams, receivers: str) -> dict[tuple[str, str], float]:
    """For (payer, receiver) pairs in table `receivers` (payer, receiver, t1, got_f): share of receivers that
    sent on at least `cash_out_share` of what they got within `cash_out_s`, per payer key."""
    found = rows(
        con,
        f"""
        WITH r AS (SELECT payer, receiver, max(t1) AS t1, min(t0) AS t0, sum(got_f) AS got_f FROM {receivers} GROUP BY ALL),
        per AS (
          SELECT r.payer, r.receiver, r.got_f, coalesce(sum(o.usd_f), 0) AS moved
          FROM r LEFT JOIN outflow o ON o.cust = r.receiver AND o.ts > r.t0 AND o.ts <= r.t1 + INTERVAL {p.cash_out_s} SECOND
          GROUP BY ALL
        )
        SELECT payer, avg(CASE WHEN moved >= {p.cash_out_share} * got_f THEN 1.0 ELSE 0.0 END) AS share
        FROM per GROUP BY payer
        """,
    )
    return {(r["payer"], ""): float(r["share"]) for r in found}


def fan_in(con: duckdb.DuckDBPyConnection, p: GraphParams) -> list[Alert]:
    """Many senders pay one collector within a window, and the collector cashes most of it out."""
    found = rows(
        con,
        f"""
        -- the window (from one inbound transfer) with most distinct senders per receiver; lists only for it
        WITH best AS (
          SELECT a.dst AS hub, a.ts AS t_start
          FROM big a JOIN big b ON a.dst = b.dst AND b.ts BETWEEN a.ts AND a.ts + INTERVAL {p.window_s} SECOND
          GROUP BY a.dst, a.event_id, a.ts HAVING count(DISTINCT b.src) >= {p.min_parties}
          QUALIFY row_number() OVER (
            PARTITION BY a.dst ORDER BY count(DISTINCT b.src) DESC, sum(b.usd) DESC, a.ts, a.event_id) = 1
        ), win AS (
          SELECT x.hub, list(DISTINCT b.src) AS parties, list(DISTINCT b.event_id) AS evs,
                 sum(b.usd) AS usd, sum(b.usd_f) AS usd_f, min(b.ts) AS t0, max(b.ts) AS t1
          FROM best x JOIN big b ON b.dst = x.hub AND b.ts BETWEEN x.t_start AND x.t_start + INTERVAL {p.window_s} SECOND
          GROUP BY x.hub
        )
        SELECT win.*, coalesce(sum(w.usd_f), 0) AS out_f, list(w.event_id) FILTER (w.event_id IS NOT NULL) AS wevs,
               list(w.address) FILTER (w.address IS NOT NULL) AS addrs
        FROM win LEFT JOIN wd w ON w.cust = win.hub AND w.ts BETWEEN win.t0 AND win.t1 + INTERVAL {p.cash_out_s} SECOND
        GROUP BY ALL HAVING coalesce(sum(w.usd_f), 0) >= {p.cash_out_share} * win.usd_f
        """,
    )
    out = []
    for r in found:
        r["evs"] = list(r["evs"]) + list(r["wevs"] or [])
        text = (
            f"{len(r['parties'])} customers sent {r['usd_f']:,.0f} USD to {r['hub']} between {r['t0']:%Y-%m-%d %H:%M} "
            f"and {r['t1']:%Y-%m-%d %H:%M}; {r['hub']} withdrew {r['out_f']:,.0f} USD soon after"
        )
        out.append(_alert("fan_in", r, text, p, [r["hub"], *r["parties"]]))
    return out


def fan_out(con: duckdb.DuckDBPyConnection, p: GraphParams) -> list[Alert]:
    """One freshly funded source pays many receivers within a window."""
    found = rows(
        con,
        f"""
        WITH best AS (
          SELECT a.src AS hub, a.ts AS t_start
          FROM big a JOIN big b ON a.src = b.src AND b.ts BETWEEN a.ts AND a.ts + INTERVAL {p.window_s} SECOND
          GROUP BY a.src, a.event_id, a.ts HAVING count(DISTINCT b.dst) >= {p.min_parties}
          QUALIFY row_number() OVER (
            PARTITION BY a.src ORDER BY count(DISTINCT b.dst) DESC, sum(b.usd) DESC, a.ts, a.event_id) = 1
        ), win AS (
          SELECT x.hub, list(DISTINCT b.dst) AS parties, list(DISTINCT b.event_id) AS evs,
                 sum(b.usd) AS usd, sum(b.usd_f) AS usd_f, min(b.ts) AS t0, max(b.ts) AS t1
          FROM best x JOIN big b ON b.src = x.hub AND b.ts BETWEEN x.t_start AND x.t_start + INTERVAL {p.window_s} SECOND
          GROUP BY x.hub
        )
        SELECT win.*, coalesce(sum(d.usd_f), 0) AS in_f, list(d.event_id) FILTER (d.event_id IS NOT NULL) AS devs,
               list(d.address) FILTER (d.address IS NOT NULL) AS addrs
        FROM win LEFT JOIN dep d ON d.cust = win.hub AND d.ts BETWEEN win.t0 - INTERVAL {p.fund_s} SECOND AND win.t0
        GROUP BY ALL HAVING coalesce(sum(d.usd_f), 0) >= {p.fund_share} * win.usd_f
        """,
    )
    _pairs_table(con, "fo_pairs", [(r["hub"], e) for r in found for e in r["evs"]])
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE fo_recv AS SELECT x.k AS payer, b.dst AS receiver, b.ts AS t0, b.ts AS t1, "
        "b.usd_f AS got_f FROM fo_pairs x JOIN big b USING (event_id)",
    )
    moved = _moved_on(con, p, "fo_recv")
    out = []
    for r in found:
        if moved.get((r["hub"], ""), 0.0) < 0.5:  # most receivers must pass the money on, as mules do
            continue
        r["evs"] = list(r["evs"]) + list(r["devs"] or [])
        text = (
            f"{r['hub']} deposited {r['in_f']:,.0f} USD and within days sent {r['usd_f']:,.0f} USD to "
            f"{len(r['parties'])} customers ({r['t0']:%Y-%m-%d %H:%M} to {r['t1']:%Y-%m-%d %H:%M})"
        )
        out.append(_alert("fan_out", r, text, p, [r["hub"], *r["parties"]]))
    return out


def scatter_gather(con: duckdb.DuckDBPyConnection, p: GraphParams) -> list[Alert]:
    """A source splits money over intermediates that each forward it on to the same sink."""
    found = rows(
        con,
        f"""
        WITH g AS (
          SELECT a.src, b.dst AS sink, list(DISTINCT a.dst) AS mids, list(DISTINCT a.event_id) AS aevs,
                 list(DISTINCT b.event_id) AS bevs, min(a.ts) AS t0, max(b.ts) AS t1
          FROM big a JOIN big b ON b.src = a.dst AND b.ts > a.ts AND b.ts <= a.ts + INTERVAL {p.relay_s} SECOND
            AND b.usd_f BETWEEN {p.hop_ratio_min} * a.usd_f AND {p.hop_ratio_max} * a.usd_f
          WHERE b.dst <> a.src
          GROUP BY a.src, b.dst HAVING count(DISTINCT a.dst) >= {p.min_parties}
        )
        , sums AS (
          SELECT x.src, x.sink, sum(b.usd) AS usd
          FROM (SELECT src, sink, unnest(aevs) AS event_id FROM g) x JOIN big b USING (event_id) GROUP BY ALL
        )
        SELECT g.*, g.aevs || g.bevs AS evs, sums.usd FROM g JOIN sums USING (src, sink)
        """,
    )
    return [
        _alert(
            "scatter_gather",
            r,
            f"{r['src']} split {float(r['usd']):,.0f} USD over {len(r['mids'])} customers who each forwarded it to "
            f"{r['sink']} within {p.relay_s // DAY} days",
            p,
            [r["src"], r["sink"], *r["mids"]],
        )
        for r in found
    ]


def gather_scatter(con: duckdb.DuckDBPyConnection, p: GraphParams) -> list[Alert]:
    """Several senders pay a hub that soon pays several other receivers."""
    found = rows(
        con,
        f"""
        WITH g AS (
          SELECT a.dst AS hub, list(DISTINCT a.src) AS ins, list(DISTINCT b.dst) AS outs,
                 list(DISTINCT a.event_id) AS aevs, list(DISTINCT b.event_id) AS bevs, min(a.ts) AS t0, max(b.ts) AS t1
          FROM big a JOIN big b ON b.src = a.dst AND b.ts > a.ts AND b.ts <= a.ts + INTERVAL {p.relay_s} SECOND
          WHERE b.dst <> a.src
          GROUP BY a.dst HAVING count(DISTINCT a.src) >= 2 AND count(DISTINCT b.dst) >= 2
        ), ins AS (
          -- an unrelated large payment into the hub must not hide the relay: compare the outflow with the
          -- inflow counted at the typical (median) size per incoming transfer
          SELECT x.hub, sum(b.usd) AS usd, count(*) * median(b.usd_f) AS in_typical_f
          FROM (SELECT hub, unnest(aevs) AS event_id FROM g) x JOIN big b USING (event_id) GROUP BY ALL
        ), outs_ AS (
          SELECT x.hub, sum(b.usd_f) AS out_f
          FROM (SELECT hub, unnest(bevs) AS event_id FROM g) x JOIN big b USING (event_id) GROUP BY ALL
        ), s AS (
          SELECT g.*, g.aevs || g.bevs AS evs, ins.usd, ins.in_typical_f, outs_.out_f FROM g JOIN ins USING (hub) JOIN outs_ USING (hub)
        )
        SELECT * FROM s WHERE out_f >= {p.relay_share} * in_typical_f
        """,
    )
    _pairs_table(con, "gs_pairs", [(r["hub"], e) for r in found for e in r["bevs"]])
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE gs_recv AS SELECT x.k AS payer, b.dst AS receiver, b.ts AS t0, b.ts AS t1, "
        "b.usd_f AS got_f FROM gs_pairs x JOIN big b USING (event_id)",
    )
    moved = _moved_on(con, p, "gs_recv")
    found = [r for r in found if moved.get((r["hub"], ""), 0.0) >= 0.5]
    return [
        _alert(
            "gather_scatter",
            r,
            f"{len(r['ins'])} customers paid {float(r['usd']):,.0f} USD to {r['hub']}, who paid "
            f"{r['out_f']:,.0f} USD on to {len(r['outs'])} others within {p.relay_s // DAY} days",
            p,
            [r["hub"], *r["ins"], *r["outs"]],
        )
        for r in found
    ]


def _components(pairs: list[tuple[str, str]]) -> list[set[str]]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find(a)] = find(b)
    groups: dict[str, set[str]] = {}
    for x in parent:
        groups.setdefault(find(x), set()).add(x)
    return list(groups.values())


def bipartite_and_stack(con: duckdb.DuckDBPyConnection, p: GraphParams) -> list[Alert]:
    """Complete bipartite blocks (every source pays every sink, K2,2 at least) close in time.

    Blocks that chain (a sink of one block is a source of the next) are layering: `stack`; otherwise
    `bipartite`.
    """
    edges = rows(
        con,
        f"""
        WITH pairs AS (
          SELECT a.src AS s1, b.src AS s2, a.dst AS t, a.event_id AS e1, b.event_id AS e2
          FROM big a JOIN big b ON a.dst = b.dst AND a.src < b.src
           AND abs(epoch(a.ts) - epoch(b.ts)) <= {p.window_s}
        ), blocks AS (
          SELECT s1, s2, list(DISTINCT t) AS ts_, list(DISTINCT e1) || list(DISTINCT e2) AS evs
          FROM pairs GROUP BY s1, s2 HAVING count(DISTINCT t) >= 2
        )
        SELECT s1, s2, unnest(ts_) AS t, evs FROM blocks
        """,
    )
    if not edges:
        return []
    pairs: list[tuple[str, str]] = []
    sources: set[str] = set()
    sinks: set[str] = set()
    events: dict[str, set[str]] = {}
    for e in edges:
        pairs += [("s:" + e["s1"], "t:" + e["t"]), ("s:" + e["s2"], "t:" + e["t"])]
        sources |= {e["s1"], e["s2"]}
        sinks.add(e["t"])
        events.setdefault(e["s1"], set()).update(e["evs"])
    # Merge a node's source and sink roles so chained blocks form one component.
    pairs += [("s:" + x, "t:" + x) for x in sources & sinks]
    components = [sorted({x[2:] for x in comp}) for comp in _components(pairs)]
    comp_events = [sorted(set().union(*(events.get(m, set()) for m in members))) for members in components]
    _pairs_table(con, "bp_pairs", [(str(n), e) for n, evs in enumerate(comp_events) for e in evs])
    stats = {
        int(r["k"]): r
        for r in rows(
            con,
            "SELECT x.k, sum(b.usd) AS usd, min(b.ts) AS t0, max(b.ts) AS t1 "
            "FROM bp_pairs x JOIN big b USING (event_id) GROUP BY x.k",
        )
    }
    out = []
    for n, members in enumerate(components):
        layered = bool(set(members) & sources & sinks)
        typology = "stack" if layered else "bipartite"
        srcs = sorted(set(members) & sources)
        dsts = sorted(set(members) & sinks)
        st = stats[n]
        text = (
            f"{'layered ' if layered else ''}complete payment blocks: {len(srcs)} payers each paid the same "
            f"{len(dsts) if not layered else 'next-layer'} receivers, {float(st['usd']):,.0f} USD in all, "
            f"{st['t0']:%Y-%m-%d} to {st['t1']:%Y-%m-%d}"
        )
        row = {"evs": comp_events[n], "usd": st["usd"], "t0": st["t0"], "t1": st["t1"]}
        out.append(_alert(typology, row, text, p, members))
    return out


def cycle(con: duckdb.DuckDBPyConnection, p: GraphParams) -> list[Alert]:
    """Money that returns to where it started through 2..7 hops in time order, shrinking a little per hop."""
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE paths AS SELECT src AS start, dst AS cur, [src, dst] AS nodes, [event_id] AS evs, "
        "ts AS t_first, ts AS t_last, usd_f AS last_f, usd AS first_usd FROM big",
    )
    found: list[dict[str, Any]] = []
    for length in range(2, p.cycle_max_len + 1):
        step = f"""
          SELECT p.start, e.dst AS cur, list_append(p.nodes, e.dst) AS nodes, list_append(p.evs, e.event_id) AS evs,
                 p.t_first, e.ts AS t_last, e.usd_f AS last_f, p.first_usd
          FROM paths p JOIN big e ON e.src = p.cur AND e.ts > p.t_last
            AND e.ts <= p.t_last + INTERVAL {p.cycle_hop_s} SECOND
            AND e.usd_f BETWEEN {p.hop_ratio_min} * p.last_f AND {p.hop_ratio_max} * p.last_f
          WHERE e.dst = p.start OR NOT list_contains(p.nodes, e.dst)
        """
        run(con, f"CREATE OR REPLACE TEMP TABLE nxt AS {step}")
        if length >= p.cycle_min_len:
            found += rows(
                con,
                "SELECT nodes, evs, first_usd AS usd, t_first AS t0, t_last AS t1 FROM nxt WHERE cur = start",
            )
        run(con, "CREATE OR REPLACE TEMP TABLE paths AS SELECT * FROM nxt WHERE cur <> start")
        if not con.execute("SELECT count(*) FROM paths").fetchall()[0][0]:
            break
    seen: set[tuple[str, ...]] = set()
    out = []
    for r in found:
        members = tuple(sorted(set(r["nodes"])))
        if members in seen:  # the same ring found from another starting point
            continue
        seen.add(members)
        route = " -> ".join(r["nodes"])
        text = (
            f"{float(r['usd']):,.0f} USD went round {len(members)} customers and came back: {route}, "
            f"{r['t0']:%Y-%m-%d %H:%M} to {r['t1']:%Y-%m-%d %H:%M}"
        )
        out.append(_alert("cycle", r, text, p, list(members)))
    return out


def structuring(con: duckdb.DuckDBPyConnection, p: StructuringParams) -> list[Alert]:
    """Repeated deposits just below the reporting threshold within a window."""
    lo = p.band_share * p.threshold_usd
    found = rows(
        con,
        f"""
        WITH band AS (SELECT * FROM dep WHERE usd_f >= {lo} AND usd_f < {p.threshold_usd}),
        grp AS (
          SELECT a.cust, list(DISTINCT b.event_id) AS evs,
                 list(DISTINCT b.address) FILTER (b.address IS NOT NULL) AS addrs,
                 sum(b.usd) AS usd, min(b.ts) AS t0, max(b.ts) AS t1, count(*) AS n
          FROM band a JOIN band b ON a.cust = b.cust AND b.ts BETWEEN a.ts AND a.ts + INTERVAL {p.window_s} SECOND
          GROUP BY a.cust, a.event_id HAVING count(*) >= {p.min_deposits}
          QUALIFY row_number() OVER (PARTITION BY a.cust ORDER BY count(*) DESC, sum(b.usd) DESC) = 1
        )
        -- the in-band deposits must be most of what the customer deposited over the same span
        SELECT grp.cust, any_value(grp.evs) AS evs, any_value(grp.addrs) AS addrs, any_value(grp.usd) AS usd,
               grp.t0, grp.t1, any_value(grp.n) AS n
        FROM grp JOIN dep d ON d.cust = grp.cust AND d.ts BETWEEN grp.t0 AND grp.t1
        GROUP BY grp.cust, grp.t0, grp.t1 HAVING any_value(grp.n) >= {p.min_band_share} * count(*)
        """,
    )
    return [
        _alert(
            "structuring",
            r,
            f"{r['cust']} made {r['n']} deposits between {lo:,.0f} and {p.threshold_usd:,.0f} USD (just under the "
            f"reporting threshold) within {p.window_s // DAY} days, {float(r['usd']):,.0f} USD in all",
            p,
            [r["cust"]],
        )
        for r in found
    ]


def pass_through(con: duckdb.DuckDBPyConnection, p: PassThroughParams) -> list[Alert]:
    """Deposits withdrawn again within hours, leaving the balance near zero, more than once."""
    found = rows(
        con,
        f"""
        WITH pairs AS (
          SELECT d.cust, d.event_id AS dev, any_value(d.usd) AS usd, any_value(d.usd_f) AS usd_f, min(d.ts) AS dts,
                 list(w.event_id) AS wevs, list(w.address) FILTER (w.address IS NOT NULL) AS waddrs, max(w.ts) AS wts
          FROM dep d JOIN wd w ON w.cust = d.cust AND w.ts > d.ts AND w.ts <= d.ts + INTERVAL {p.max_delay_s} SECOND
            AND w.usd_f BETWEEN {p.min_ratio} * d.usd_f AND {p.max_ratio} * d.usd_f
          WHERE d.usd_f >= {p.min_usd}
          GROUP BY d.cust, d.event_id
        ), ep AS (
          SELECT cust, list(dev) || flatten(list(wevs)) AS evs, list_distinct(flatten(list(waddrs))) AS addrs,
                 sum(usd) AS usd, sum(usd_f) AS usd_f, min(dts) AS t0, max(wts) AS t1, count(*) AS n
          FROM pairs GROUP BY cust HAVING count(*) >= {p.min_episodes}
        )
        SELECT ep.* FROM ep JOIN (SELECT cust, sum(usd_f) AS total FROM dep GROUP BY cust) t USING (cust)
        WHERE ep.usd_f >= {p.min_volume_share} * t.total
        """,
    )
    return [
        _alert(
            "pass_through",
            r,
            f"{r['cust']} withdrew {r['n']} deposits ({float(r['usd']):,.0f} USD) again within "
            f"{p.max_delay_s // HOUR} hours each, keeping almost nothing",
            p,
            [r["cust"]],
        )
        for r in found
    ]


def dormant_reactivation(con: duckdb.DuckDBPyConnection, p: DormantParams) -> list[Alert]:
    """An account silent for months that suddenly moves a large sum."""
    found = rows(
        con,
        f"""
        -- a gap of dormant_s needs a span of dormant_s: only those customers' rows are sorted
        WITH long AS (
          SELECT customer_id AS cust FROM mv GROUP BY customer_id
          HAVING epoch(max(ts)) - epoch(min(ts)) >= {p.dormant_s}
        ), g AS (
          SELECT mv.customer_id AS cust, mv.ts,
                 epoch(mv.ts) - epoch(lag(mv.ts) OVER (PARTITION BY mv.customer_id ORDER BY mv.ts)) AS gap
          FROM mv JOIN long ON long.cust = mv.customer_id
        ), wake AS (SELECT cust, ts AS woke, gap FROM g WHERE gap >= {p.dormant_s})
        SELECT wake.cust, any_value(wake.gap) AS gap, list(m.event_id) AS evs,
               list(m.address) FILTER (m.address IS NOT NULL) AS addrs,
               sum(m.usd) AS usd, min(m.ts) AS t0, max(m.ts) AS t1
        FROM wake JOIN mv m ON m.customer_id = wake.cust
         AND m.ts BETWEEN wake.woke AND wake.woke + INTERVAL {p.burst_s} SECOND
        GROUP BY wake.cust, wake.woke HAVING sum(m.usd_f) >= {p.min_usd}
        """,
    )
    return [
        _alert(
            "dormant_reactivation",
            r,
            f"{r['cust']} moved no money for {r['gap'] / DAY:,.0f} days, then {float(r['usd']):,.0f} USD within "
            f"{p.burst_s // DAY} days",
            p,
            [r["cust"]],
        )
        for r in found
    ]


Detector = Callable[[duckdb.DuckDBPyConnection, DetectorParams], list[Alert]]

DETECTORS: dict[str, Detector] = {
    "fan_in": lambda c, p: fan_in(c, p.graph),
    "fan_out": lambda c, p: fan_out(c, p.graph),
    "scatter_gather": lambda c, p: scatter_gather(c, p.graph),
    "gather_scatter": lambda c, p: gather_scatter(c, p.graph),
    "bipartite_stack": lambda c, p: bipartite_and_stack(c, p.graph),
    "cycle": lambda c, p: cycle(c, p.graph),
    "structuring": lambda c, p: structuring(c, p.structuring),
    "pass_through": lambda c, p: pass_through(c, p.pass_through),
    "dormant_reactivation": lambda c, p: dormant_reactivation(c, p.dormant),
}


def consolidate(alerts: list[Alert]) -> list[Alert]:
    """Fold an alert into a larger one when all its customers are already in it (one ring, one alert).

    Rings match several typologies at once (a gather-scatter hub is also a fan-in collector); reviewers
    should see the ring once, with every typology it matched.
    """
    kept: list[Alert] = []
    members_of: list[set[str]] = []
    holding: dict[str, list[int]] = {}  # customer -> kept alerts (by position) that contain them
    folded_events: dict[int, set[str]] = {}
    for alert in sorted(alerts, key=lambda a: (-len(a.customer_ids), -a.score, a.alert_id)):
        members = set(alert.customer_ids)
        # A home holds every member, so it is among the alerts holding the member in the fewest alerts.
        candidates = min((holding.get(c, []) for c in members), key=len) if members else range(len(kept))
        home = next((k for k in candidates if members <= members_of[k]), None)
        if home is None:
            for c in members:
                holding.setdefault(c, []).append(len(kept))
            kept.append(alert)
            members_of.append(members)
            continue
        target = kept[home]
        folded_events.setdefault(home, set()).update(alert.event_ids)
        target.first_at, target.last_at = min(target.first_at, alert.first_at), max(target.last_at, alert.last_at)
        if alert.typology == target.typology:
            continue  # the same ring seen again (another window): its evidence joins, its words are the same
        if alert.typology not in target.also_matched:
            target.also_matched = sorted([*target.also_matched, alert.typology])
        target.explanation += f"; also {alert.typology}: {alert.explanation}"
    for home, events in folded_events.items():
        kept[home].event_ids = sorted(set(kept[home].event_ids) | events)
    return kept


def run_detectors(
    con: duckdb.DuckDBPyConnection, params: DetectorParams | None = None, phases: Phases | None = None
) -> list[Alert]:
    """All detectors over the loaded movements, then overlapping alerts consolidated."""
    params = params or DetectorParams()
    phases = phases or Phases()
    with phases("big_transfers"):
        _big(con, params.graph)
    found: list[Alert] = []
    for name, detector in DETECTORS.items():
        with phases(name):
            found += detector(con, params)
    with phases("consolidate"):
        return consolidate(found)
