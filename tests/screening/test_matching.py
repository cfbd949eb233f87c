"""Normalisation, graded scores, explanations and evidence."""

from __future__ import annotations

import json
from typing import Any

from warden.events.models import EVENT_ADAPTER
from warden.screening.matcher import (
    DEFAULT_THRESHOLD,
    WEAK_ALIAS,
    NameHit,
    NameQuery,
    _candidates,
    _evidence,
    _features,
    screen_name,
)
from warden.screening.name_index import NameIndex, phonetic
from warden.screening.normalize import normalise
from warden.screening.scoring import score_name
from warden.screening.screener import Screener
from warden.sim import SimConfig, simulate


def _top(index: NameIndex, text: str, **kw: Any) -> tuple[str, float] | None:
    hits = screen_name(index, NameQuery(text, **kw), threshold=0.0)
    return (hits[0].entry.id, hits[0].score) if hits else None


def test_normalisation_folds_scripts_honorifics_legal_forms_and_vessel_prefixes() -> None:
    assert normalise("Dr. Ayman AL-ZAWAHIRI").tokens == ("ayman", "al", "zawahiri")
    assert normalise("Владимир Путин").tokens == ("vladimir", "putin")
    assert normalise("习近平").tokens == ("xi", "jin", "ping")
    golden = normalise("GOLDEN HARBOUR TRADING CO., LTD.")
    assert golden.tokens == ("golden", "harbour", "trading") and golden.legal_forms == ("co", "ltd")
    assert normalise("Banco X S.A. de C.V.").tokens == ("banco", "x")
    assert normalise("M/V OCEAN STAR").tokens == ("ocean", "star")
    assert normalise("OOO Romashka LIMTED").tokens == ("romashka",)  # misspelt legal form still a legal form


def test_scores_are_graded_not_piled_at_one(small_index: NameIndex) -> None:
    exact = _top(small_index, "Ivan Petrovich Sidorov")
    typo = _top(small_index, "Ivan Petrovich Sidorvo")
    dropped = _top(small_index, "Ivan Sidorov")
    initial = _top(small_index, "Ivan P. Sidorov")
    assert exact == ("1", 1.0)
    assert typo is not None and dropped is not None and initial is not None
    assert {typo[0], dropped[0], initial[0]} == {"1"}
    assert 1.0 > typo[1] >= DEFAULT_THRESHOLD
    assert 1.0 > dropped[1] >= DEFAULT_THRESHOLD and initial[1] < 1.0


def test_variants_match(small_index: NameIndex) -> None:
    assert _top(small_index, "Sidorov Ivan Petrovich") == ("1", 1.0)  # token order
    assert _top(small_index, "Иван Петрович Сидоров")[0] == "1"  # type: ignore[index]  # Cyrillic
    assert _top(small_index, "Golden Harbour Trading Limited") == ("2", 1.0)  # legal form
    assert _top(small_index, "MV Ocean Star") == ("4", 1.0)  # vessel prefix
    joined = _top(small_index, "AbdulRahman Al Qasimi")
    assert joined is not None and joined[0] == "3" and joined[1] >= DEFAULT_THRESHOLD


def test_non_listed_name_sharing_a_part_is_not_a_hit(small_index: NameIndex) -> None:
    assert screen_name(small_index, NameQuery("Ivan Kowalski")) == []
    assert screen_name(small_index, NameQuery("Golden Bakery Kimura")) == []


def test_explanations_and_evidence(small_index: NameIndex) -> None:
    plain = screen_name(small_index, NameQuery("Ivan Petrovich Sidorov"))[0]
    name = plain.features["name"]
    assert name["query_coverage"] == 1.0 and name["aligned"][0]["similarity"] == 1.0
    born_same = screen_name(small_index, NameQuery("Ivan Sidorov", birth_year=1970), threshold=0.0)[0]
    born_else = screen_name(small_index, NameQuery("Ivan Sidorov", birth_year=1999), threshold=0.0)[0]
    assert born_same.score > born_else.score and born_else.features["dob"]["effect"] < 0
    as_entity = screen_name(small_index, NameQuery("Ivan Petrovich Sidorov", kind="entity"), threshold=0.0)[0]
    assert as_entity.score < plain.score and "kind" in as_entity.features
    hit = plain.to_dict()
    assert {"id", "score", "matched_alias", "list", "programs", "explanation"} <= hit.keys()


def test_real_lists_find_listed_people_in_any_script(default_screener: Screener) -> None:
    result = default_screener.screen_name(NameQuery("صدام حسين التكريتي"))
    assert result["hits"][0]["id"] == "IQi.001" and result["hits"][0]["alias_kind"] == "original-script"
    ids = [h["id"] for h in default_screener.screen_name(NameQuery("Aiman al-Zawahri"))["hits"]]
    assert "2676" in ids and "QDi.006" in ids
    assert default_screener.screen_name(NameQuery("John Smith"))["hits"] == []
    assert default_screener.screen_name(NameQuery("Banco Nacional de Cuba"))["hits"][0]["id"] == "306"


def _screen_explaining_every_candidate(index: NameIndex, query: NameQuery, threshold: float) -> list[NameHit]:
    """The matcher as it was: every candidate explained before the threshold (the plain twin of screen_name,
    which explains only the candidates that reach it)."""
    normal = normalise(query.name)
    tokens = normal.tokens
    q_phon = {t: phonetic(t) for t in tokens}
    best: dict[int, NameHit] = {}
    for alias_no in _candidates(index, tokens):
        c_tokens = index.alias_tokens[alias_no]
        c_phon = dict(zip(c_tokens, index.alias_phonetic[alias_no], strict=True))
        name = score_name(tokens, q_phon, c_tokens, c_phon, index.idf)
        entry_no = index.alias_entry[alias_no]
        entry = index.entries[entry_no]
        alias = entry.aliases[index.alias_pos[alias_no]]
        features = _features(name, tokens, c_tokens)
        score = name.score
        if alias.kind == "weak":
            score += WEAK_ALIAS
            features["weak_alias"] = {"effect": WEAK_ALIAS}
        score += _evidence(query, entry, features)
        score = round(max(0.0, min(1.0, score)), 4)
        if score < threshold:
            continue
        if entry_no not in best or score > best[entry_no].score:
            best[entry_no] = NameHit(entry, alias.name, alias.kind, score, features)
    return sorted(best.values(), key=lambda h: (-h.score, h.entry.id))


def test_screening_gives_the_hits_and_explanations_of_explaining_every_candidate(default_screener: Screener) -> None:
    """Simulated applicants (as the engine screens them) and listed names with typos, as people, entities and
    with birth years, at the engine's floor and the default threshold."""
    index = default_screener.names
    lines = simulate(SimConfig(customers=400, days=3, seed=17)).lines
    applicants = [e for e in map(EVENT_ADAPTER.validate_json, lines) if e.type == "kyc_submission"]
    queries = [NameQuery(e.full_name, "person", e.date_of_birth.year, None) for e in applicants]  # type: ignore[union-attr]
    for entry in index.entries[::40]:
        name = entry.aliases[0].name
        queries += [NameQuery(name), NameQuery(name[:-1] + "x", "entity", 1970, "Iran")]
    hits = 0
    for query in queries:
        for threshold in (0.6, DEFAULT_THRESHOLD):
            expected = _screen_explaining_every_candidate(index, query, threshold)
            got = screen_name(index, query, threshold, 10**6)
            assert json.dumps([h.to_dict() for h in got]) == json.dumps([h.to_dict() for h in expected]), query
            hits += len(expected)
    assert len(queries) > 600 and hits > 100
