"""Which version of each list is active: the shipped default unless `warden lists update` stored a newer one
under `data_dir/screening/`. An update validates every file before anything changes, so a malformed file
leaves the current lists in place."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from warden.audit.log import append_audit
from warden.screening.defaults import DEFAULT_LISTS, VERSION_DATES
from warden.screening.diff import ListDiff, diff_items, snapshot_items
from warden.screening.loaders.detect import load_path
from warden.screening.models import ListSnapshot
from warden.screening.repository import latest_version, record_version, version_items


def screening_dir(data_dir: Path) -> Path:
    return data_dir / "screening"


def active_paths(data_dir: Path | None) -> dict[str, Path]:
    paths = dict(DEFAULT_LISTS)
    manifest = screening_dir(data_dir) / "active.json" if data_dir else None
    if manifest and manifest.exists():
        paths.update({name: Path(p) for name, p in json.loads(manifest.read_text()).items()})
    return paths


def load_snapshot(name: str, path: Path) -> ListSnapshot:
    snapshot = load_path(path)
    if str(path).startswith(str(DEFAULT_LISTS.get(name, "/nonexistent"))) and name in VERSION_DATES:
        snapshot.version_date = VERSION_DATES[name]
    return snapshot


def load_active(data_dir: Path | None) -> list[ListSnapshot]:
    return [load_snapshot(name, path) for name, path in active_paths(data_dir).items()]


@dataclass
class UpdateResult:
    snapshot: ListSnapshot
    diff: ListDiff
    version_id: int
    stored_path: str


def _store_copy(path: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        dest = target / path.name
        if not dest.exists():
            shutil.copytree(path, dest)
        return dest
    dest = target / path.name
    shutil.copy2(path, dest)
    return dest


def update_lists(paths: list[Path], data_dir: Path, engine: sa.Engine, actor: str = "cli") -> list[UpdateResult]:
    """Load, validate, diff against the current version, store a copy, record the version; all or nothing."""
    snapshots = [load_path(p) for p in paths]  # raises ListFormatError before anything is written
    current = active_paths(data_dir)
    results: list[UpdateResult] = []
    with engine.begin() as conn:
        for path, snapshot in zip(paths, snapshots, strict=True):
            previous = latest_version(conn, snapshot.list_name)
            if previous is None and snapshot.list_name in current:
                # first update of a list: record the version in use until now (the shipped one), so the
                # history shows where each list came from and the diff has a recorded base
                base = load_snapshot(snapshot.list_name, current[snapshot.list_name])
                base_items = snapshot_items(base)
                base_diff = diff_items(base.list_name, {}, base_items)
                base_id = record_version(conn, base, base_items, base_diff, str(current[snapshot.list_name]))
                previous = {"id": base_id, "sha256": base.sha256}
            old_items = version_items(conn, previous["id"]) if previous is not None else {}
            items = snapshot_items(snapshot)
            diff = diff_items(snapshot.list_name, old_items, items)
            stored = _store_copy(
                path, screening_dir(data_dir) / "lists" / snapshot.list_name.replace(":", "_") / snapshot.sha256[:16]
            )
            version_id = record_version(conn, snapshot, items, diff, str(stored))
            append_audit(
                conn,
                actor=actor,
                action="screening.list_update",
                subject=snapshot.list_name,
                before={"version_id": previous["id"], "sha256": previous["sha256"]} if previous else None,
                after={
                    "version_id": version_id,
                    "sha256": snapshot.sha256,
                    "added": len(diff.added),
                    "removed": len(diff.removed),
                },
            )
            current[snapshot.list_name] = stored
            results.append(UpdateResult(snapshot, diff, version_id, str(stored)))
        _write_manifest(data_dir, {k: v for k, v in current.items() if DEFAULT_LISTS.get(k) != v})
    return results


def _write_manifest(data_dir: Path, overrides: dict[str, Path]) -> None:
    manifest = screening_dir(data_dir) / "active.json"
    manifest.parent.mkdir(parents=True, exist_ok=True)
    tmp = manifest.with_suffix(".tmp")
    tmp.write_text(json.dumps({k: str(v) for k, v in overrides.items()}, indent=2))
    os.replace(tmp, manifest)  # atomic: readers see the old or the new manifest, never half of one
