"""Queue config errors with positions, priority terms, secret key file, users and passwords."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from warden import errors
from warden.access.sessions import session_secret
from warden.access.users import authenticate
from warden.cases.errors import CaseError
from warden.cases.priority import PriorityInput, rule_priority
from warden.cases.queues import default_queue_config, load_queue_config, parse_queue_config
from warden.cases.staffing import add_user
from warden.settings import Settings
from warden.store.db import Store

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)


def test_shipped_queue_config_has_the_five_queues_and_a_senior_one() -> None:
    config = default_queue_config()
    assert {"fraud", "aml", "sanctions", "kyc", "high_value"} <= set(config.queues)
    assert config.senior_queue("aml") == "senior" and config.queues["senior"].senior_only
    queue, why = config.route("decision", ["whatever"], "low", Decimal(5), None)
    assert queue == "fraud" and "queues.yaml:" in why
    assert config.route("decision", ["x"], "critical", Decimal(5), "gb")[0] == "high_value"
    assert config.route("decision", ["x"], "critical", Decimal(5), "DE")[0] == "fraud"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("queues: {a: {}}\nroutes:\n  - queue: b\n", r"q.yaml:3: route names queue 'b'"),
        ("queues: {a: {}}\nroutes:\n  - queue: a\n    min_severity: urgent\n", r"q.yaml:3: min_severity 'urgent'"),
        ("queues: {a: {}}\nroutes:\n  - queue: a\n    colour: red\n", r"q.yaml:3: unknown route key\(s\) colour"),
        ("queues: {a: {escalates_to: z}}\nroutes: [{queue: a}]\n", r"q.yaml:1: queue a escalates to unknown"),
        ("queues: [a\n", r"q.yaml:2: not valid YAML"),
        ("queues: {a: {}}\nroutes: []\n", r"q.yaml: routes is empty"),
    ],
)
def test_bad_queue_config_names_file_and_line(text: str, message: str) -> None:
    with pytest.raises(CaseError, match=message):
        parse_queue_config(text, "q.yaml")


def test_missing_queue_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="cannot read queue config"):
        load_queue_config(tmp_path / "nope.yaml")


def test_priority_orders_by_severity_then_amount_score_and_age() -> None:
    def value(severity: str, amount: str = "0", score: float = 0.0, age_h: float = 0.0, overdue: bool = False) -> float:
        case = PriorityInput(severity, Decimal(amount), score, NOW - timedelta(hours=age_h), overdue=overdue)
        return rule_priority(case, NOW).value

    # same amount and score: severity decides
    assert value("critical", "1000", 0.5) > value("high", "1000", 0.5) > value("medium", "1000", 0.5)
    # urgency floors: a critical case (a freeze, a strong sanctions hit) or a breached SLA comes before any
    # routine case, however large; within a tier the amount at stake counts
    assert value("critical") > value("high", "1000000", 1.0, age_h=1000)
    assert value("low", overdue=True) > value("high", "1000000", 1.0, age_h=1000)
    assert value("critical", "50000") > value("critical", "500")
    assert "floor" in rule_priority(PriorityInput("critical", Decimal(1), 0.5, NOW), NOW).reasons
    assert value("low", age_h=10) > value("low")
    assert value("low", age_h=1000) == value("low", age_h=48)  # age is capped
    reasons = rule_priority(PriorityInput("high", Decimal(1), 0.5, NOW), NOW).reasons
    assert reasons["version"] == "rules-1" and reasons["alert_score"] == 7.5


def test_secret_key_from_settings_or_a_private_file(settings: Settings) -> None:
    assert session_secret(settings.model_copy(update={"secret_key": "s3"})) == b"s3"
    first = session_secret(settings)
    assert first == session_secret(settings) and len(first) >= 32
    assert os.stat(settings.data_dir / "secret.key").st_mode & 0o077 == 0  # only the owner can read it


def test_users_passwords_and_roles(sqlite_store: Store) -> None:
    with sqlite_store.engine.begin() as conn:
        user = add_user(conn, "ana", "analyst", "long enough pw")
        assert "senior" not in user.skills and "aml" in user.skills
        assert authenticate(conn, "ana", "long enough pw") == user
        assert authenticate(conn, "ana", "wrong password") is None
        assert authenticate(conn, "nobody", "long enough pw") is None
        stored = conn.exec_driver_sql("SELECT password_hash FROM users").scalar_one()
        assert stored.startswith("$argon2id$") and "long enough" not in stored
        with pytest.raises(errors.Conflict, match="already exists"):
            add_user(conn, "ana", "analyst", "long enough pw")
        with pytest.raises(errors.DomainError, match="unknown role 'boss'"):
            add_user(conn, "bo", "boss", "long enough pw")
        with pytest.raises(errors.DomainError, match="at least 10"):
            add_user(conn, "bo", "analyst", "short")
        with pytest.raises(CaseError, match="are for senior analysts"):
            add_user(conn, "bo", "analyst", "long enough pw", skills=["senior"])
