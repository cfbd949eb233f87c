"""`warden eval fraud --decisions`: hold-or-stronger shares per typology from `warden decide` output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from warden.models.dataset import DatasetError, load_withdrawals
from warden.models.evaluate import outcome_report


def test_shares_follow_the_decided_outcomes(dataset: Path, tmp_path: Path) -> None:
    data = load_withdrawals(dataset)
    rows = data.frame.select("event_id", "typology").to_dicts()
    decisions = tmp_path / "decisions.jsonl"
    with open(decisions, "w", encoding="utf-8") as handle:
        for i, row in enumerate(rows):
            # every takeover blocked, every other scam withdrawal held, normals allowed except one
            if row["typology"] == "account_takeover":
                outcome = "block"
            elif row["typology"] != "normal":
                outcome = "hold" if i % 2 == 0 else "review"
            else:
                outcome = "hold" if i == 0 else "allow"
            handle.write(
                json.dumps({"event_id": row["event_id"], "outcome": outcome, "score": 0, "reasons": []}) + "\n"
            )
    report = outcome_report(data, decisions)["by_typology"]
    assert report["account_takeover"]["hold_or_stronger_share"] == 1.0
    assert 0.2 < report["pig_butchering"]["hold_or_stronger_share"] < 0.8
    normals = report["normal"]["withdrawals"]
    assert report["normal"]["hold_or_stronger_share"] == pytest.approx(round(1 / normals, 4))


def test_a_broken_decision_line_names_its_position(dataset: Path, tmp_path: Path) -> None:
    decisions = tmp_path / "decisions.jsonl"
    decisions.write_text('{"event_id": "a", "outcome": "allow"}\nnot json\n', encoding="utf-8")
    with pytest.raises(DatasetError, match=r"decisions.jsonl:2:"):
        outcome_report(load_withdrawals(dataset), decisions)
