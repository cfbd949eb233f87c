"""Ring links for one session, for the reviewer: other customers' recent sessions whose declared identity
agrees with this one's (the same document number or one a digit apart or transposed, a name one typo apart
with a birth date a few days, a year or a day-month swap apart).

A bounded look (the last RECENT sessions), with the identity graph's own comparisons
(`identity.evidence`); the whole graph over every submission, with its weights and rings, is
`warden kyc rings`."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from warden.kyc.identity.evidence import dob_near, name_near
from warden.kyc.identity.normalise import deletion_keys, document_key, name_tokens
from warden.kyc.tables import kyc_sessions

RECENT = 5000


@dataclass(frozen=True)
class SessionLink:
    session_id: str
    customer_id: str
    outcome: str | None
    how: list[tuple[str, str]]  # (what agrees, in words; the other session's value)


def _identity(declared: dict[str, Any]) -> tuple[str, tuple[str, ...], dt.date | None]:
    birth = declared.get("birth_date")
    full = f"{declared.get('given_names', '')} {declared.get('surname', '')}"
    return (
        document_key(str(declared.get("document_number") or "")),
        name_tokens(full),
        dt.date.fromisoformat(birth) if isinstance(birth, str) else None,
    )


def _agreements(mine: tuple[str, tuple[str, ...], dt.date | None], other: dict[str, Any]) -> list[tuple[str, str]]:
    number, name, birth = mine
    o_number, o_name, o_birth = _identity(other)
    how = []
    if number and o_number:
        if number == o_number:
            how.append(("same document number", o_number))
        elif set(deletion_keys(number)) & set(deletion_keys(o_number)):
            how.append(("document number one edit apart", o_number))
    if birth and o_birth and name_near(name, o_name) and dob_near(birth, o_birth):
        how.append(("name and birth date alike", f"{' '.join(o_name)}, {o_birth.isoformat()}"))
    return how


def linked_sessions(
    conn: sa.Connection, session_id: str, customer_id: str, declared: dict[str, Any]
) -> list[SessionLink]:
    mine = _identity(declared)
    rows = conn.execute(
        sa.select(
            kyc_sessions.c.session_id, kyc_sessions.c.customer_id, kyc_sessions.c.outcome, kyc_sessions.c.declared
        )
        .where(kyc_sessions.c.customer_id != customer_id)
        .order_by(kyc_sessions.c.created_at.desc())
        .limit(RECENT)
    )
    links = []
    for r in rows:
        how = _agreements(mine, json.loads(r.declared))
        if how:
            links.append(SessionLink(r.session_id, r.customer_id, r.outcome, how))
    return links
