"""Injected, labelled scenarios and their benign look-alikes.

Each module offers `plan(world)`, which reserves its actors before normal behaviour is generated (so mule and
ring accounts can be made quiet), and `inject(world, plan)`, which adds the scenario's events and labels after.
"""

from __future__ import annotations

from types import ModuleType

from warden.sim.scenarios import account_takeover, identity_rings, laundering, lookalikes, onchain, scams

# Look-alikes plan first so their customers are kept out of the labelled scenarios.
SCENARIOS: list[ModuleType] = [lookalikes, account_takeover, scams, laundering, identity_rings, onchain]
