"""Alerts that need no model: structuring under reporting thresholds, and hack proceeds.

Both rest on facts rather than on one exchange's distribution: reporting thresholds are set by regulators
(the amounts structurers stay under), and published hack incidents name their addresses. Everything else
is relative: the band is a share of the threshold, the repeat count is a share of the customer's own
deposits, and "not a service" is the population cap on customers per address that `hops` uses.

- structuring: in the window, at least `min_deposits` deposits in [band_share x T, T) for one
  threshold T, making up at least `min_share` of the customer's deposits, and at least
  `over_ratio` times as many as land in [T, T / band_share) (money piling up just under T, not around it),
  and two of them within one day (`aggregate_s`): regulators add up a day's transactions against the
  threshold (a US currency transaction report covers one business day), so structuring splits what would
  have been one reportable day into pieces. Card deposits count too (structurers use cards); customers
  whose card limit caps each purchase look alike, but a card's daily limit keeps them to one purchase near
  it a day. Structurers who signed in from one device (shared by no more customers than one reviewer's
  alert covers: more is a shop's or a kiosk's) or paid each other in the window are one alert: smurfs run
  by one hand are one case for a reviewer, not one per account. Merging names nobody new.
- hack proceeds: customers who deposit from (or withdraw to) an address of a published incident in the
  window, the customers they pay (transfers and resolved hops) after it, and customers who deposit in the
  window from a personal-sized address a touched customer has deposited from: one alert per connected group.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal

import duckdb

from warden.monitoring.alerts import Alert
from warden.monitoring.customer_model import CustomerModelParams, rings

DIRECT_VERSION = "direct-alerts-2"  # 2: linked structurers are one alert
RING_SIZE = CustomerModelParams().ring_size  # the most customers one reviewer's alert covers


@dataclass(frozen=True)
class StructuringRule:
    thresholds_usd: tuple[float, ...] = (1_000.0, 3_000.0, 10_000.0, 15_000.0)  # common reporting thresholds
    band_share: float = 0.85
    min_deposits: int = 3
    min_share: float = 0.6
    over_ratio: float = 3.0
    aggregate_s: int = 86_400  # the span regulators aggregate over: one (business) day
    link_device_max: int = RING_SIZE  # a device shared by more customers links none of them


def structuring_alerts(
    con: duckdb.DuckDBPyConnection, t0: datetime, t1: datetime, rule: StructuringRule | None = None
) -> list[Alert]:
    """One alert per structuring customer, then linked structurers merged (`merge_linked`)."""
    r = rule or StructuringRule()
    alone = _structurers(con, t0, t1, r)
    return merge_linked(alone, _links(con, [a.customer_ids[0] for a in alone], t0, t1, r.link_device_max))


def _links(
    con: duckdb.DuckDBPyConnection, customers: list[str], t0: datetime, t1: datetime, device_max: int
) -> list[tuple[str, str]]:
    """Pairs of these customers that signed in from one device used by at most `device_max` customers
    (before t1), or moved money between them in [t0, t1)."""
    if len(customers) < 2:
        return []
    # devices come from the activity table (`customer_features.load_activity`); without it, payments only
    has_act = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'act'").fetchall()[0][0]
    activity = "act" if has_act else "(SELECT NULL::VARCHAR AS c, NULL::VARCHAR AS device, NULL::TIMESTAMP AS ts)"
    found = con.execute(
        f"""
        WITH mine AS (SELECT unnest(?) AS c),
        d AS (SELECT DISTINCT c, device FROM {activity} WHERE device IS NOT NULL AND ts < ?),
        personal AS (SELECT device FROM d GROUP BY device HAVING count(*) BETWEEN 2 AND ?)
        SELECT DISTINCT a.c, b.c FROM d a JOIN d b ON a.device = b.device AND a.c < b.c
        WHERE a.device IN (SELECT device FROM personal)
          AND a.c IN (SELECT c FROM mine) AND b.c IN (SELECT c FROM mine)
        UNION
        SELECT DISTINCT src, dst FROM tr
        WHERE ts >= ? AND ts < ? AND src IN (SELECT c FROM mine) AND dst IN (SELECT c FROM mine)
        """,
        [customers, t1, device_max, t0, t1],
    ).fetchall()
    return [(str(a), str(b)) for a, b in found]


def merge_linked(alerts: list[Alert], links: list[tuple[str, str]]) -> list[Alert]:
    """Single-customer alerts of one typology, those of linked customers merged into one."""
    by_customer = {a.customer_ids[0]: a for a in alerts}
    out = []
    for group in rings(set(by_customer), links):
        members = sorted(group)
        if len(members) == 1:
            out.append(by_customer[members[0]])
            continue
        parts = [by_customer[c] for c in members]
        first = min(a.first_at for a in parts)
        last = max(a.last_at for a in parts)
        out.append(
            Alert(
                typology=parts[0].typology,
                customer_ids=members,
                event_ids=[e for a in parts for e in a.event_ids],
                addresses=sorted({x for a in parts for x in a.addresses}),
                amount_usd=sum((a.amount_usd for a in parts), Decimal(0)),
                first_at=first,
                last_at=last,
                explanation=(
                    f"{len(members)} customers linked by a shared personal device or payments between them, "
                    f"each structuring: " + "; ".join(a.explanation for a in parts)
                ),
                parameters={**parts[0].parameters, "linked_customers": len(members)},
                detector_version=parts[0].detector_version,
            )
        )
    return sorted(out, key=lambda a: a.customer_ids[0])


def _structurers(con: duckdb.DuckDBPyConnection, t0: datetime, t1: datetime, r: StructuringRule) -> list[Alert]:
    ths = ", ".join(str(float(t)) for t in r.thresholds_usd)
    found = con.execute(
        f"""
        WITH d AS (
          SELECT customer_id AS c, event_id, ts, usd, usd_f FROM mv
          WHERE type = 'deposit' AND ts >= ? AND ts < ?
        ),
        n AS (SELECT c, count(*) AS n FROM d GROUP BY c),
        band AS (
          SELECT d.*, th.t,
            epoch(d.ts) - lag(epoch(d.ts)) OVER (PARTITION BY d.c, th.t ORDER BY d.ts) AS gap_s
          FROM d, (SELECT CAST(unnest([{ths}]) AS DOUBLE) AS t) th
          WHERE d.usd_f >= {r.band_share} * th.t AND d.usd_f < th.t
        ),
        same_day AS (
          SELECT c, t FROM band GROUP BY c, t HAVING min(gap_s) < {int(r.aggregate_s)}
        ),
        per AS (
          SELECT d.c, th.t,
            count(*) FILTER (d.usd_f >= {r.band_share} * th.t AND d.usd_f < th.t) AS band,
            count(*) FILTER (d.usd_f >= th.t AND d.usd_f < th.t / {r.band_share}) AS over,
            list(d.event_id ORDER BY d.ts) FILTER (d.usd_f >= {r.band_share} * th.t AND d.usd_f < th.t) AS evs,
            sum(d.usd) FILTER (d.usd_f >= {r.band_share} * th.t AND d.usd_f < th.t) AS usd,
            min(d.ts) FILTER (d.usd_f >= {r.band_share} * th.t AND d.usd_f < th.t) AS f0,
            max(d.ts) FILTER (d.usd_f >= {r.band_share} * th.t AND d.usd_f < th.t) AS f1
          FROM d, (SELECT CAST(unnest([{ths}]) AS DOUBLE) AS t) th GROUP BY d.c, th.t
        )
        SELECT per.*, n.n FROM per JOIN n USING (c) JOIN same_day USING (c, t)
        WHERE band >= {r.min_deposits} AND band >= {r.min_share} * n.n AND band >= {r.over_ratio} * over
        QUALIFY row_number() OVER (PARTITION BY per.c ORDER BY band DESC, per.t) = 1
        ORDER BY per.c
        """,
        [t0, t1],
    ).fetchall()
    out = []
    for c, t, band, _over, evs, usd, f0, f1, n in found:
        t = float(t)
        out.append(
            Alert(
                typology="structuring",
                customer_ids=[c],
                event_ids=list(evs),
                addresses=[],
                amount_usd=Decimal(usd),
                first_at=f"{f0:%Y-%m-%dT%H:%M:%SZ}",
                last_at=f"{f1:%Y-%m-%dT%H:%M:%SZ}",
                explanation=(
                    f"{c} made {band} of {n} deposits between {r.band_share:.0%} of {t:,.0f} USD and just under "
                    f"it from {f0:%Y-%m-%d} to {f1:%Y-%m-%d} ({Decimal(usd):,.2f} USD): staying under a reporting "
                    "threshold"
                ),
                parameters={"rule": DIRECT_VERSION, **asdict(r), "threshold_usd": float(t)},
                detector_version=DIRECT_VERSION,
            )
        )
    return out


def hack_alerts(
    con: duckdb.DuckDBPyConnection, t0: datetime, t1: datetime, hack_addresses: frozenset[str], personal_cap: int
) -> list[Alert]:
    if not hack_addresses:
        return []
    con.execute("CREATE OR REPLACE TEMP TABLE hack_list (a VARCHAR)")
    con.executemany("INSERT INTO hack_list VALUES (?)", [[a] for a in sorted(hack_addresses)])
    touched = con.execute(
        "SELECT customer_id, min(ts), list(event_id), list(DISTINCT address) FROM mv "
        "WHERE type IN ('deposit', 'withdrawal') AND address IN (SELECT a FROM hack_list) AND ts >= ? AND ts < ? "
        "GROUP BY customer_id",
        [t0, t1],
    ).fetchall()
    if not touched:
        return []
    first = {str(c): ts for c, ts, _, _ in touched}
    events = {str(c): list(e) for c, _, e, _ in touched}
    addrs = {str(c): list(a) for c, _, _, a in touched}
    edges: list[tuple[str, str]] = []
    relays: dict[str, list[str]] = {}
    for src, dst, ev, ts in con.execute(
        "SELECT src, dst, event_id, ts FROM tr WHERE ts >= ? AND ts < ?", [t0, t1]
    ).fetchall():
        if str(src) in first and ts >= first[str(src)]:
            edges.append((str(src), str(dst)))
            relays.setdefault(str(dst), []).append(str(ev))
    # co-depositors: the same personal-sized sending address as a touched customer
    con.execute("CREATE OR REPLACE TEMP TABLE hack_touched (c VARCHAR)")
    con.executemany("INSERT INTO hack_touched VALUES (?)", [[c] for c in first])
    co = con.execute(
        f"""
        WITH src AS (
          SELECT address AS a FROM mv WHERE type = 'deposit' AND address IS NOT NULL
          GROUP BY address HAVING count(DISTINCT customer_id) <= {int(personal_cap)}
        ),
        mine AS (
          SELECT DISTINCT m.address AS a, m.customer_id AS c FROM mv m JOIN hack_touched h ON h.c = m.customer_id
          WHERE m.type = 'deposit' AND m.ts < ? AND m.address IN (SELECT a FROM src)
        )
        SELECT mine.c, m.customer_id, m.event_id FROM mv m JOIN mine ON mine.a = m.address
        WHERE m.type = 'deposit' AND m.customer_id <> mine.c AND m.ts >= ? AND m.ts < ?
        """,
        [t1, t0, t1],
    ).fetchall()
    for a, b, ev in co:
        edges.append((str(a), str(b)))
        relays.setdefault(str(b), []).append(str(ev))
    members = set(first) | set(relays)
    out = []
    for group in rings(members, edges):
        evs = [e for c in group for e in events.get(c, []) + relays.get(c, [])]
        span = con.execute(
            "SELECT min(ts), max(ts), coalesce(sum(usd) FILTER (type <> 'withdrawal'), 0) FROM mv "
            "WHERE event_id IN (SELECT unnest(?))",
            [evs],
        ).fetchall()[0]
        direct = sorted(c for c in group if c in first)
        out.append(
            Alert(
                typology="hack_proceeds",
                customer_ids=sorted(group),
                event_ids=evs,
                addresses=[a for c in direct for a in addrs[c]],
                amount_usd=Decimal(span[2] or 0),
                first_at=f"{span[0]:%Y-%m-%dT%H:%M:%SZ}",
                last_at=f"{span[1]:%Y-%m-%dT%H:%M:%SZ}",
                explanation=(
                    f"{', '.join(direct)} moved funds with an address of a published hack incident; "
                    f"{len(group) - len(direct)} customer(s) received from them or deposited from the same address"
                ),
                parameters={"rule": DIRECT_VERSION, "personal_cap": personal_cap},
                detector_version=DIRECT_VERSION,
            )
        )
    return out
