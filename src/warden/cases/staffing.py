"""Adding the people who work cases: their skills are queues of the case workflow, checked against its
configuration before `access.users.insert_user` stores them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from warden.access.roles import SENIOR_ROLES
from warden.access.users import User, insert_user
from warden.cases.errors import CaseError
from warden.cases.queues import QueueConfig, default_queue_config


def default_skills(role: str, config: QueueConfig) -> list[str]:
    """Seniors work every queue; analysts every queue that is not senior-only; other roles none."""
    if role in SENIOR_ROLES:
        return sorted(config.queues)
    if role == "analyst":
        return sorted(q.name for q in config.queues.values() if not q.senior_only)
    return []


def add_user(
    conn: sa.Connection,
    username: str,
    role: str,
    password: str,
    *,
    skills: list[str] | None = None,
    capacity: int = 20,
    actor: str = "cli",
    config: QueueConfig | None = None,
    now: datetime | None = None,
) -> User:
    config = config or default_queue_config()
    chosen = sorted(set(skills)) if skills else default_skills(role, config)
    unknown = [s for s in chosen if s not in config.queues]
    if unknown:
        raise CaseError(f"unknown queue(s) {', '.join(unknown)}; queues are {', '.join(sorted(config.queues))}")
    senior_only = [s for s in chosen if config.queues[s].senior_only and role not in SENIOR_ROLES]
    if senior_only:
        raise CaseError(f"queue(s) {', '.join(senior_only)} are for senior analysts; {role} cannot work them")
    return insert_user(conn, username, role, password, skills=list(chosen), capacity=capacity, actor=actor, now=now)
