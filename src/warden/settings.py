"""Settings from `WARDEN_*` environment variables, validated once at start-up."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(ValueError):
    """A `WARDEN_*` variable has a value Warden cannot use; the message names it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WARDEN_", extra="ignore")

    data_dir: Path = Field(Path("warden-data"), description="where the embedded store and Parquet live")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default: SQLite under data_dir")
    redis_url: str | None = None
    sqlite_synchronous: str = Field(
        "NORMAL", pattern="^(NORMAL|FULL)$", description="FULL: every commit survives a power loss (docs/decisions.md)"
    )
    decision_deadline_ms: float | None = Field(
        None, gt=0, description="every event type's decision deadline; default: the failure policies' (50 ms)"
    )
    nats_url: str | None = None
    ruleset_path: Path | None = Field(None, description="the live ruleset YAML; default: the starter pack")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    log_level: str = "INFO"
    log_format: str = Field("console", pattern="^(console|json)$")
    secret_key: str | None = Field(None, description="signs session cookies; default: data_dir/secret.key")
    audit_key: str | None = Field(None, description="keys the audit chain (HMAC); default: data_dir/audit.key")
    secure_cookies: bool = Field(
        False, description="always mark the session cookie Secure (behind a TLS terminator); else only on https"
    )
    public_api_docs: bool = Field(
        False, description="serve /docs and /openapi.json to anyone, not only people signed in"
    )
    llm_url: str | None = Field(None, description="OpenAI-compatible chat-completions URL; off when unset")
    llm_model: str = Field("gpt-4o-mini", description="the model name sent to llm_url")
    llm_api_key: str | None = Field(None, description="sent as a Bearer token to llm_url")
    llm_timeout_s: float = Field(30.0, gt=0, description="how long a narrative rewrite may take")
    kyc_retention_days: int = Field(90, ge=1, le=3650, description="days KYC images are kept after upload")
    # The exchange's budgets (issue 13): what `warden calibrate` fits to and the dashboard watches live.
    budget_hold_share: float = Field(0.01, gt=0, le=1, description="withdrawals held or stronger, at most")
    budget_review_share: float = Field(0.05, gt=0, le=1, description="withdrawals sent to review, at most")
    budget_alerts_per_1000: float = Field(
        10.0, gt=0, description="monitoring alerts per 1,000 customers per 30 days, at most"
    )
    # Input bounds (see events/bounds.py): events outside them are refused at the API and rejected by ingest.
    max_amount: Decimal = Field(
        Decimal("1000000000000000000"), gt=0, lt=Decimal(10) ** 20, description="largest amount or amount_usd"
    )
    event_max_age_days: int = Field(7305, ge=1, le=36_500, description="oldest occurred_at accepted, in days")
    event_max_future_s: int = Field(86_400, ge=0, le=31_622_400, description="occurred_at this far ahead of now")

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite:// or postgresql://")
        return value

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{self.data_dir / 'warden.db'}"

    @property
    def parquet_dir(self) -> Path:
        return self.data_dir / "events"


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain `postgresql://` URLs."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"WARDEN_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        )
        raise SettingsError(f"bad settings: {problems}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
