"""Normal behaviour looks like an exchange: saved destinations, rare travel, heavy tails, daily rhythm."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from warden.sim.identity import COUNTRY_BY_CODE

if TYPE_CHECKING:
    from tests.sim.conftest import Run


def _labelled_customers(run: Run) -> set[str]:
    """Customers in a scenario (benign look-alikes, labelled normal, behave as customers do)."""
    return {r["entity_id"] for r in run.labels if r["entity_type"] == "customer" and r["label"] != "normal"}


def test_withdrawals_go_to_addresses_saved_before_them(small_run: Run) -> None:
    saved_at: dict[tuple[str, str], datetime] = {}
    age_days = []
    labelled = _labelled_customers(small_run)
    for event in small_run.events:  # events are in time order
        key = (event["customer_id"], event.get("address") or event.get("to_address") or "")
        when = datetime.strptime(event["occurred_at"], "%Y-%m-%dT%H:%M:%SZ")
        if event["type"] == "address_book_change" and event["action"] == "add":
            saved_at.setdefault(key, when)
        elif event["type"] == "withdrawal":
            assert key in saved_at, event  # every destination was saved before its first use
            if event["customer_id"] not in labelled:
                age_days.append((when - saved_at[key]).total_seconds() / 86_400)
    ages = np.array(age_days)
    # mostly long-known addresses (at 300 customers the share moves a few points with the world drawn:
    # above 0.6 before the payroll, P2P and other-exchange look-alikes joined the draws, 0.59 after)
    assert (ages >= 1).mean() > 0.55, (ages >= 1).mean()
    assert 0.02 < (ages < 1 / 24).mean() < 0.4  # a minority saved within the hour before


def test_logins_from_another_country_are_rare_but_present(small_run: Run) -> None:
    home = {e["customer_id"]: e["nationality"] for e in small_run.events if e["type"] == "kyc_submission"}
    logins = [e for e in small_run.events if e["type"] == "login"]
    abroad = sum(e["country"] != home[e["customer_id"]] for e in logins) / len(logins)
    assert 0.001 < abroad < 0.05, abroad
    failed = sum(not e["success"] for e in logins) / len(logins)
    assert 0.005 < failed < 0.08, failed


def test_amounts_are_heavy_tailed(small_run: Run) -> None:
    usd = np.array([float(e["amount_usd"]) for e in small_run.events if e["type"] in ("deposit", "withdrawal")])
    p50, p99 = np.percentile(usd, [50, 99])
    assert p99 / p50 > 20, (p50, p99)


def test_activity_follows_the_customers_local_day(small_run: Run) -> None:
    home = {
        e["customer_id"]: COUNTRY_BY_CODE[e["nationality"]] for e in small_run.events if e["type"] == "kyc_submission"
    }
    hours = Counter()
    for e in small_run.events:
        if e["type"] == "login":
            utc_hour = int(e["occurred_at"][11:13])
            hours[(utc_hour + home[e["customer_id"]].utc_offset) % 24] += 1
    night = sum(hours[h] for h in range(1, 6))
    evening = sum(hours[h] for h in range(18, 23))
    assert evening > 3 * night, (evening, night)


def test_normal_customers_keep_to_a_few_devices(small_run: Run) -> None:
    labelled = _labelled_customers(small_run)
    devices: dict[str, set[str]] = defaultdict(set)
    for e in small_run.events:
        if e["type"] == "login" and e["customer_id"] not in labelled:
            devices[e["customer_id"]].add(e["device_id"])
    per_customer = np.array([len(d) for d in devices.values()])
    assert np.median(per_customer) <= 2 and per_customer.max() <= 6


def test_segments_and_asset_mix(small_run: Run) -> None:
    per_customer = Counter(e["customer_id"] for e in small_run.events)
    counts = np.array(sorted(per_customer.values()))
    assert counts[-len(counts) // 10 :].sum() > 0.35 * counts.sum()  # active traders make a large share of events
    networks = Counter(e["network"] for e in small_run.events if e["type"] == "withdrawal")
    assert {"bitcoin", "ethereum", "tron"} <= set(networks)
    assert sum(1 for e in small_run.events if e["type"] == "deposit" and e.get("channel") in ("fiat", "card")) > 10
    assert sum(1 for e in small_run.events if e["type"] == "transfer") > 20
