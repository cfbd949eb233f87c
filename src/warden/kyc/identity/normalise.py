"""Identifier normal forms for linking: the variants a person (or a fraudster) uses for one identifier map
to one key, so that blocking finds them and comparison can say how close they are."""

from __future__ import annotations

import ipaddress
import re
import unicodedata

from anyascii import anyascii

from warden.screening.normalize import to_latin

_ALNUM = re.compile(r"[^A-Z0-9]")
_WORDS = re.compile(r"[^a-z0-9]+")
_DIGITS = re.compile(r"[0-9]")


_NAME_DROP = re.compile(r"[.'`\u2019\u2018\u02bc]")


def name_tokens(full_name: str) -> tuple[str, ...]:
    """Any script to Latin (the screening module's transliteration), lower case, split on anything but
    letters and digits. Nothing is dropped: unlike a list entry, a declared name has no honorifics, and
    'Sayed' is a surname here."""
    latin = _NAME_DROP.sub("", to_latin(unicodedata.normalize("NFKC", full_name)).lower())
    return tuple(t for t in _WORDS.split(latin) if t)


def document_key(number: str) -> str:
    """Upper-case letters and digits only: '12 345-678' and '12345678' are one document number."""
    return _ALNUM.sub("", anyascii(number).upper())


def email_parts(email: str) -> tuple[str, str, str]:
    """(address, mailbox, stem): the lower-cased address; the local part without dots and `+tag` (one
    mailbox for Gmail and, as a linking signal, anywhere); the mailbox without digits (`cryptoaish150` and
    `cryptoaish15079` share the stem `cryptoaish`)."""
    address = email.strip().lower()
    local, _, _domain = address.rpartition("@")
    mailbox = local.split("+", 1)[0].replace(".", "")
    stem = _DIGITS.sub("", mailbox).replace("_", "").replace("-", "")
    return address, mailbox, stem


def phone_key(phone: str) -> str:
    """Digits only (the contract gives E.164)."""
    return "".join(ch for ch in phone if ch.isdigit())


def address_key(address: str) -> str:
    """Postal address as Latin lower-case words in order, punctuation dropped."""
    text = unicodedata.normalize("NFKC", address)
    return " ".join(w for w in _WORDS.split(anyascii(text).lower()) if w)


def ip_prefix(ip: str) -> str | None:
    """The /24 (IPv4) or /48 (IPv6) network: one household, office or carrier pool. None when unparsable."""
    try:
        parsed = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    bits = 24 if parsed.version == 4 else 48
    return str(ipaddress.ip_network(f"{parsed}/{bits}", strict=False))


def deletion_keys(text: str) -> list[str]:
    """The string and every string with one character removed: two strings one substitution, insertion,
    deletion or adjacent swap apart share at least one key (symmetric-delete blocking)."""
    return [text, *(text[:i] + text[i + 1 :] for i in range(len(text)))]
