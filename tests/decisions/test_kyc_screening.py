"""KYC applicants are screened by name through the decision engine's rules."""

from __future__ import annotations

from warden.decisions.factory import build_engine
from warden.events.examples import EXAMPLES
from warden.events.models import EVENT_ADAPTER, AnyEvent
from warden.settings import Settings


def _kyc(event_id: str, name: str, born: str) -> AnyEvent:
    return EVENT_ADAPTER.validate_python(
        EXAMPLES["kyc_submission"] | {"event_id": event_id, "full_name": name, "date_of_birth": born}
    )


def test_a_listed_name_is_held_with_the_matched_entry_and_an_ordinary_one_is_not(settings: Settings) -> None:
    engine = build_engine(settings)
    listed = engine.decide(_kyc("k1", "Ayman Al-Zawahiri", "1951-06-19"))
    assert listed.outcome == "hold"
    hit = next(h for h in listed.rule_hits if h["rule_id"] == "kyc_name_on_sanctions_list")
    assert "ZAWAHIRI" in hit["reason"].upper()
    assert listed.features["sanctions_name_score"] >= 0.85
    ordinary = engine.decide(_kyc("k2", "Anna Maria Schmidt", "1990-04-17"))
    assert "kyc_name_on_sanctions_list" not in [h["rule_id"] for h in ordinary.rule_hits]
    assert ordinary.features["sanctions_name_score"] < 0.85
