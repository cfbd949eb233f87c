"""Every injected scenario appears, labelled, and has the shape its documentation promises."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING

from warden.sim.refdata import hack_addresses, sanctioned_addresses

if TYPE_CHECKING:
    from tests.sim.conftest import Run

EXPECTED = {
    ("fraud", "account_takeover"), ("scam_victim", "pig_butchering"), ("scam_victim", "impersonation"),
    ("laundering", "fan_in"), ("mule", "fan_out"), ("laundering", "cycle"), ("mule", "scatter_gather"),
    ("laundering", "gather_scatter"), ("laundering", "bipartite"), ("laundering", "stack"),
    ("laundering", "structuring"), ("mule", "pass_through"), ("synthetic_identity", "shared_identity"),
    ("mistaken_deposit", "wrong_network"), ("mistaken_deposit", "missing_memo"), ("sanctioned", "ofac_sdn"),
}  # fmt: skip


def _by(run: Run, entity_type: str, label: str, typology: str | None = None) -> list[dict[str, str]]:
    return [r for r in run.labels if r["entity_type"] == entity_type and r["label"] == label
            and (typology is None or r["typology"] == typology)]  # fmt: skip


def _events(run: Run) -> dict[str, dict]:  # type: ignore[type-arg]
    return {e["event_id"]: e for e in run.events}


def test_every_scenario_appears_on_a_small_run(small_run: Run) -> None:
    present = {(r["label"], r["typology"]) for r in small_run.labels}
    assert present >= EXPECTED, EXPECTED - present
    assert {r["label"] for r in small_run.labels if r["entity_type"] == "address"} >= {
        "hack_proceeds",
        "sanctioned",
        "fraud",
    }
    assert _by(small_run, "event", "hack_proceeds")


def test_account_takeover_withdrawals_follow_a_login_from_a_new_device(small_run: Run) -> None:
    events = _events(small_run)
    fraudulent = [events[r["entity_id"]] for r in _by(small_run, "event", "fraud", "account_takeover")]
    assert fraudulent
    for withdrawal in fraudulent:
        assert withdrawal["type"] == "withdrawal"
        seen_before = {e["device_id"] for e in small_run.events if e["customer_id"] == withdrawal["customer_id"]
                       and e["type"] == "login" and e["occurred_at"] < "2026-01-01"}  # fmt: skip
        assert withdrawal["device_id"] not in seen_before


def test_scam_collection_addresses_are_shared_within_a_scenario(small_run: Run) -> None:
    events = _events(small_run)
    victims_per_address: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in small_run.labels:
        if row["entity_type"] == "event" and row["label"] == "scam_victim":
            event = events[row["entity_id"]]
            victims_per_address[(row["scenario_id"], event["to_address"])].add(event["customer_id"])
    address_labels = {(r["scenario_id"], r["entity_id"]) for r in _by(small_run, "address", "fraud")}
    assert victims_per_address and set(victims_per_address) <= address_labels
    scenarios_with_many = {s for (s, _), who in victims_per_address.items() if len(who) > 1}
    assert scenarios_with_many, "at least one scam operation has several victims paying one address"


def test_structuring_stays_below_the_threshold(small_run: Run) -> None:
    events = _events(small_run)
    amounts = [
        float(events[r["entity_id"]]["amount_usd"]) for r in _by(small_run, "event", "laundering", "structuring")
    ]
    assert amounts and all(7_900 <= a < 10_000 for a in amounts)  # crypto quantization may shave a cent


def test_pass_through_mules_withdraw_within_hours(small_run: Run) -> None:
    events = _events(small_run)
    per_mule: dict[str, list[dict]] = defaultdict(list)  # type: ignore[type-arg]
    for row in _by(small_run, "event", "mule", "pass_through"):
        per_mule[events[row["entity_id"]]["customer_id"]].append(events[row["entity_id"]])
    assert per_mule
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    for rows in per_mule.values():
        deposits = sorted(e["occurred_at"] for e in rows if e["type"] == "deposit")
        withdrawals = sorted(e["occurred_at"] for e in rows if e["type"] == "withdrawal")
        assert deposits and len(deposits) == len(withdrawals)
        for d, w in zip(deposits, withdrawals, strict=True):
            assert 0 < (datetime.strptime(w, stamp) - datetime.strptime(d, stamp)).total_seconds() <= 8 * 3600
        usd_in = sum(float(e["amount_usd"]) for e in rows if e["type"] == "deposit")
        usd_out = sum(float(e["amount_usd"]) for e in rows if e["type"] == "withdrawal")
        assert 0.95 * usd_in <= usd_out <= usd_in  # the balance goes back near zero


def test_mistaken_deposits_have_their_mistake(small_run: Run) -> None:
    events = _events(small_run)
    wrong = [events[r["entity_id"]] for r in _by(small_run, "event", "mistaken_deposit", "wrong_network")]
    assert wrong and all(e["network"] != "tron" and e["to_address"].startswith("T") for e in wrong)
    missing = [events[r["entity_id"]] for r in _by(small_run, "event", "mistaken_deposit", "missing_memo")]
    assert missing and all(e["network"] in ("ripple", "cosmos") and "memo" not in e for e in missing)
    normal_memo = [e for e in small_run.events if e["type"] == "deposit" and e["network"] == "ripple"
                   and e["event_id"] not in {m["event_id"] for m in missing}]  # fmt: skip
    assert all("memo" in e for e in normal_memo)


def test_real_public_addresses_are_used_for_sanctions_and_hacks(small_run: Run) -> None:
    events = _events(small_run)
    listed = {a: (asset, network) for a, asset, network in sanctioned_addresses()}
    for row in _by(small_run, "event", "sanctioned"):
        event = events[row["entity_id"]]
        assert listed[event["to_address"]] == (event["asset"], event["network"])
    hacked = {a for a, _, _ in hack_addresses()}
    hack_events = [events[r["entity_id"]] for r in _by(small_run, "event", "hack_proceeds")]
    assert hack_events and all(e["type"] == "deposit" and e["from_address"] in hacked for e in hack_events)


def test_identity_rings_share_identifiers_but_not_names(small_run: Run) -> None:
    kyc = {e["customer_id"]: e for e in small_run.events if e["type"] == "kyc_submission"}
    rings: dict[str, list[dict]] = defaultdict(list)  # type: ignore[type-arg]
    for row in _by(small_run, "customer", "synthetic_identity"):
        rings[row["scenario_id"]].append(kyc[row["entity_id"]])
    assert rings
    for members in rings.values():
        assert len(members) >= 3
        mailbox = {m["email"].split("@")[0].split("+")[0].replace(".", "").lower() for m in members}
        assert len(mailbox) == 1
        assert len({m["full_name"] for m in members}) > 1
        numbers = [m["document_number"] for m in members]
        distances = [sum(x != y for x, y in zip(a, b, strict=True)) for a in numbers for b in numbers if a < b]
        assert max(distances, default=0) <= 2  # each is one edit away from the ring's base number
        assert len({m["nationality"] for m in members}) == 1


def benign_customers(run: Run, typology: str) -> set[str]:
    return {r["entity_id"] for r in run.labels if r["entity_type"] == "customer" and r["typology"] == typology}


def test_benign_lookalikes_exist_labelled_normal(small_run: Run) -> None:
    labelled = {r["entity_id"] for r in small_run.labels if r["entity_type"] == "customer" and r["label"] != "normal"}
    benign = {r["typology"] for r in small_run.labels if r["label"] == "normal"}
    assert {"benign_household", "benign_payroll_fan_out", "benign_p2p_trader", "benign_other_exchange"} <= benign
    kyc = [e for e in small_run.events if e["type"] == "kyc_submission" and e["customer_id"] not in labelled]
    by_device: dict[str, list[dict]] = defaultdict(list)  # type: ignore[type-arg]
    for e in kyc:
        by_device[e["device_id"]].append(e)
    households = [m for m in by_device.values() if len(m) > 1]
    assert households and all(len({m["address"] for m in members}) == 1 for members in households)
    events = _events(small_run)
    mistaken = {r["entity_id"] for r in small_run.labels if r["typology"] == "wrong_network"}
    bsc_ok = [
        e for e in events.values() if e["type"] == "deposit" and e["network"] == "bsc" and e["event_id"] not in mistaken
    ]
    assert bsc_ok and all(e["to_address"].startswith("0x") for e in bsc_ok)
    below = [e for e in events.values() if e["type"] == "deposit" and 8_000 <= float(e["amount_usd"]) < 10_000
             and e["customer_id"] not in labelled]  # fmt: skip
    assert below, "legitimate deposits just below the threshold exist"
    # withdrawals to another exchange's shared deposit address, each customer with their own memo there
    shared = defaultdict(set)
    for e in events.values():
        if (
            e["type"] == "withdrawal"
            and e.get("memo")
            and e["customer_id"] in benign_customers(small_run, "benign_other_exchange")
        ):
            shared[e["to_address"]].add(e["memo"])
    assert shared and max(len(memos) for memos in shared.values()) >= 2
