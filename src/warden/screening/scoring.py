"""Scoring one query name against one listed alias: name-part alignment, string and phonetic similarity.

The score is graded in [0, 1]: 1.0 only when every part matches exactly; typos, dropped or extra parts and
weak phonetic matches each cost something, so near-misses rank below exact matches instead of tying at 1.0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz.distance import JaroWinkler

PART_MIN_SIMILARITY = 0.84  # below this two name parts are different parts
PHONETIC_SIMILARITY = 0.86  # same metaphone code, spelled apart (Yusuf / Yousef)
INITIAL_SIMILARITY = 0.8  # 'J' for 'John'
W_QUERY, W_LISTED, W_STRING = 0.6, 0.25, 0.15


@dataclass(frozen=True)
class NameScore:
    score: float
    query_coverage: float  # share of the query's weight explained by listed parts
    listed_coverage: float  # share of the listed alias's weight found in the query
    string_similarity: float  # Jaro-Winkler of the sorted, joined parts
    aligned: tuple[tuple[str, str, float], ...]  # (query part, listed part, similarity)


def _merge_joined(tokens: tuple[str, ...], other: frozenset[str]) -> tuple[str, ...]:
    """Join adjacent parts when the other side has them as one part ('abdul rahman' ~ 'abdulrahman')."""
    if len(tokens) < 2:
        return tokens
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens) and tokens[i] + tokens[i + 1] in other:
            out.append(tokens[i] + tokens[i + 1])
            i += 2
        else:
            out.append(tokens[i])
            i += 1
    return tuple(out)


def _part_similarity(q: str, qp: str, c: str, cp: str) -> float:
    if q == c:
        return 1.0
    if len(q) == 1 or len(c) == 1:
        return INITIAL_SIMILARITY if q[0] == c[0] else 0.0
    sim = JaroWinkler.normalized_similarity(q, c)
    if qp == cp and (min(len(q), len(c)) > 3 or q[:2] == c[:2]):  # short codes collide (din / don)
        sim = max(sim, PHONETIC_SIMILARITY)
    return sim if sim >= PART_MIN_SIMILARITY else 0.0


def score_name(
    q_tokens: tuple[str, ...],
    q_phon: dict[str, str],
    c_tokens: tuple[str, ...],
    c_phon: dict[str, str],
    weight: Callable[[str], float],
) -> NameScore:
    """`q_phon`/`c_phon` map a part to its phonetic code; `weight` gives a part's IDF weight."""
    q_set, c_set = frozenset(q_tokens), frozenset(c_tokens)
    q_al, c_al = _merge_joined(q_tokens, c_set), _merge_joined(c_tokens, q_set)
    pairs: list[tuple[float, int, int]] = []
    for i, q in enumerate(q_al):
        for j, c in enumerate(c_al):
            sim = _part_similarity(q, q_phon.get(q, q), c, c_phon.get(c, c))
            if sim > 0.0:
                pairs.append((sim, i, j))
    pairs.sort(reverse=True)
    used_q: set[int] = set()
    used_c: set[int] = set()
    aligned: list[tuple[str, str, float]] = []
    for sim, i, j in pairs:  # greedy one-to-one alignment, best pairs first
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        aligned.append((q_al[i], c_al[j], sim))
    wq = {t: weight(t) for t in q_al}
    wc = {t: weight(t) for t in c_al}
    q_total, c_total = sum(wq.values()) or 1.0, sum(wc.values()) or 1.0
    q_cov = sum(wq[q] * s for q, _, s in aligned) / q_total
    c_cov = sum(wc[c] * s for _, c, s in aligned) / c_total
    string = JaroWinkler.normalized_similarity(" ".join(sorted(q_tokens)), " ".join(sorted(c_tokens)))
    score = W_QUERY * q_cov + W_LISTED * c_cov + W_STRING * string
    return NameScore(round(min(score, 1.0), 4), round(q_cov, 4), round(c_cov, 4), round(string, 4), tuple(aligned))
