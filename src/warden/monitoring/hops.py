"""Hops inside the exchange: on-chain payments between two customers become customer -> customer edges.

A withdrawal by A is a payment to customer B when
(a) it goes to B's deposit address (on a memo network: to B's (address, memo) pair), or
(b) it goes to an address X that B later deposits from (A -> X -> B), where X is a personal-sized address:
    no service (many customers use a service's address; the cap is learnt from the population), not the
    exchange's own hot wallet, and not a shared memo address.

Shared memo deposit addresses (the exchange's, from its facts, and other services', learnt: one address used
with several distinct memos) are keyed by (address, memo), so the customers behind one never merge into a hub.
The matched withdrawal (and the deposit it became, when seen) leave the `wd` / `dep` views and appear in `tr`
as one movement, so a ring that hops through the chain looks like one that uses internal transfers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from warden.chain.addresses import canonical_address
from warden.exchange.facts import ExchangeFacts
from warden.monitoring.sql import run

DAY = 86400


@dataclass(frozen=True)
class HopContext:
    """What the exchange knows about itself (plain values; fed from the exchange facts)."""

    own_deposit_addresses: frozenset[str] = frozenset()  # incl. the shared memo deposit addresses
    hot_wallets: frozenset[str] = frozenset()
    memo_networks: frozenset[str] = frozenset()
    shared_memo_addresses: frozenset[str] = frozenset()  # other services' known shared memo addresses
    hack_addresses: frozenset[str] = frozenset()  # published hack incidents' addresses

    @classmethod
    def from_context(cls, data: Mapping[str, Any]) -> HopContext:
        """From the shape of `context.json` (missing keys are empty)."""

        def values(obj: Any) -> Iterable[str]:
            if isinstance(obj, Mapping):
                for v in obj.values():
                    yield from values(v)
            elif isinstance(obj, list | tuple | set | frozenset):
                for v in obj:
                    yield from values(v)
            elif isinstance(obj, str) and obj:
                yield obj

        memo_addresses = frozenset(values(data.get("exchange_memo_addresses", {})))
        hacks = frozenset(a for inc in data.get("hack_incidents", []) or [] for a in values(inc.get("addresses", [])))
        return cls(
            own_deposit_addresses=memo_addresses | frozenset(values(data.get("exchange_deposit_addresses", {}))),
            hot_wallets=frozenset(values(data.get("exchange_hot_wallets", {}))),
            memo_networks=frozenset(str(n).lower() for n in data.get("memo_networks", []) or []),
            shared_memo_addresses=memo_addresses | frozenset(values(data.get("service_memo_addresses", {}))),
            hack_addresses=hacks,
        )

    @classmethod
    def from_facts(cls, facts: ExchangeFacts) -> HopContext:
        """From the facts in force (`warden exchange set`), with the service addresses Warden learnt."""
        memo = frozenset(canonical_address(a) for a in facts.exchange_memo_addresses.values())
        return cls(
            own_deposit_addresses=memo | frozenset(canonical_address(a) for a in facts.exchange_deposit_addresses),
            hot_wallets=frozenset(canonical_address(a) for a in facts.exchange_hot_wallets.values()),
            memo_networks=frozenset(facts.memo_networks),
            shared_memo_addresses=facts.shared_memo_addresses(),
            hack_addresses=facts.hack_addresses(),
        )

    @classmethod
    def from_file(cls, path: Path) -> HopContext:
        return cls.from_context(json.loads(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class HopParams:
    window_s: int = 7 * DAY  # the receiving deposit follows the withdrawal within this
    personal_quantile: float = 0.99  # customers per address at this quantile of all addresses ...
    personal_factor: float = 2.0  # ... times this is the most a personal (non-service) address has
    min_personal: int = 2  # a hop needs a sender and a receiver


@dataclass
class HopSummary:
    to_deposit_address: int = 0
    via_address: int = 0
    personal_cap: int = 0
    memo_networks: list[str] = field(default_factory=list)


def _in_list(values: Iterable[str]) -> str:
    quoted = sorted({"'" + v.replace("'", "''") + "'" for v in values})
    return "(" + ",".join(quoted) + ")" if quoted else "(SELECT CAST(NULL AS VARCHAR) WHERE false)"


def resolve_hops(
    con: duckdb.DuckDBPyConnection, ctx: HopContext | None = None, params: HopParams | None = None
) -> HopSummary:
    """Create table `hops` from `mv` and rebuild the views `tr`, `dep`, `wd` around it."""
    ctx = ctx or HopContext()
    p = params or HopParams()
    learnt = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT network FROM mv WHERE memo IS NOT NULL AND network IS NOT NULL"
        ).fetchall()
    }
    memo_nets = sorted(ctx.memo_networks | learnt)
    run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE mkey AS
        SELECT event_id, type, customer_id AS c, ts, usd, usd_f, address, to_addr, memo,
               CASE WHEN memo IS NOT NULL AND network IN {_in_list(memo_nets)} THEN to_addr || '#' || memo
                    ELSE to_addr END AS k
        FROM mv WHERE type IN ('deposit', 'withdrawal')
        """,
    )
    # Shared memo addresses: the exchange's and other services' known ones, and any used with several memos.
    run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE shared_memo AS
        SELECT to_addr AS a FROM mkey WHERE memo IS NOT NULL AND to_addr IS NOT NULL
        GROUP BY to_addr HAVING count(DISTINCT memo) >= 2
        UNION SELECT unnest([{",".join("'" + a.replace("'", "''") + "'" for a in sorted(ctx.shared_memo_addresses)) or "NULL"}])
        """,
    )
    run(
        con,
        """
        CREATE OR REPLACE TEMP TABLE dep_owner AS
        SELECT k, arg_max(c, n) AS owner FROM (
          SELECT k, c, count(*) AS n FROM mkey WHERE type = 'deposit' AND k IS NOT NULL GROUP BY ALL
        ) GROUP BY k
        """,
    )
    # (a) withdrawals to another customer's deposit key; the deposit they became, when it is in the data.
    run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE hop_a AS
        SELECT w.event_id, w.c AS src, o.owner AS dst, w.ts AS wts, w.usd, w.usd_f,
               (SELECT arg_min(d.event_id, d.ts) FROM mkey d
                 WHERE d.type = 'deposit' AND d.k = w.k AND d.c = o.owner
                   AND d.ts >= w.ts AND d.ts <= w.ts + INTERVAL {p.window_s} SECOND) AS dep_event
        FROM mkey w JOIN dep_owner o ON o.k = w.k
        WHERE w.type = 'withdrawal' AND o.owner <> w.c
        """,
    )
    cap = con.execute(
        f"""
        SELECT quantile_cont(n, {p.personal_quantile}) FROM (
          SELECT a, count(DISTINCT c) AS n FROM (
            SELECT to_addr AS a, c FROM mkey WHERE type = 'withdrawal' AND to_addr IS NOT NULL
            UNION ALL SELECT address AS a, c FROM mkey WHERE type = 'deposit' AND address IS NOT NULL
          ) GROUP BY a)
        """
    ).fetchall()[0][0]
    personal_cap = max(p.min_personal, int(p.personal_factor * float(cap or 1.0)))
    excluded = ctx.hot_wallets | ctx.own_deposit_addresses
    # (b) A -> X -> B through a personal-sized address X.
    run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE hop_addr AS
        SELECT a FROM (
          SELECT to_addr AS a, c FROM mkey WHERE type = 'withdrawal' AND to_addr IS NOT NULL
          UNION ALL SELECT address AS a, c FROM mkey WHERE type = 'deposit' AND address IS NOT NULL
        ) GROUP BY a HAVING count(DISTINCT c) BETWEEN 2 AND {personal_cap}
        """,
    )
    run(
        con,
        f"""
        CREATE OR REPLACE TEMP TABLE hop_b AS
        SELECT w.event_id, w.c AS src, arg_min(d.c, d.ts) AS dst, min(d.ts) AS dts, w.usd, w.usd_f,
               arg_min(d.event_id, d.ts) AS dep_event
        FROM mkey w
        JOIN hop_addr h ON h.a = w.to_addr
        JOIN mkey d ON d.type = 'deposit' AND d.address = w.to_addr AND d.c <> w.c
                   AND d.ts >= w.ts AND d.ts <= w.ts + INTERVAL {p.window_s} SECOND
        WHERE w.type = 'withdrawal' AND w.memo IS NULL
          AND w.to_addr NOT IN (SELECT a FROM shared_memo WHERE a IS NOT NULL)
          AND w.to_addr NOT IN {_in_list(excluded)}
          AND w.event_id NOT IN (SELECT event_id FROM hop_a)
        GROUP BY w.event_id, w.c, w.usd, w.usd_f
        """,
    )
    run(
        con,
        """
        CREATE OR REPLACE TABLE hops AS
        SELECT a.event_id, a.src, a.dst, coalesce(d.ts, a.wts) AS ts, a.usd, a.usd_f, a.dep_event, 'deposit_address' AS kind
        FROM hop_a a LEFT JOIN mkey d ON d.event_id = a.dep_event
        UNION ALL
        SELECT event_id, src, dst, dts AS ts, usd, usd_f, dep_event, 'via_address' AS kind FROM hop_b
        """,
    )
    run(
        con,
        "CREATE OR REPLACE VIEW tr AS SELECT event_id, customer_id AS src, counterparty_id AS dst, ts, usd, usd_f "
        "FROM mv WHERE type = 'transfer' UNION ALL SELECT event_id, src, dst, ts, usd, usd_f FROM hops",
    )
    run(
        con,
        "CREATE OR REPLACE VIEW dep AS SELECT event_id, customer_id AS cust, ts, usd, usd_f, address FROM mv "
        "WHERE type = 'deposit' AND event_id NOT IN (SELECT dep_event FROM hops WHERE dep_event IS NOT NULL)",
    )
    run(
        con,
        "CREATE OR REPLACE VIEW wd AS SELECT event_id, customer_id AS cust, ts, usd, usd_f, address FROM mv "
        "WHERE type = 'withdrawal' AND event_id NOT IN (SELECT event_id FROM hops)",
    )
    counts = dict(con.execute("SELECT kind, count(*) FROM hops GROUP BY kind").fetchall())
    return HopSummary(
        to_deposit_address=int(counts.get("deposit_address", 0)),
        via_address=int(counts.get("via_address", 0)),
        personal_cap=personal_cap,
        memo_networks=memo_nets,
    )
