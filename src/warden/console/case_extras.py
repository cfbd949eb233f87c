"""Related cases, similar past cases, drafted narratives and attachments, when warden.cases offers them.

They are built in their own modules (warden.cases.related, .similar, .narrative, .attachments); the case page
shows each one whose module is installed and leaves a marked gap otherwise, so the page never breaks on a
missing or failing extra. Failures are logged and shown as "unavailable", never hidden as "none".
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from typing import Any

import sqlalchemy as sa

log = logging.getLogger(__name__)


def _function(module: str, name: str) -> Callable[..., Any] | None:
    try:
        found = importlib.import_module(module)
    except ImportError:
        return None
    fn = getattr(found, name, None)
    return fn if callable(fn) else None


def _plain(item: Any) -> Any:
    """Dataclasses and pydantic models as dicts, so templates read every item the same way."""
    if is_dataclass(item) and not isinstance(item, type):
        return asdict(item)
    dump = getattr(item, "model_dump", None)
    return dump() if callable(dump) else item


class Extra:
    """The outcome of one optional extra: absent (module not there), failed (with why) or its value."""

    def __init__(self, available: bool, value: Any = None, error: str = "") -> None:
        self.available = available
        self.value = value
        self.error = error


def _call(module: str, name: str, *args: Any, **kwargs: Any) -> Extra:
    fn = _function(module, name)
    if fn is None:
        return Extra(False)
    try:
        value = fn(*args, **kwargs)
    except Exception as exc:  # an extra must not take the case page down with it
        log.exception("%s.%s failed", module, name)
        return Extra(True, None, f"{type(exc).__name__}: {exc}")
    if isinstance(value, list):
        value = [_plain(v) for v in value]
    return Extra(True, _plain(value))


def related_cases(conn: sa.Connection, case_id: str) -> Extra:
    return _call("warden.cases.related", "related_cases", conn, case_id)


def similar_cases(conn: sa.Connection, case_id: str, k: int = 5) -> Extra:
    return _call("warden.cases.similar", "similar_cases", conn, case_id, k=k)


def draft_narrative(conn: sa.Connection, case_id: str) -> Extra:
    return _call("warden.cases.narrative", "draft_narrative", conn, case_id)
