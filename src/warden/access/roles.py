"""Roles and who acts: a person with a role, or a machine behind an API key."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("analyst", "senior_analyst", "rule_author", "model_risk_officer", "admin")
SENIOR_ROLES = ("senior_analyst", "admin")
REVIEWER_ROLES = ("analyst", "senior_analyst", "admin")


@dataclass(frozen=True)
class Actor:
    """Who acts: a person (their username and role) or a machine (`apikey:<id>`, role `machine`)."""

    name: str
    role: str

    @property
    def is_senior(self) -> bool:
        return self.role in SENIOR_ROLES
