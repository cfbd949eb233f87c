"""The name index: every alias of every entry, normalised once, with token, joined-pair and phonetic postings.

Retrieval never scans all names: a query's keys (its tokens, adjacent tokens joined, their phonetic codes)
look up posting lists, and candidates are ranked by the inverse document frequency of the keys they share.
Very common keys ('al', 'mohammed', 'company') only count once a rarer key has found the candidate.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import jellyfish

from warden.screening.models import ListEntry
from warden.screening.normalize import normalise

COMMON_KEY_DF = 400
PREFIX = 4  # keys on more aliases than this do not open new candidates


def phonetic(token: str) -> str:
    return jellyfish.metaphone(token) if len(token) > 1 and not token.isdigit() else token


def query_keys(tokens: tuple[str, ...]) -> list[str]:
    keys = [f"t:{t}" for t in tokens]
    keys += [f"t:{a}{b}" for a, b in itertools.pairwise(tokens)]
    keys += [f"p:{phonetic(t)}" for t in tokens if len(t) > 2]
    keys += [f"x:{t[:PREFIX]}" for t in tokens if len(t) > PREFIX]  # typos after the 4th letter
    return list(dict.fromkeys(keys))


@dataclass
class NameIndex:
    entries: list[ListEntry] = field(default_factory=list)
    alias_entry: list[int] = field(default_factory=list)  # alias number -> entry number
    alias_pos: list[int] = field(default_factory=list)  # alias number -> position in entry.aliases
    alias_tokens: list[tuple[str, ...]] = field(default_factory=list)
    alias_phonetic: list[tuple[str, ...]] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)
    token_df: dict[str, int] = field(default_factory=dict)
    common: dict[str, frozenset[int]] = field(default_factory=dict)  # postings of the common keys, as sets
    token_idf: dict[str, float] = field(default_factory=dict)  # precomputed: looked up ~100 times a query
    alias_weight: list[float] = field(default_factory=list)  # sum of an alias's part weights

    @property
    def size(self) -> int:
        return len(self.alias_tokens)

    def idf(self, token: str) -> float:
        """Weight of a name part: rare parts identify, common ones ('al', 'bin') barely do."""
        weight = self.token_idf.get(token)
        return weight if weight is not None else _idf(self.size, 0, token)


def _idf(size: int, df: int, token: str) -> float:
    base = math.log((size + 1) / (df + 1)) + 1.0
    return base * (0.3 if len(token) == 1 else 1.0)


def build_index(entries: list[ListEntry]) -> NameIndex:
    index = NameIndex(entries=list(entries))
    postings: dict[str, set[int]] = {}
    for entry_no, entry in enumerate(index.entries):
        seen: set[tuple[str, ...]] = set()
        for pos, alias in enumerate(entry.aliases):
            tokens = normalise(alias.name).tokens
            if not tokens or tokens in seen:
                continue
            seen.add(tokens)
            alias_no = len(index.alias_tokens)
            index.alias_entry.append(entry_no)
            index.alias_pos.append(pos)
            index.alias_tokens.append(tokens)
            index.alias_phonetic.append(tuple(phonetic(t) for t in tokens))
            for token in set(tokens):
                index.token_df[token] = index.token_df.get(token, 0) + 1
            for key in query_keys(tokens):
                postings.setdefault(key, set()).add(alias_no)
    index.postings = {key: sorted(ids) for key, ids in postings.items()}
    index.common = {key: frozenset(ids) for key, ids in postings.items() if len(ids) > COMMON_KEY_DF}
    index.token_idf = {token: _idf(index.size, df, token) for token, df in index.token_df.items()}
    index.alias_weight = [sum(index.token_idf[t] for t in tokens) for tokens in index.alias_tokens]
    return index
