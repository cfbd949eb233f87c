"""Queues and routing rules from YAML (default: queues.yaml next to this module).

Errors name the file and, where known, the line, so a bad edit is found at load time, not at routing time.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from warden.cases.errors import CaseError
from warden.cases.model import SEVERITIES

DEFAULT_QUEUES = Path(__file__).resolve().parent / "queues.yaml"
_CONDITIONS = {"queue", "source", "typology", "min_severity", "min_amount_usd", "jurisdiction"}


@dataclass(frozen=True)
class Queue:
    name: str
    description: str = ""
    escalates_to: str | None = None
    senior_only: bool = False
    capacity_per_day: int | None = None  # cases the queue's reviewers can take a day (the budget it is watched on)


@dataclass(frozen=True)
class Route:
    queue: str
    position: str  # "file:line", for reasons and errors
    source: tuple[str, ...] = ()
    typology: tuple[str, ...] = ()
    min_severity: str | None = None
    min_amount_usd: Decimal | None = None
    jurisdiction: tuple[str, ...] = ()

    def matches(
        self, source: str, typologies: list[str], severity: str, amount: Decimal, jurisdiction: str | None
    ) -> bool:
        if self.source and source not in self.source:
            return False
        if self.typology and not any(_typology_match(p, t) for p in self.typology for t in typologies):
            return False
        if self.min_severity and SEVERITIES.index(severity) < SEVERITIES.index(self.min_severity):
            return False
        if self.min_amount_usd is not None and amount < self.min_amount_usd:
            return False
        return not (self.jurisdiction and (jurisdiction or "").upper() not in self.jurisdiction)


@dataclass(frozen=True)
class QueueConfig:
    queues: dict[str, Queue]
    routes: tuple[Route, ...]
    source: str
    version: int = 1

    def route(
        self, source: str, typologies: list[str], severity: str, amount: Decimal, jurisdiction: str | None
    ) -> tuple[str, str]:
        """The queue for a case and the reason (which rule matched)."""
        for rule in self.routes:
            if rule.matches(source, typologies, severity, amount, jurisdiction):
                return rule.queue, f"routing rule at {rule.position} -> {rule.queue}"
        raise CaseError(f"{self.source}: no routing rule matched; end the list with a catch-all rule")

    def senior_queue(self, name: str) -> str:
        queue = self.queues.get(name)
        if queue is None or queue.escalates_to is None:
            raise CaseError(f"queue {name!r} has no escalation queue (escalates_to) in {self.source}")
        return queue.escalates_to


def _typology_match(pattern: str, typology: str) -> bool:
    """Shell-style: "kyc*" (starts with), "*_kyc" (ends with), "*nationality*" (contains), or the exact name."""
    return fnmatchcase(typology, pattern)


class _LineLoader(yaml.SafeLoader):
    """Keeps each mapping's line so errors can point at it."""


def _mapping_with_line(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[str, Any]:
    value = {str(k): v for k, v in loader.construct_mapping(node, deep=True).items()}
    value["__line__"] = node.start_mark.line + 1
    return value


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def _strings(value: Any, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) for item in items):
        raise CaseError(f"{where}: {key} must be a string or a list of strings")
    return tuple(items)


def _route(raw: Any, path: str, queues: dict[str, Queue]) -> Route:
    if not isinstance(raw, dict):
        raise CaseError(f"{path}: each route must be a mapping with a queue")
    where = f"{path}:{raw.get('__line__', '?')}"
    unknown = set(raw) - _CONDITIONS - {"__line__"}
    if unknown:
        raise CaseError(f"{where}: unknown route key(s) {', '.join(sorted(unknown))}")
    queue = raw.get("queue")
    if queue not in queues:
        raise CaseError(f"{where}: route names queue {queue!r}, which is not defined under queues")
    severity = raw.get("min_severity")
    if severity is not None and severity not in SEVERITIES:
        raise CaseError(f"{where}: min_severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    amount = raw.get("min_amount_usd")
    try:
        min_amount = None if amount is None else Decimal(str(amount))
    except InvalidOperation:
        raise CaseError(f"{where}: min_amount_usd {amount!r} is not a number") from None
    return Route(
        queue=queue,
        position=where,
        source=_strings(raw.get("source"), where, "source"),
        typology=_strings(raw.get("typology"), where, "typology"),
        min_severity=severity,
        min_amount_usd=min_amount,
        jurisdiction=tuple(j.upper() for j in _strings(raw.get("jurisdiction"), where, "jurisdiction")),
    )


def parse_queue_config(text: str, path: str) -> QueueConfig:
    try:
        raw = yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise CaseError(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("queues"), dict) or not isinstance(raw.get("routes"), list):
        raise CaseError(f"{path}: expected a mapping with 'queues' (a mapping) and 'routes' (a list)")
    queues: dict[str, Queue] = {}
    for name, spec in raw["queues"].items():
        if name == "__line__":
            continue
        spec = spec or {}
        capacity = spec.get("capacity_per_day")
        if capacity is not None and (not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1):
            raise CaseError(
                f"{path}:{spec.get('__line__', '?')}: queue {name}: capacity_per_day must be a whole number >= 1"
            )
        queues[name] = Queue(
            name=name,
            description=str(spec.get("description", "")),
            escalates_to=spec.get("escalates_to"),
            senior_only=bool(spec.get("senior_only", False)),
            capacity_per_day=capacity,
        )
    for queue in queues.values():
        if queue.escalates_to is not None and queue.escalates_to not in queues:
            line = raw["queues"][queue.name].get("__line__", "?")
            raise CaseError(f"{path}:{line}: queue {queue.name} escalates to unknown queue {queue.escalates_to!r}")
    routes = tuple(_route(item, path, queues) for item in raw["routes"])
    if not routes:
        raise CaseError(f"{path}: routes is empty; at least a catch-all rule is needed")
    return QueueConfig(queues=queues, routes=routes, source=path, version=int(raw.get("version", 1)))


def load_queue_config(path: Path | None = None) -> QueueConfig:
    path = path or DEFAULT_QUEUES
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CaseError(f"{path}: cannot read queue config ({exc.strerror})") from None
    return parse_queue_config(text, str(path))


@lru_cache(maxsize=1)
def default_queue_config() -> QueueConfig:
    return load_queue_config()
