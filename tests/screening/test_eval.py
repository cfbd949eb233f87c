"""The evaluation set and its metrics on the real UN list (small and fast; the full run is `warden eval screening`)."""

from __future__ import annotations

from warden.screening.evalset import build_evalset
from warden.screening.evaluate import baseline_token_sort, evaluate
from warden.screening.name_index import NameIndex


def test_evalset_is_deterministic_and_labelled(un_index: NameIndex) -> None:
    a = build_evalset(un_index, positives=60, negatives=200, seed=5)
    b = build_evalset(un_index, positives=60, negatives=200, seed=5)
    assert a == b
    kinds = {q.variant for q in a}
    assert {"exact", "typo", "reordered", "non-listed"} <= kinds
    assert all((q.expected_id is None) == (q.variant == "non-listed") for q in a)


def test_recall_and_false_hits_on_un_list(un_index: NameIndex) -> None:
    queries = build_evalset(un_index, positives=150, negatives=400, seed=11)
    report = evaluate(un_index, queries)
    assert report["recall"] >= 0.93 and report["false_hit_rate"] <= 0.02
    assert report["recall_by_variant"]["exact"]["recall"] == 1.0
    base = baseline_token_sort(un_index, queries)
    assert base["false_hit_rate"] <= 0.011 and base["recall_at_1pct_false_hits"] < report["recall"]
