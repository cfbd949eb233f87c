"""What the exchange knows about itself and the world, as one typed value.

The exchange gives these facts (`warden exchange set FILE`, JSON or YAML of the shape of
`context.json`); Warden adds what it learns from the exchange's history (`learned`, each fact with its
evidence). Rules, features and monitoring ask the small pure API at the bottom (`is_memo_network`,
`is_shared_memo_address`, `exchange_addresses`, ...), never the raw document.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from warden.chain.addresses import canonical_address

LearnedKind = Literal["shared_memo_address", "service_hot_wallet"]


class FactsError(ValueError):
    """The facts file is unusable; the message gives `file:line: ...` or the field path."""


class Window(BaseModel):
    model_config = ConfigDict(extra="ignore")
    start: datetime
    end: datetime


class HackIncident(BaseModel):
    model_config = ConfigDict(extra="ignore")
    incident_id: str
    disclosed_at: datetime | None = None
    asset: str | None = None
    network: str | None = None
    summary: str = ""
    addresses: list[str] = Field(default_factory=list)


class LearnedAddress(BaseModel):
    """A fact Warden inferred from history, with the figures that support it."""

    model_config = ConfigDict(extra="forbid")
    network: str
    address: str
    kind: LearnedKind
    evidence: dict[str, Any] = Field(default_factory=dict)


class ExchangeFacts(BaseModel):
    """The document in force. Networks are lower case, as in the event contract."""

    model_config = ConfigDict(extra="ignore")
    description: str = ""
    window: Window | None = None
    supported_networks: dict[str, list[str]] = Field(default_factory=dict)
    fiat_rails: dict[str, str] = Field(default_factory=dict)
    memo_networks: list[str] = Field(default_factory=list)
    exchange_memo_addresses: dict[str, str] = Field(default_factory=dict)
    exchange_hot_wallets: dict[str, str] = Field(default_factory=dict)
    exchange_deposit_addresses: list[str] = Field(default_factory=list)
    known_service_addresses: list[LearnedAddress] = Field(default_factory=list)  # given by the exchange
    hack_incidents: list[HackIncident] = Field(default_factory=list)
    learned: list[LearnedAddress] = Field(default_factory=list)  # inferred by Warden from history

    @field_validator("memo_networks")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return [v.lower() for v in value]

    # --- the pure API the decision engine and monitoring use -------------------------------------------

    def is_memo_network(self, network: str | None) -> bool:
        return network is not None and network.lower() in self._memo_set()

    def is_shared_memo_address(self, network: str | None, address: str | None) -> bool:
        """An address that credits by memo: the exchange's own or another service's (given or learned)."""
        if address is None:
            return False
        return canonical_address(address) in self._shared_memo()

    def shared_memo_addresses(self) -> frozenset[str]:
        """Addresses that credit by memo: the exchange's own and other services' (given or learned)."""
        return self._shared_memo()

    def exchange_addresses(self) -> frozenset[str]:
        """The exchange's own hot wallets, shared memo deposit addresses and listed deposit addresses."""
        return self._own()

    def is_exchange_address(self, address: str | None) -> bool:
        return address is not None and canonical_address(address) in self._own()

    def service_addresses(self) -> frozenset[str]:
        """Other services' addresses (given or learned): paying one is paying that service's customer."""
        return frozenset(canonical_address(a.address) for a in (*self.known_service_addresses, *self.learned))

    def hack_addresses(self) -> frozenset[str]:
        return frozenset(canonical_address(a) for i in self.hack_incidents for a in i.addresses)

    def fingerprint(self) -> str:
        return hashlib.sha256(canonical_json(self).encode()).hexdigest()

    def _memo_set(self) -> frozenset[str]:
        cached = self.__dict__.get("_memo_cache")
        if cached is None:
            cached = self.__dict__["_memo_cache"] = frozenset(self.memo_networks)
        return cached

    def _shared_memo(self) -> frozenset[str]:
        cached = self.__dict__.get("_shared_cache")
        if cached is None:
            own = {canonical_address(a) for a in self.exchange_memo_addresses.values()}
            others = {
                canonical_address(a.address)
                for a in (*self.known_service_addresses, *self.learned)
                if a.kind == "shared_memo_address"
            }
            cached = self.__dict__["_shared_cache"] = frozenset(own | others)
        return cached

    def _own(self) -> frozenset[str]:
        cached = self.__dict__.get("_own_cache")
        if cached is None:
            values = [*self.exchange_memo_addresses.values(), *self.exchange_hot_wallets.values()]
            cached = self.__dict__["_own_cache"] = frozenset(
                canonical_address(a) for a in (*values, *self.exchange_deposit_addresses)
            )
        return cached


def canonical_json(facts: ExchangeFacts) -> str:
    return json.dumps(facts.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


def parse_facts(text: str, source: str = "<facts>") -> ExchangeFacts:
    """JSON or YAML text -> facts; a syntax error gives `source:line: ...`, a bad field its path."""
    try:
        data = yaml.safe_load(text)  # YAML is a superset of JSON, so one parser reads both with line numbers
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FactsError(f"{source}:{line}: {problem}") from None
    if not isinstance(data, dict):
        raise FactsError(f"{source}:1: expected a mapping of facts, got {type(data).__name__}")
    try:
        return ExchangeFacts.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(p) for p in first["loc"])
        raise FactsError(f"{source}: {path}: {first['msg']}") from None


def load_facts(path: Path) -> ExchangeFacts:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FactsError(f"{path}: {exc.strerror or exc}") from None
    return parse_facts(text, str(path))
