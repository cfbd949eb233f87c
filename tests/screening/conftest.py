"""Fixtures for the screening tests: the shipped default lists built once per session, and a tiny list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from warden.screening.defaults import DATA_DIR
from warden.screening.loaders.un_xml import load_un_xml
from warden.screening.name_index import NameIndex, build_index
from warden.screening.registry import load_active
from warden.screening.screener import Screener, build_screener

from .helpers import entry

UN_XML = DATA_DIR / "un-2026-02-27" / "UN_consolidated.xml.gz"


@pytest.fixture(scope="session")
def default_screener() -> Screener:
    """The embedded default (OFAC 2024 + UN + crypto + labels), as a user gets it with no setup."""
    return build_screener(load_active(None))


@pytest.fixture(scope="session")
def un_index() -> NameIndex:
    return build_index(load_un_xml(UN_XML).entries)


@pytest.fixture
def small_index() -> NameIndex:
    return build_index(
        [
            entry("1", "Ivan Petrovich SIDOROV", years=(1970,), countries=("Russia",)),
            entry("2", "GOLDEN HARBOUR TRADING CO., LTD.", kind="entity"),
            entry("3", "Abdul Rahman AL-QASIMI", "Abdulrahman QASIMI"),
            entry("4", "OCEAN STAR", kind="vessel"),
            entry("5", "Maria GONZALEZ LOPEZ", years=(1985,)),
        ]
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "warden-data"
