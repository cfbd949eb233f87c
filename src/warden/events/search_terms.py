"""The identifiers each customer's events carry, kept as search terms: the console's search box and the
customer view's links (shared devices, IPs, addresses, identities) read them by index instead of parsing
event payloads.

One row per (term, kind, customer): `term` is the normalised form searched (lower case, spaces collapsed,
phone numbers without punctuation), `value` the identifier as first seen and `event_id` the event it was first
seen in. Rows are added in the transaction that stores the events (`index_event_rows`, called by
`events.repository.insert_events`), so the index never lags the store. Prefix search is a range on `term`,
which a B-tree serves on both databases (on PostgreSQL the column is collated "C", so the range is bytewise).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa

from warden.store.metadata import metadata

TERM_LENGTH = 256

# kind -> what it is, in the words of the search results page
KINDS = {
    "customer": "customer id",
    "name": "name",
    "name_part": "part of a name",
    "email": "e-mail",
    "phone": "phone",
    "document": "document number",
    "address": "address",
    "tx_hash": "transaction hash",
    "device": "device",
    "ip": "IP",
    "counterparty": "transfer counterparty",
}
# Kinds that tie two customers together when both carry the same term (name parts and counterparties do not).
LINKING_KINDS = ("device", "ip", "address", "email", "phone", "document", "name")

search_terms = sa.Table(
    "search_terms",
    metadata,
    sa.Column("term", sa.String(TERM_LENGTH).with_variant(sa.String(TERM_LENGTH, collation="C"), "postgresql")),
    sa.Column("kind", sa.String(16)),
    sa.Column("customer_id", sa.String(128)),
    sa.Column("value", sa.String(512), nullable=False),
    sa.Column("event_id", sa.String(128), nullable=False),
    sa.PrimaryKeyConstraint("term", "kind", "customer_id"),
    sa.Index("ix_search_terms_customer", "customer_id", "kind"),
)

_SPACES = re.compile(r"\s+")
_PHONE_PUNCTUATION = re.compile(r"[\s().\-/]")


def normalise(text: str) -> str:
    """The searched form of any identifier: trimmed, lower case, inner spaces collapsed."""
    return _SPACES.sub(" ", text.strip().lower())[:TERM_LENGTH]


def normalise_phone(text: str) -> str:
    return _PHONE_PUNCTUATION.sub("", text.strip())[:TERM_LENGTH]


def _fields(event_type: str, payload: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(kind, raw value) pairs of one event's payload."""
    for key, kind in (("device_id", "device"), ("ip", "ip")):
        if payload.get(key):
            yield kind, str(payload[key])
    if event_type == "deposit":
        yield from (("address", str(payload[k])) for k in ("to_address", "from_address") if payload.get(k))
        if payload.get("tx_hash"):
            yield "tx_hash", str(payload["tx_hash"])
    elif event_type == "withdrawal" and payload.get("to_address"):
        yield "address", str(payload["to_address"])
    elif event_type == "address_book_change" and payload.get("address"):
        yield "address", str(payload["address"])
    elif event_type == "transfer" and payload.get("counterparty_id"):
        yield "counterparty", str(payload["counterparty_id"])
    elif event_type == "kyc_submission":
        name = str(payload.get("full_name") or "")
        if name.strip():
            yield "name", name
            yield from (("name_part", part) for part in set(normalise(name).split(" ")) if len(part) >= 2)
        for key, kind in (("email", "email"), ("phone", "phone"), ("document_number", "document")):
            if payload.get(key):
                yield kind, str(payload[key])


def terms_of(event_id: str, event_type: str, customer_id: str, payload: dict[str, Any]) -> list[tuple[str, ...]]:
    """The search-term rows (term, kind, customer_id, value, event_id) of one event."""
    rows = {("customer", normalise(customer_id)): customer_id}
    for kind, value in _fields(event_type, payload):
        term = normalise_phone(value) if kind == "phone" else normalise(value)
        if term:
            rows.setdefault((kind, term), value[:512])
    return [(term, kind, customer_id, value, event_id) for (kind, term), value in rows.items()]


_INSERT = (
    "INSERT INTO search_terms (term, kind, customer_id, value, event_id) VALUES (%s, %s, %s, %s, %s) "
    "ON CONFLICT DO NOTHING"
)


def index_event_rows(conn: sa.Connection, rows: Iterable[tuple[Any, ...]]) -> None:
    """Add the terms of event rows (in `events.repository.EVENT_COLUMNS` order: event_id, type, customer_id,
    occurred_at, amount_usd, payload, ...); a term a customer already has is kept with its first event."""
    found: dict[tuple[str, str, str], tuple[str, ...]] = {}
    for row in rows:
        event_id, event_type, customer_id, payload_json = row[0], row[1], row[2], row[5]
        for term_row in terms_of(event_id, event_type, customer_id, json.loads(payload_json)):
            found.setdefault((term_row[0], term_row[1], term_row[2]), term_row)
    if not found:
        return
    placeholder = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(_INSERT.replace("%s", placeholder), list(found.values()))


def reindex_all(conn: sa.Connection, batch: int = 20_000) -> int:
    """Index every stored event (the migration that adds the table runs this once); returns events read."""
    read, last = 0, ""
    while True:
        chunk = conn.execute(
            sa.text(
                "SELECT event_id, type, customer_id, occurred_at, amount_usd, payload FROM events "
                "WHERE event_id > :last ORDER BY event_id LIMIT :n"
            ),
            {"last": last, "n": batch},
        ).all()
        if not chunk:
            return read
        index_event_rows(conn, [tuple(r) for r in chunk])
        read += len(chunk)
        last = chunk[-1][0]
