"""Is this the same event? A canonical hash of an event's body, so a retry (same body) can be told from a
different event sent under a known `event_id` (a conflict: 409 in the API, a reject in ingest).

Canonical: the JSON parsed and written again with sorted keys and no spaces, so key order and spacing do not
matter. Two bodies with different hashes may still be the same event written differently ("10.0" and "10.00"
are different bodies, an explicit null and a missing field are not); `same_event` then compares the validated
events, so only a real difference is a conflict.
"""

from __future__ import annotations

import hashlib

import orjson

from warden.events.models import EVENT_ADAPTER


def body_digest(body: bytes | str) -> str:
    """SHA-256 (hex) of the body's canonical JSON."""
    return hashlib.sha256(orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS)).hexdigest()


def _event_form(body: bytes | str) -> bytes:
    event = EVENT_ADAPTER.validate_json(body)
    return orjson.dumps(event.model_dump(mode="json", exclude_none=True), option=orjson.OPT_SORT_KEYS)


def same_event(body: bytes | str, stored: bytes | str) -> bool:
    """Whether two bodies are the same event: the same canonical JSON, or the same validated event."""
    if body_digest(body) == body_digest(stored):
        return True
    try:
        return _event_form(body) == _event_form(stored)
    except ValueError:  # a stored body the contract no longer accepts: not provably the same
        return False
