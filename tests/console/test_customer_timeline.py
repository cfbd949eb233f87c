"""The customer view's time line a page at a time: keyset pages on (event time, event id) that together show
every event once, newest first, with each case and alert once on the page its time falls in; the "older events"
link as a full page and as the rows htmx swaps in; a bad cursor is a 422 page. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from console_seed import seed, signed_in

from warden.console.customer_timeline import parse_cursor, timeline_page
from warden.console.customer_view import _cases
from warden.settings import Settings
from warden.store.db import Store


@pytest.fixture
def ids(store: Store, settings: Settings, tmp_path: Path) -> dict[str, str]:
    return seed(store, settings, tmp_path)


def test_pages_cover_every_event_once_newest_first(store: Store, ids: dict[str, str]) -> None:
    with store.engine.connect() as conn:
        cases = _cases(conn, "cus-42")
        whole = timeline_page(conn, "cus-42", cases, limit=1000)
        assert whole.more is None and whole.events == 11
        pages, before = [], None
        while True:
            page = timeline_page(conn, "cus-42", cases, before, limit=4)
            pages.append(page)
            if page.more is None:
                break
            before = parse_cursor(page.more)
    assert [p.events for p in pages] == [4, 4, 3]
    paged = [e for p in pages for e in p.entries]
    key = [(e.kind, e.event_id, e.case_id, e.title, e.at) for e in paged]
    assert sorted(key, key=str) == sorted(
        ((e.kind, e.event_id, e.case_id, e.title, e.at) for e in whole.entries), key=str
    )
    events = [e for e in paged if e.kind == "event"]
    assert [(e.at, e.event_id) for e in events] == sorted(((e.at, e.event_id) for e in events), reverse=True)
    assert sum(e.kind == "case" for e in paged) == len(cases) == 1


def test_older_events_link_full_page_and_rows(
    store: Store, settings: Settings, ids: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("warden.console.customer_timeline.TIMELINE_PAGE", 5)
    ana = signed_in(settings, store, "ana")
    page = ana.get("/customers/cus-42").text
    assert len(re.findall(r'<tr class="tl tl-event">', page)) == 5
    link = re.search(
        r'id="timeline-more"><td colspan="5"><a href="(/customers/cus-42\?before=[^"]+)"\s+hx-get="([^"]+)"', page
    )
    assert link is not None
    full, rows = (s.replace("&amp;", "&") for s in link.groups())
    older = ana.get(full).text
    assert len(re.findall(r'<tr class="tl tl-event">', older)) == 5 and 'id="timeline-newest"' in older
    swapped = ana.get(rows)
    assert swapped.status_code == 200 and "<html" not in swapped.text
    assert len(re.findall(r'<tr class="tl tl-event">', swapped.text)) == 5 and 'id="timeline-more"' in swapped.text
    shown = set(re.findall(r"<code>(evt-\d+)</code>", page))
    assert shown.isdisjoint(re.findall(r"<code>(evt-\d+)</code>", swapped.text))
    bad = ana.get("/customers/cus-42", params={"before": "yesterday"})
    assert bad.status_code == 422 and "is not a time line cursor" in bad.text
