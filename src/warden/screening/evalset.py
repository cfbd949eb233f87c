"""The screening evaluation set, built from the lists themselves (deterministic for a seed).

Positives are listed names and variants of them, each labelled with its variant kind: aliases, typos,
transliteration spellings, names in another script, reordered, dropped or initialled parts, honorifics,
legal-form changes, joined or split parts, vessel prefixes. Negatives are realistic names that are not
listed but share parts with listed ones (a listed given name with another family name, a listed company
word with other business words). A negative whose every part equals, or is one edit from, a part of one
listed alias is dropped: it is a (typo) variant of a shorter listed name, which the positives count as a hit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from warden.screening.models import ListEntry
from warden.screening.name_index import NameIndex
from warden.screening.normalize import is_legal_form, normalise

SURNAMES = [
    "smith",
    "garcia",
    "kowalski",
    "nguyen",
    "okafor",
    "petrova",
    "haddad",
    "rahimi",
    "fischer",
    "rossi",
    "tanaka",
    "silva",
    "jensen",
    "novak",
    "kaplan",
    "moreau",
    "dubois",
    "oconnor",
    "schneider",
    "ivanova",
    "mensah",
    "chowdhury",
    "santos",
    "lindqvist",
    "horvat",
    "papadopoulos",
    "yilmaz",
    "kimura",
    "mwangi",
    "bergstrom",
    "delacroix",
]
GIVEN = [
    "james",
    "maria",
    "anna",
    "peter",
    "olga",
    "lucas",
    "sofia",
    "david",
    "elena",
    "thomas",
    "fatima",
    "daniel",
    "laura",
    "omar",
    "irina",
    "carlos",
    "yuki",
    "amara",
    "noah",
    "chloe",
]
BUSINESS = [
    "trading",
    "logistics",
    "consulting",
    "foods",
    "textiles",
    "software",
    "partners",
    "ventures",
    "services",
    "shipping",
]
SPELLINGS = {
    "mohammed": "muhammad",
    "muhammad": "mohamed",
    "mohammad": "muhammed",
    "hussein": "husayn",
    "husain": "hussein",
    "yusuf": "yousef",
    "abdul": "abdel",
    "abd": "abdul",
    "ahmad": "ahmed",
    "ahmed": "ahmad",
    "osama": "usama",
    "omar": "umar",
    "umar": "omar",
    "hassan": "hasan",
    "hasan": "hassan",
    "ali": "aly",
    "ibrahim": "ebrahim",
    "sergey": "sergei",
    "sergei": "sergey",
    "aleksandr": "alexander",
    "alexander": "aleksandr",
    "yuri": "yury",
    "mikhail": "michail",
    "khalil": "halil",
    "qasim": "kasim",
    "jamal": "gamal",
    "rahman": "rehman",
}
LEGAL = ("LTD", "LIMITED", "LLC", "CO., LTD.", "S.A.", "INC", "GMBH", "JSC", "CORPORATION")
# Latin -> Cyrillic the way a Russian-language document would write a foreign name (digraphs first).
_CYRILLIC_DIGRAPHS = (
    ("shch", "щ"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ts", "ц"),
    ("ya", "я"),
    ("yu", "ю"),
)
_CYRILLIC = dict(zip("abvgdezijklmnoprstufhcwqy", "абвгдезиjклмнопрстуфхквкй", strict=True)) | {"j": "дж", "x": "кс"}


@dataclass(frozen=True)
class EvalQuery:
    qid: str
    query: str
    kind: str  # entry kind for positives, the variant's intended kind for negatives
    variant: str  # exact, alias, typo, ...; 'non-listed' for negatives
    expected_id: str | None  # None for negatives


def _to_cyrillic(text: str) -> str:
    for latin, cyr in _CYRILLIC_DIGRAPHS:
        text = text.replace(latin, cyr)
    return "".join(_CYRILLIC.get(c, c) for c in text)


def _typo(rng: random.Random, name: str) -> str | None:
    words = name.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 6]
    if not long_words:
        return None
    i = rng.choice(long_words)
    w = words[i]
    p = rng.randrange(2, len(w) - 1)
    op = rng.choice(("swap", "delete", "double"))
    if op == "swap":
        w = w[: p - 1] + w[p] + w[p - 1] + w[p + 1 :]
    elif op == "delete":
        w = w[:p] + w[p + 1 :]
    else:
        w = w[:p] + w[p] + w[p:]
    words[i] = w
    return " ".join(words)


def _variants(rng: random.Random, entry: ListEntry) -> list[tuple[str, str]]:
    name = entry.name
    words = name.replace(",", "").split()
    out: list[tuple[str, str]] = [("exact", name)]
    others = [a for a in entry.aliases[1:] if a.kind in {"aka", "fka"}]
    if others:
        out.append(("alias", rng.choice(others).name))
    scripts = [a for a in entry.aliases if a.kind == "original-script"]
    if scripts:
        out.append(("original-script", scripts[0].name))
    if (typo := _typo(rng, name)) is not None:
        out.append(("typo", typo))
    lower = [w.lower() for w in words]
    if any(w in SPELLINGS for w in lower):
        out.append(("transliteration", " ".join(SPELLINGS.get(w, w) for w in lower)))
    if entry.kind == "person":
        out.append(("reordered", " ".join(reversed(words))))
        out.append(("honorific", f"{rng.choice(('Mr.', 'Dr.', 'Sheikh', 'General'))} {name}"))
        if all(w.isalpha() for w in lower) and len(lower) <= 3:
            out.append(("cyrillic", _to_cyrillic(" ".join(lower))))
        if len(words) >= 3:
            out.append(("dropped-part", " ".join(words[:1] + words[2:])))
            out.append(("initial", " ".join([words[0], words[1][0] + ".", *words[2:]])))
    if (
        len(words) >= 2
        and len(words[0]) + len(words[1]) <= 14
        and not is_legal_form(words[0].lower())
        and not is_legal_form(words[1].lower())
    ):
        out.append(("joined", words[0] + words[1] + (" " + " ".join(words[2:]) if len(words) > 2 else "")))
    if entry.kind == "entity":
        core = normalise(name)
        if core.tokens and len(core.tokens) >= 2:
            out.append(("legal-form", " ".join(core.tokens).upper() + " " + rng.choice(LEGAL)))
    if entry.kind == "vessel":
        out.append(("vessel-prefix", f"{rng.choice(('M/V', 'MV', 'M/T'))} {name}"))
    return out


class _ListedParts:
    """Which aliases hold a part, exactly or within one edit: a non-listed name whose every part is (nearly) a
    part of one listed alias is a typo variant of a shorter listed name, which the positives count as a hit."""

    def __init__(self, index: NameIndex) -> None:
        self.by_token: dict[str, set[int]] = {}
        for alias_no, tokens in enumerate(index.alias_tokens):
            for t in tokens:
                self.by_token.setdefault(t, set()).add(alias_no)
        self.tokens = list(self.by_token)
        self._near: dict[str, set[int]] = {}

    def near(self, token: str) -> set[int]:
        if token not in self._near:
            close = process.extract(token, self.tokens, scorer=Levenshtein.distance, score_cutoff=1, limit=None)
            self._near[token] = set().union(*(self.by_token[t] for t, _, _ in close)) if close else set()
        return self._near[token]

    def covers(self, tokens: tuple[str, ...]) -> bool:
        return not tokens or bool(set.intersection(*(self.near(t) for t in tokens)))


def build_evalset(index: NameIndex, positives: int = 400, negatives: int = 1500, seed: int = 7) -> list[EvalQuery]:
    rng = random.Random(seed)
    screened = [e for e in index.entries if e.kind in {"person", "entity", "vessel"}]
    queries: list[EvalQuery] = []
    for entry in rng.sample(screened, min(positives, len(screened))):
        for variant, text in _variants(rng, entry):
            queries.append(EvalQuery(f"p{len(queries)}", text, entry.kind, variant, entry.id))
    listed = _ListedParts(index)
    people = [e for e in screened if e.kind == "person" and len(normalise(e.name).tokens) >= 2]
    firms = [e for e in screened if e.kind == "entity" and len(normalise(e.name).tokens) >= 1]
    made = 0
    attempts = 0
    while made < negatives and attempts < negatives * 20:
        attempts += 1
        roll = rng.random()
        if roll < 0.45:
            tokens = normalise(rng.choice(people).name).tokens
            text = f"{tokens[0].title()} {rng.choice(SURNAMES).title()}"  # listed given name, other family name
            kind = "person"
        elif roll < 0.75:
            tokens = normalise(rng.choice(people).name).tokens
            text = f"{rng.choice(GIVEN).title()} {tokens[-1].title()}"  # other given name, listed family name
            kind = "person"
        else:
            tokens = normalise(rng.choice(firms).name).tokens
            text = f"{rng.choice(tokens).upper()} {rng.choice(BUSINESS).upper()} {rng.choice(SURNAMES).upper()} LTD"
            kind = "entity"
        if listed.covers(normalise(text).tokens):
            continue
        queries.append(EvalQuery(f"n{made}", text, kind, "non-listed", None))
        made += 1
    return queries
