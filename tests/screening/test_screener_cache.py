"""The screener's on-disk cache: one build of the shipped lists per user, read back by every data dir; a torn
file is rebuilt; lists a data dir updated are cached in that data dir; a change of code changes the key."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from warden.screening import screener as screener_module
from warden.screening.defaults import DEFAULT_LISTS
from warden.screening.matcher import NameQuery
from warden.screening.screener import Screener, open_screener

QUERIES = [NameQuery("Kim Jong Un", "person"), NameQuery("Banco Nacional de Cuba", "entity"), NameQuery("Jane Doe")]


def _hits(screener: Screener) -> list[list[tuple[str, float]]]:
    return [[(h["id"], h["score"]) for h in screener.screen_name(q, 0.6)["hits"]] for q in QUERIES]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Screener]]:
    """A user cache directory holding one build of the shipped lists, and that build."""
    cache = tmp_path_factory.mktemp("user-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WARDEN_CACHE_DIR", str(cache))
        screener = open_screener(tmp_path_factory.mktemp("first") / "data")
    assert not screener.from_cache
    yield cache, screener


def test_data_dirs_on_the_shipped_lists_share_one_build(
    built: tuple[Path, Screener], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, fresh = built
    monkeypatch.setenv("WARDEN_CACHE_DIR", str(cache))
    data_dir = tmp_path / "another"
    again = open_screener(data_dir)
    assert again.from_cache
    assert _hits(again) == _hits(fresh)
    assert any(_hits(fresh)), "the queries must hit something for the comparison to mean anything"
    assert not (data_dir / "screening" / "cache").exists()  # nothing written into the data dir
    assert len(list((cache / "screening").glob("screener-*.pickle"))) == 1


def test_a_torn_cache_is_rebuilt_not_trusted(
    built: tuple[Path, Screener], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, fresh = built
    torn = tmp_path / "torn-cache"
    shutil.copytree(cache, torn)
    (pickled,) = (torn / "screening").glob("screener-*.pickle")
    pickled.write_bytes(pickled.read_bytes()[: pickled.stat().st_size // 2])
    monkeypatch.setenv("WARDEN_CACHE_DIR", str(torn))
    rebuilt = open_screener(tmp_path / "data")
    assert not rebuilt.from_cache
    assert _hits(rebuilt) == _hits(fresh)
    assert open_screener(tmp_path / "data").from_cache  # written whole again


def test_updated_lists_are_cached_in_their_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDEN_CACHE_DIR", str(tmp_path / "user"))
    data_dir = tmp_path / "data"
    shipped = dict(DEFAULT_LISTS)
    assert screener_module._cache_dir(data_dir, shipped) == tmp_path / "user" / "screening"
    updated = shipped | {"ofac-sdn": data_dir / "screening" / "lists" / "ofac-sdn" / "abc"}
    assert screener_module._cache_dir(data_dir, updated) == data_dir / "screening" / "cache"


def test_the_key_changes_with_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    before = screener_module._cache_key(dict(DEFAULT_LISTS))
    monkeypatch.setattr(screener_module, "code_fingerprint", lambda: "another version of the code")
    assert screener_module._cache_key(dict(DEFAULT_LISTS)) != before
