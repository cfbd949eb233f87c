"""Assembling the live decision engine from settings: the live ruleset, the feature state, the active model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from warden.decisions.customer_holds import HoldsGate
from warden.decisions.engine import DecisionEngine, Scorer
from warden.decisions.rulesets import load_published
from warden.decisions.service import DecisionService
from warden.features.online import InProcessFeatureStore, OnlineFeatureStore
from warden.logging import get_logger
from warden.models.registry import RegistryError, load_active_scorer
from warden.rules.loader import load_ruleset, starter_pack_path
from warden.rules.ruleset import Ruleset
from warden.screening.screener import open_screener
from warden.settings import Settings
from warden.store.db import Store
from warden.store.group_commit import CommitListener

log = get_logger(__name__)


def feature_store(settings: Settings) -> OnlineFeatureStore:
    """Redis when configured (several API workers share the state), else this process's memory."""
    if settings.redis_url:
        from warden.features.redis_store import RedisFeatureStore

        return RedisFeatureStore(settings.redis_url)
    return InProcessFeatureStore()


def live_ruleset(settings: Settings, path: Path | None = None, store: Store | None = None) -> Ruleset:
    """An explicit file first, then the ruleset published live in the store, then the starter pack."""
    if path or settings.ruleset_path:
        return load_ruleset(path or settings.ruleset_path)  # type: ignore[arg-type]
    if store is not None:
        with store.engine.connect() as conn:
            published = load_published(conn, "live")
        if published is not None:
            return published
    return load_ruleset(starter_pack_path())


def shadow_ruleset(store: Store | None) -> Ruleset | None:
    if store is None:
        return None
    with store.engine.connect() as conn:
        return load_published(conn, "shadow")


def active_model(settings: Settings) -> Scorer | None:
    """The active fraud model, or none (rules only, logged) when no model was trained or shipped."""
    try:
        return load_active_scorer(settings)
    except RegistryError as exc:
        log.warning("no fraud model: deciding with rules only", reason=str(exc))
        return None


def build_engine(settings: Settings, ruleset_path: Path | None = None, store: Store | None = None) -> DecisionEngine:
    return DecisionEngine(
        ruleset=live_ruleset(settings, ruleset_path, store),
        features=feature_store(settings),
        model=active_model(settings),
        shadow=shadow_ruleset(store),
        screener=open_screener(settings.data_dir),
        holds=None if store is None else HoldsGate(store.engine),
    )


def build_service(settings: Settings, store: Store, listeners: Sequence[CommitListener] = ()) -> DecisionService:
    """The live engine behind the durable service; `listeners` keep derived tables beside the records."""
    return DecisionService(build_engine(settings, store=store), store, listeners=listeners)
