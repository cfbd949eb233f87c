"""Re-screening the customer base when a list changes: alerts only for new hits, allowlist respected."""

from __future__ import annotations

from warden.screening.loaders.internal import AllowEntry
from warden.screening.name_index import build_index
from warden.screening.rescreen import customers_from_events, rescreen

from .helpers import entry


def test_only_new_hits_alert_and_allowlist_suppresses() -> None:
    old_entries = [entry("1", "Ivan Petrovich SIDOROV"), entry("2", "Maria GONZALEZ LOPEZ")]
    new_entries = [*old_entries, entry("3", "Chen Wei LONG", years=(1975,)), entry("4", "Nadia KARIMOVA")]
    old, new = build_index(old_entries), build_index(new_entries)
    events = [
        {"type": "kyc_submission", "customer_id": "c1", "full_name": "Ivan Sidorov", "date_of_birth": "1970-01-01"},
        {"type": "kyc_submission", "customer_id": "c2", "full_name": "Wei Chen Long", "date_of_birth": "1975-05-05"},
        {"type": "kyc_submission", "customer_id": "c3", "full_name": "Nadia Karimova", "date_of_birth": "1990-01-01"},
        {"type": "kyc_submission", "customer_id": "c4", "full_name": "Peter Jones", "date_of_birth": "1980-01-01"},
        {"type": "withdrawal", "customer_id": "c5", "full_name": "Chen Wei Long"},
    ]
    customers = customers_from_events(events)
    assert [c.customer_id for c in customers] == ["c1", "c2", "c3", "c4"]
    alerts = rescreen(customers, old, new, allowlist=[AllowEntry("c3", "4", "cleared: different person")])
    assert [(a.customer_id, a.entry_id) for a in alerts] == [("c2", "3")]  # c1's hit is old, c3's is cleared
    assert alerts[0].reasons["name"]["query_coverage"] == 1.0 and alerts[0].to_dict()["matcher_version"]
