"""Assembling the live decision engine from settings: the live ruleset, the feature state, the active model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from warden.decisions.engine import DecisionEngine, Scorer
from warden.decisions.freezes import FreezeGate
from warden.decisions.policy import DEFAULT_POLICIES
from warden.decisions.rebuild import rebuild_from_decisions
from warden.decisions.rulesets import load_published
from warden.decisions.service import DecisionService
from warden.features.online import InProcessFeatureStore, OnlineFeatureStore
from warden.logging import get_logger
from warden.models.lightgbm_fast import check_fast_path
from warden.models.registry import RegistryError, active_version, load_active_scorer
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
        scorer = load_active_scorer(settings)
    except RegistryError as exc:
        log.warning("no fraud model: deciding with rules only", reason=str(exc))
        return None
    check_fast_path()  # says loudly, once at start-up, when scoring falls back to the slow path
    return scorer


class RegistryModels:
    """The serving fraud model as the registry's `ACTIVE` pointer names it (moved only by an approval)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def pointer(self) -> str | None:
        return active_version(self.settings.data_dir)

    def load(self) -> Scorer | None:
        return active_model(self.settings)


def build_engine(settings: Settings, ruleset_path: Path | None = None, store: Store | None = None) -> DecisionEngine:
    return DecisionEngine(
        ruleset=live_ruleset(settings, ruleset_path, store),
        features=feature_store(settings),
        model=active_model(settings),
        shadow=shadow_ruleset(store),
        screener=open_screener(settings.data_dir),
        freezes=None if store is None else FreezeGate(store.engine),
    )


def build_service(settings: Settings, store: Store, listeners: Sequence[CommitListener] = ()) -> DecisionService:
    """The live engine behind the durable service; `listeners` keep derived tables beside the records."""
    policies = None
    if settings.decision_deadline_ms is not None:
        policies = {
            kind: replace(policy, deadline_ms=settings.decision_deadline_ms)
            for kind, policy in DEFAULT_POLICIES.items()
        }
    engine = build_engine(settings, store=store)
    if isinstance(engine.features, InProcessFeatureStore):  # this worker's memory: rebuilt from the store
        rebuild_from_decisions(store.engine, engine.features)
    return DecisionService(engine, store, policies=policies, listeners=listeners, models=RegistryModels(settings))
