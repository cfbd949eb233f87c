"""The case page's aids from warden.cases: related cases, similar past cases and the drafted narrative.
(Related cases are fetched by the page after it loads, see cases.related_fragment.)

Each is computed on its own and a failure is shown on the page in its place ("could not be computed: why")
rather than taking the whole case page down: the evidence and the actions matter more than any one aid.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from warden.cases.narrative import draft_narrative, saved_narrative
from warden.cases.related import related_cases
from warden.triage.similar import similar_cases

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Aid:
    value: Any = None
    error: str = ""  # why it could not be computed; empty when it was


def _aid(what: str, compute: Callable[[], Any]) -> Aid:
    try:
        return Aid(compute())
    except Exception as exc:  # shown in place on the page; the rest of the case page still renders
        log.exception("case page: %s failed", what)
        return Aid(None, f"{type(exc).__name__}: {exc}")


def related_aid(conn: sa.Connection, case_id: str) -> Aid:
    return _aid("related cases", lambda: related_cases(conn, case_id))


def case_aids(conn: sa.Connection, case_id: str) -> dict[str, Aid]:
    return {
        "similar": _aid("similar cases", lambda: similar_cases(conn, case_id, k=5)),
        "draft": _aid("narrative draft", lambda: draft_narrative(conn, case_id)),
        "saved": _aid("saved narrative", lambda: saved_narrative(conn, case_id)),
    }
