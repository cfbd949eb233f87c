"""Name normalisation: any script to Latin, case and punctuation folded, honorifics, legal forms and vessel
prefixes removed, so that matching compares only the parts that identify someone.

Applied the same way to list names and to queries; token order is left to the matcher, which aligns parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz.distance import OSA

NORMALISER_VERSION = "norm-3"

HONORIFICS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "sir",
        "madam",
        "mme",
        "mlle",
        "herr",
        "frau",
        "sheikh",
        "shaykh",
        "sheik",
        "shaikh",
        "haji",
        "hajji",
        "alhaji",
        "general",
        "gen",
        "col",
        "colonel",
        "major",
        "maj",
        "capt",
        "captain",
        "lt",
        "brigadier",
        "admiral",
        "sayyid",
        "sayed",
        "sayyed",
        "mawlawi",
        "maulavi",
        "maulvi",
        "mullah",
        "mulla",
        "imam",
        "emir",
        "amir",
        "hon",
        "honourable",
        "excellency",
        "his",
        "her",
    ]
)
# Legal forms, stripped wherever they stand at the start or the end of a name.
LEGAL_FORMS = frozenset(
    [
        "ltd",
        "limited",
        "llc",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "sl",
        "gmbh",
        "ag",
        "kg",
        "bv",
        "nv",
        "plc",
        "pte",
        "pvt",
        "private",
        "llp",
        "lp",
        "jsc",
        "ojsc",
        "pjsc",
        "cjsc",
        "zao",
        "oao",
        "pao",
        "ooo",
        "tov",
        "fze",
        "fzc",
        "fzco",
        "fzllc",
        "est",
        "establishment",
        "cv",
        "rl",
        "sac",
        "saoc",
        "sae",
        "ltda",
        "eirl",
        "kft",
        "as",
        "ab",
        "oy",
        "the",
        "liability",  # 'LIMITED LIABILITY COMPANY ...', 'JOINT STOCK COMPANY ...' (translated Russian forms)
        "joint",
        "stock",
    ]
)
# Long legal forms are often misspelt ('LIMIED', 'COPMANY'); within one edit or swap they still count.
_LONG_LEGAL = ("limited", "company", "corporation", "incorporated", "establishment")
_JOINERS = frozenset({"de", "y", "and", "&"})  # 'S.A. DE C.V.', 'S. DE R.L.'
STOPWORDS = frozenset({"of", "and", "the", "for", "&"})
_VESSEL_PREFIX = re.compile(r"^\s*(?:m\s*/\s*[vty]|mv|mt|ms|ss|s\s*/\s*s|fv)\b[\s.]*", re.IGNORECASE)
_DROP = re.compile(r"[.'`\u2019\u2018\u02bc]")  # dots and apostrophes join: 'S.A.' -> 'SA', "Al'-" -> 'Al-'
_SPLIT = re.compile(r"[^a-z0-9]+")
_CJK = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af])")


@dataclass(frozen=True)
class NormalName:
    tokens: tuple[str, ...]
    legal_forms: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def is_legal_form(token: str) -> bool:
    if token in LEGAL_FORMS:
        return True
    return len(token) >= 6 and any(OSA.distance(token, form, score_cutoff=1) <= 1 for form in _LONG_LEGAL)


def _fold(token: str) -> str:
    """Spellings that differ only by transliteration convention (Russian 'dzh'/'kh' for English 'j'/'h')."""
    if "dzh" in token or "kh" in token:
        return token.replace("dzh", "j").replace("kh", "h")
    return token


def to_latin(text: str) -> str:
    """Transliterate any script; CJK characters are spaced first so each syllable stays a part."""
    if _CJK.search(text):
        text = _CJK.sub(r" \1 ", text)
    return anyascii(text)


@lru_cache(maxsize=65536)
def normalise(text: str) -> NormalName:
    latin = to_latin(text).lower()
    latin = _VESSEL_PREFIX.sub(" ", latin)
    latin = _DROP.sub("", latin)
    tokens = [t for t in _SPLIT.split(latin) if t]
    legal: list[str] = []
    # Strip legal forms from the end ('... CO LTD', '... SA DE CV') and the start ('OOO ...'), keep them aside.
    while len(tokens) > 1 and (is_legal_form(tokens[-1]) or (tokens[-1] in _JOINERS and legal)):
        legal.insert(0, tokens.pop())
    while len(tokens) > 1 and is_legal_form(tokens[0]):
        legal.append(tokens.pop(0))
    core = [_fold(t) for t in tokens if t not in HONORIFICS and t not in STOPWORDS]
    if not core:  # a name made only of such words is still a name
        core = tokens
    return NormalName(tuple(core), tuple(legal))
