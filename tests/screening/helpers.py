"""Small list entries for tests."""

from __future__ import annotations

from warden.screening.models import Alias, EntryKind, ListEntry


def entry(
    entry_id: str, *names: str, kind: EntryKind = "person", years: tuple[int, ...] = (), countries: tuple[str, ...] = ()
) -> ListEntry:
    aliases = tuple(Alias(n, "primary" if i == 0 else "aka") for i, n in enumerate(names))
    return ListEntry(entry_id, "test", kind, aliases, ("TEST",), years, (), countries)
