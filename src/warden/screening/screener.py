"""The screener: active lists, the name index and the address index together, built once per process and
cached on disk (a pickle keyed by the lists' files, the matcher version and this package's code) so later
starts are quick. The shipped lists' build is the same for every data dir, so it is cached once per user
(`user_cache_dir`); lists a data dir updated are cached in that data dir."""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warden.screening.addresses import AddressIndex
from warden.screening.defaults import DEFAULT_LISTS
from warden.screening.matcher import DEFAULT_THRESHOLD, MATCHER_VERSION, NameQuery, screen_name
from warden.screening.models import ListSnapshot
from warden.screening.name_index import NameIndex, build_index
from warden.screening.registry import active_paths, load_active

CACHE_FORMAT = 5
PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass
class Screener:
    snapshots: list[ListSnapshot]
    names: NameIndex
    addresses: AddressIndex
    load_seconds: float = 0.0
    from_cache: bool = False
    _versions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def versions(self) -> list[dict[str, Any]]:
        if not self._versions:
            self._versions = [
                {
                    "list": s.list_name,
                    "version_date": s.version_date,
                    "sha256": s.sha256,
                    "source": s.source,
                    **s.counts,
                }
                for s in self.snapshots
            ]
        return self._versions

    def screen_name(self, query: NameQuery, threshold: float = DEFAULT_THRESHOLD, limit: int = 10) -> dict[str, Any]:
        started = time.perf_counter()
        hits = screen_name(self.names, query, threshold, limit)
        return {
            "query": query.name,
            "kind": query.kind,
            "threshold": threshold,
            "hits": [h.to_dict() for h in hits],
            "matcher_version": MATCHER_VERSION,
            "lists": [{"list": v["list"], "version_date": v["version_date"]} for v in self.versions],
            "latency_ms": round((time.perf_counter() - started) * 1000, 3),
        }

    def screen_address(self, address: str) -> dict[str, Any]:
        return {
            "query": address,
            "hits": self.addresses.screen(address),
            "matcher_version": MATCHER_VERSION,
            "lists": [{"list": v["list"], "version_date": v["version_date"]} for v in self.versions if v["addresses"]],
        }


def build_screener(snapshots: list[ListSnapshot]) -> Screener:
    started = time.perf_counter()
    entries = [e for s in snapshots for e in s.entries]
    addresses = AddressIndex()
    for snapshot in snapshots:
        for record in snapshot.addresses:
            addresses.add(record)
    for entry in entries:
        for address in entry.addresses:
            addresses.link(address, entry.list_name, entry.id, entry.name)
    return Screener(snapshots, build_index(entries), addresses, time.perf_counter() - started)


@functools.cache
def code_fingerprint() -> str:
    """This package's source: a pickle is only read back by the code that wrote it (a changed class or
    normaliser would otherwise load silently wrong)."""
    digest = hashlib.sha256()
    for file in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(file.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _cache_key(paths: dict[str, Path]) -> str:
    parts = [MATCHER_VERSION, str(CACHE_FORMAT), code_fingerprint()]
    for name, path in sorted(paths.items()):
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            stat = file.stat()
            parts.append(f"{name}:{file}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def user_cache_dir() -> Path:
    """WARDEN_CACHE_DIR, else the XDG cache directory: where builds shared by every data dir of a user go."""
    explicit = os.environ.get("WARDEN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "warden"


def _cache_dir(data_dir: Path, paths: dict[str, Path]) -> Path:
    own = data_dir / "screening" / "cache"
    if not all(path == DEFAULT_LISTS.get(name) for name, path in paths.items()):
        return own
    try:
        return user_cache_dir() / "screening"
    except RuntimeError:  # no home directory to be found: the data dir keeps its own
        return own


def _write_cache(cache: Path, screener: Screener) -> None:
    """Atomically (concurrent starts may race: the last rename wins, both are whole); older builds of the
    directory are removed. A cache that cannot be written only costs the next start its build."""
    tmp = cache.with_suffix(f".{os.getpid()}.{id(screener)}.tmp")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as handle:
            pickle.dump(screener, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache)
        for stale in cache.parent.glob("screener-*.pickle"):
            if stale != cache:
                stale.unlink(missing_ok=True)
    except OSError:
        tmp.unlink(missing_ok=True)


def open_screener(data_dir: Path | None = None, use_cache: bool = True, cache_dir: Path | None = None) -> Screener:
    """The active lists as a ready screener; with a data_dir, reuse the pickled build when the lists are unchanged.
    `cache_dir` overrides where the build is cached (the screening bench keeps its own)."""
    started = time.perf_counter()
    cache = None
    if data_dir is not None and use_cache:
        paths = active_paths(data_dir)
        cache = (cache_dir or _cache_dir(data_dir, paths)) / f"screener-{_cache_key(paths)}.pickle"
        if cache.exists():
            try:
                with cache.open("rb") as handle:
                    screener: Screener = pickle.load(handle)
                screener.load_seconds, screener.from_cache = time.perf_counter() - started, True
                gc.freeze()  # the index is long-lived: keep the collector from re-walking it (ms pauses)
                return screener
            except (pickle.UnpicklingError, EOFError, AttributeError):
                cache.unlink(missing_ok=True)  # a stale or torn cache is rebuilt, never trusted
    screener = build_screener(load_active(data_dir))
    if cache is not None:
        _write_cache(cache, screener)
    screener.load_seconds = time.perf_counter() - started
    gc.freeze()  # the index is long-lived: keep the collector from re-walking it (ms pauses)
    return screener
