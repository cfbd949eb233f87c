"""What a simulation run is asked for, and how many of each scenario a population of that size gets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


class SimConfigError(ValueError):
    """A simulation parameter is out of range; the message names it."""


@dataclass(frozen=True, slots=True)
class SimConfig:
    customers: int = 1_000
    days: int = 30
    seed: int = 7
    start: date = date(2026, 1, 1)

    def __post_init__(self) -> None:
        if self.customers < 150:
            raise SimConfigError(f"customers={self.customers}: at least 150 so every scenario fits")
        if not 3 <= self.days <= 366:
            raise SimConfigError(f"days={self.days}: between 3 and 366")
        if self.seed < 0:
            raise SimConfigError(f"seed={self.seed}: not negative")

    def scenario_count(self, per_10k: float, minimum: int = 2) -> int:
        """Scenarios scale with the population, with a floor so small runs still contain each one."""
        return max(minimum, round(self.customers * per_10k / 10_000))
