"""The exchange's customer laundering model in the data dir's model registry (kind `aml-customer`).

`warden train aml --events` saves a version and makes it active; `warden monitor`, the scheduled run
inside `warden serve` and the case builders score with the active one unless told otherwise. One folder a
version (`model.json` and `meta.json`, the training summary), an `ACTIVE` pointer, as for the fraud model.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from warden.models.fraud import META_FILE
from warden.models.registry import RegistryError, active_version, kind_dir, set_active
from warden.monitoring.customer_model import CUSTOMER_MODEL_VERSION, CustomerModel

KIND = "aml-customer"
MODEL_FILE = "model.json"


def save_customer_model(model: CustomerModel, data_dir: Path, activate: bool = True) -> tuple[str, Path]:
    """A new version folder (never overwritten); the active one when `activate`."""
    version = f"{CUSTOMER_MODEL_VERSION}-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}"
    folder = kind_dir(data_dir, KIND) / version
    model.save(folder / MODEL_FILE)
    meta = {"version": version, "trained": model.trained, "kept_detectors": model.kept_detectors}
    (folder / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    if activate:
        set_active(data_dir, version, KIND)
    return version, folder


def active_customer_model(data_dir: Path) -> tuple[str, CustomerModel] | None:
    """The active version and its model; None when none was trained here."""
    version = active_version(data_dir, KIND)
    if version is None:
        return None
    path = kind_dir(data_dir, KIND) / version / MODEL_FILE
    if not path.exists():
        raise RegistryError(f"{path}: the active customer model is missing")
    return version, CustomerModel.load(path)
