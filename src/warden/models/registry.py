"""A file-based model registry: `data_dir/models/<kind>/<version>/` and an `ACTIVE` pointer per kind.

A fresh install has no registry yet and uses the default model shipped in the package. (A store table
replaces this later; the layout keeps one folder per version so nothing is overwritten.)
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from warden.models.fraud import META_FILE, MODEL_FILE, FraudModel
from warden.models.scorer import FraudScorer
from warden.settings import Settings

DEFAULT_FRAUD_MODEL = Path(__file__).parent / "default"


class RegistryError(ValueError):
    """A missing or broken model version."""


def kind_dir(data_dir: Path, kind: str = "fraud") -> Path:
    return data_dir / "models" / kind


def save(model: FraudModel, data_dir: Path, activate: bool = True) -> Path:
    folder = kind_dir(data_dir) / model.version
    folder.mkdir(parents=True, exist_ok=True)
    model.booster.save_model(str(folder / MODEL_FILE))
    (folder / META_FILE).write_text(json.dumps(model.meta, indent=2) + "\n", encoding="utf-8")
    if activate:
        set_active(data_dir, model.version)
    return folder


def set_active(data_dir: Path, version: str, kind: str = "fraud") -> None:
    root = kind_dir(data_dir, kind)
    if not (root / version / META_FILE).exists():
        raise RegistryError(f"{root / version}: no such model version")
    pointer = root / "ACTIVE"
    tmp = pointer.with_suffix(".tmp")
    tmp.write_text(version + "\n", encoding="utf-8")
    os.replace(tmp, pointer)  # atomic: readers see the old or the new version, never half


def active_version(data_dir: Path, kind: str = "fraud") -> str | None:
    pointer = kind_dir(data_dir, kind) / "ACTIVE"
    return pointer.read_text(encoding="utf-8").strip() if pointer.exists() else None


def load_fraud_model(data_dir: Path | None = None, version: str | None = None) -> FraudModel:
    """The named version, else the active one, else the packaged default."""
    if data_dir is not None:
        version = version or active_version(data_dir)
        if version is not None:
            folder = kind_dir(data_dir) / version
            if not (folder / META_FILE).exists():
                raise RegistryError(f"{folder}: no such model version")
            return FraudModel.load(folder)
    if version is not None:
        raise RegistryError(f"model version {version} requested but no data_dir given")
    if not (DEFAULT_FRAUD_MODEL / META_FILE).exists():
        raise RegistryError(f"{DEFAULT_FRAUD_MODEL}: the packaged default model is missing; run `warden train fraud`")
    return FraudModel.load(DEFAULT_FRAUD_MODEL)


def load_active_scorer(settings: Settings) -> FraudScorer:
    """What the decision engine scores withdrawals with: the active model, else the packaged default."""
    return FraudScorer(load_fraud_model(settings.data_dir))
