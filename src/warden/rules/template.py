"""Reason templates: `"{amount_usd} USD to an address added {address_age_hours} h ago"`, quoting values.

Placeholders name fields or features (checked when the ruleset loads); a format spec is allowed
(`{amount_usd:,.2f}`). A null value reads `n/a`; whole-number floats read without `.0`.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from warden.rules.row import to_number

_FORMATTER = string.Formatter()


@dataclass(frozen=True, slots=True)
class ReasonTemplate:
    text: str
    parts: tuple[tuple[str, str | None, str], ...]  # (literal, field, format spec)
    numeric: frozenset[str]

    @classmethod
    def parse(cls, text: str, numeric_fields: frozenset[str]) -> ReasonTemplate:
        """ValueError naming the bad placeholder; field names are checked by the loader."""
        parts: list[tuple[str, str | None, str]] = []
        for literal, name, spec, conversion in _FORMATTER.parse(text):
            if conversion:
                raise ValueError(f"conversions like !{conversion} are not allowed in reasons")
            if name is not None and not name.isidentifier():
                raise ValueError(f"placeholder {{{name}}} must be a field or feature name")
            parts.append((literal, name, spec or ""))
        return cls(text, tuple(parts), numeric_fields)

    @property
    def fields(self) -> list[str]:
        return [name for _, name, _ in self.parts if name]

    def render(self, env: Mapping[str, Any]) -> str:
        out: list[str] = []
        for literal, name, spec in self.parts:
            out.append(literal)
            if name:
                out.append(_quote(env.get(name), spec, name in self.numeric))
        return "".join(out)


def _quote(value: Any, spec: str, numeric: bool) -> str:
    if numeric:
        value = to_number(value)
    if value is None:
        return "n/a"
    if spec:
        try:
            return format(value, spec)
        except (ValueError, TypeError):
            return str(value)
    if isinstance(value, float):
        return f"{value:.0f}" if value.is_integer() else f"{value:.2f}".rstrip("0")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
