"""Document-number formats per issuing state and document kind (ICAO code; P passport, I identity card).

A small, illustrative table from public descriptions of each state's numbering, not an authority: a number
outside its state's format is a review signal (`doc_number_format`), never a rejection on its own. States not
in the table are not checked.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# German numbers avoid letters that read like digits
GERMAN = "CFGHJKLMNPRTVWXYZ0123456789"
NO_O = LETTERS.replace("O", "")


@dataclass(frozen=True)
class NumberFormat:
    state: str
    kind: str
    parts: tuple[tuple[str, int], ...]  # (allowed characters, count), in order
    note: str

    @property
    def regex(self) -> re.Pattern[str]:
        return re.compile("".join(f"[{re.escape(chars)}]{{{n}}}" for chars, n in self.parts))

    def matches(self, number: str) -> bool:
        return self.regex.fullmatch(number) is not None

    def sample(self, rng: random.Random) -> str:
        return "".join(rng.choice(chars) for chars, n in self.parts for _ in range(n))


_TABLE = (
    NumberFormat("D", "P", (("CFGHJKLMNPRTVWXYZ", 1), (GERMAN, 8)), "Reisepass since 2007"),
    NumberFormat("D", "I", (("LMNPRTVWXYZ", 1), (GERMAN, 8)), "Personalausweis since 2010"),
    NumberFormat("FRA", "P", ((DIGITS, 2), (LETTERS, 2), (DIGITS, 5)), "passeport"),
    NumberFormat("FRA", "I", ((LETTERS + DIGITS, 9),), "carte d'identité since 2021"),
    NumberFormat("GBR", "P", ((DIGITS, 9),), "passport"),
    NumberFormat("ITA", "P", ((LETTERS, 2), (DIGITS, 7)), "passaporto"),
    NumberFormat("ESP", "P", ((LETTERS, 3), (DIGITS, 6)), "pasaporte"),
    NumberFormat("ESP", "I", ((LETTERS, 3), (DIGITS, 6)), "DNI support number"),
    NumberFormat("NLD", "P", ((NO_O, 2), (NO_O + DIGITS, 6), (DIGITS, 1)), "paspoort since 2014"),
    NumberFormat("NLD", "I", ((NO_O, 2), (NO_O + DIGITS, 6), (DIGITS, 1)), "identiteitskaart since 2014"),
)
FORMATS: dict[tuple[str, str], NumberFormat] = {(f.state, f.kind): f for f in _TABLE}


def number_format(state: str, document_code: str) -> NumberFormat | None:
    """The format for a state and an MRZ document code ('P', 'PP', 'I', 'ID', 'IR'...), if the table has one."""
    return FORMATS.get((state, (document_code or "?")[0]))


def number_fits(state: str, document_code: str, number: str) -> bool | None:
    """True or False where the table knows the state's format, None where it does not."""
    fmt = number_format(state, document_code)
    return None if fmt is None else fmt.matches(number)
